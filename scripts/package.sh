#!/usr/bin/env bash
# Builds the installable Linux packages from the `dist` profile (stripped, thin LTO):
#   target/dist/reddit-capi-console_VERSION_ARCH.deb
#   target/dist/reddit-capi-console-VERSION-ARCH-linux.tar.gz
# Both hold the binary, the .desktop entry, the icons (SVG and PNG 16–512, rendered here from
# assets/icons/reddit-capi-console.svg), the man page (help2man against the built binary) and the
# license. The tarball is laid out as a prefix (bin/, share/), so
#   tar -xzf reddit-capi-console-*.tar.gz --strip-components=1 -C ~/.local
# installs it for one user. The .deb has no maintainer scripts: removing it removes only the
# files it installed, never a user's data directory.
#
# Needs: cargo, dpkg-deb and dpkg-shlibdeps (dpkg-dev), help2man, rsvg-convert (librsvg2-bin)
# or ImageMagick. Missing Debian tools are installed with apt-get when running as root.
# PACKAGE_NO_BUILD=1 packages the binary already in target/dist without running cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

name=reddit-capi-console
version=$(awk -F'"' '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { print $2; exit }' Cargo.toml)
[ -n "$version" ] || { echo "package.sh: no version in Cargo.toml" >&2; exit 1; }
arch=$(dpkg --print-architecture)
machine=$(uname -m)
out=$root/target/dist
bin=${PACKAGE_BIN:-$out/$name}

need=()
command -v dpkg-shlibdeps >/dev/null 2>&1 || need+=(dpkg-dev)
command -v help2man >/dev/null 2>&1 || need+=(help2man)
command -v rsvg-convert >/dev/null 2>&1 || command -v convert >/dev/null 2>&1 || need+=(librsvg2-bin)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "package.sh: install ${need[*]} (apt) first" >&2
    exit 1
  fi
fi

# Reproducible archives: every file dated at the last commit.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

if [ "${PACKAGE_NO_BUILD:-0}" != 1 ]; then
  start=$(date +%s)
  cargo build --profile dist --locked --bin "$name"
  echo "== build: $(($(date +%s) - start)) s"
fi
[ -x "$bin" ] || { echo "package.sh: $bin is missing (cargo build --profile dist --locked)" >&2; exit 1; }
echo "== binary: $(stat -c %s "$bin") bytes ($(file -b "$bin" | grep -o 'not stripped\|stripped'))"

work=$(mktemp -d "$out/pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- The file tree both packages share, under a prefix ($1).
stage() { # PREFIX LICENSE_NAME
  local prefix=$1
  install -D -m 0755 "$bin" "$prefix/bin/$name"
  install -D -m 0644 assets/desktop/$name.desktop "$prefix/share/applications/$name.desktop"
  bash scripts/icons.sh "$work/icons" >/dev/null
  mkdir -p "$prefix/share/icons"
  cp -r "$work/icons/hicolor" "$prefix/share/icons/"
  install -D -m 0644 "$work/$name.1.gz" "$prefix/share/man/man1/$name.1.gz"
  install -D -m 0644 LICENSE "$prefix/share/doc/$name/$2"
}

# --- The man page: help2man reads `--help`; each command's own help follows as COMMANDS.
roff_escape() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
{
  echo "[DESCRIPTION]"
  echo "With no argument, opens the desktop app; with a command, runs the command line."
  echo "[COMMANDS]"
  for cmd in $("$bin" --help | awk '/^Commands:/ { c = 1; next } /^$/ { c = 0 } c && $1 != "help" { print $1 }'); do
    echo ".SS $cmd"
    echo ".nf"
    "$bin" "$cmd" --help | roff_escape
    echo ".fi"
  done
  echo "[ENVIRONMENT]"
  echo ".TP"
  echo ".B REDDIT_CAPI_CONSOLE_HOME"
  echo "The data directory (workspace, settings, history), instead of the platform's."
  echo ".TP"
  echo ".B REDDIT_CONVERSION_TOKEN"
  echo "The conversion token for sends to Reddit."
  echo "[FILES]"
  echo "The data directory is printed by \\fB$name paths\\fR and \\fB$name --version\\fR;"
  echo "removing the package leaves it in place."
} >"$work/man-include"
HOME=/nonexistent help2man --no-info --section=1 --version-string="$version" \
  --name="design, preview and test Segment to Reddit Conversions API mappings" \
  --include="$work/man-include" "$bin" >"$work/$name.1"
gzip -9n <"$work/$name.1" >"$work/$name.1.gz"
touch -d "@$SOURCE_DATE_EPOCH" "$work/$name.1.gz"

# --- .deb
deb_root=$work/deb
stage "$deb_root/usr" copyright
# Only what the binary links against; the display and graphics stack is loaded at run time
# (winit and wgpu dlopen X11/Wayland, xkbcommon, Vulkan, EGL for the GL fallback) and goes in
# Recommends: the command line runs without it. The list is what the running app loaded under
# Xvfb (scripts/package-check.sh prints it), by package.
mkdir -p "$work/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$deb_root/usr/bin/$name" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
recommends="libx11-6, libxcursor1, libxi6, libxkbcommon-x11-0, libwayland-client0, libxkbcommon0, libvulkan1, mesa-vulkan-drivers | vulkan-icd, libegl1"
# The file dialogs go through the desktop portal; without one the app asks for a typed path.
suggests="xdg-desktop-portal"
installed_size=$(du -sk --apparent-size "$deb_root" | cut -f1)
mkdir -p "$deb_root/DEBIAN"
cat >"$deb_root/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: Reddit CAPI Console maintainers <maintainers@reddit-capi-console.invalid>
Installed-Size: $installed_size
Depends: $depends
Recommends: $recommends
Suggests: $suggests
Section: devel
Priority: optional
Description: Design, preview and test Segment to Reddit Conversions API mappings
 A desktop app and a command line for wiring Segment to the Reddit
 Conversions API: the exact request each event sends, every identifier
 normalized and hashed with its rules, lints, test sends to Reddit or to a
 built-in local emulator, and a crash-safe history.
CONTROL
find "$deb_root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
deb=$out/${name}_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$deb_root" "$deb" >/dev/null
echo "== $deb: $(stat -c %s "$deb") bytes; Depends: $depends"

# --- .tar.gz: the same tree under a top directory, with the README beside the license.
tar_dir=$name-$version-$machine-linux
stage "$work/tar/$tar_dir" LICENSE
install -m 0644 README.md "$work/tar/$tar_dir/share/doc/$name/"
tgz=$out/$tar_dir.tar.gz
tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -cf - "$tar_dir" \
  | gzip -9n >"$tgz"
echo "== $tgz: $(stat -c %s "$tgz") bytes"
