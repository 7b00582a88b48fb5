#!/usr/bin/env bash
# Installs the packages scripts/package.sh made on this machine and checks them as a user would:
#   1. a data directory exists before the install (a user's, with a send in its history);
#   2. apt install ./target/dist/reddit-capi-console_*.deb; `reddit-capi-console --version` from
#      PATH; the .desktop entry, the icons and the man page where a desktop and `man` find them;
#   3. the app started from its installed path under Xvfb, its window titled and carrying the
#      icon, a screenshot in target/dist/installed.png, the shared libraries it loaded listed;
#   4. apt remove reddit-capi-console: the program is gone, the data directory is untouched;
#   5. the .tar.gz unpacked into a scratch prefix and its binary run.
# Run as root (it installs and removes the package). PACKAGE_NO_BUILD=1 skips the cargo build in
# scripts/package.sh (the binary in target/dist is packaged as it is).
# Needs: xvfb mesa-vulkan-drivers imagemagick xdotool x11-utils (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
name=reddit-capi-console

[ "$(id -u)" = 0 ] || { echo "package-check.sh: run as root (it installs the .deb)" >&2; exit 1; }
fail() { echo "package-check.sh: FAIL: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

missing=()
for t in Xvfb:xvfb import:imagemagick xdotool:xdotool xprop:x11-utils desktop-file-validate:desktop-file-utils; do
  command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
done
ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "scripts/package.sh"
bash scripts/package.sh
version=$(awk -F'"' '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { print $2; exit }' Cargo.toml)
deb=$root/target/dist/${name}_${version}_$(dpkg --print-architecture).deb
tgz=$root/target/dist/$name-$version-$(uname -m)-linux.tar.gz
[ -f "$deb" ] && [ -f "$tgz" ] || fail "the packages are missing"

tmp=$(mktemp -d)
xvfb=
app=
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# A user with a history: HOME's platform data directory (~/.local/share/reddit-capi-console)
# and a REDDIT_CAPI_CONSOLE_HOME one, both made by the tarball's binary before the install.
step "a data directory before the install"
mkdir -p "$tmp/tar"
tar -xzf "$tgz" -C "$tmp/tar"
pre_bin=$tmp/tar/$name-$version-$(uname -m)-linux/bin/$name
export HOME=$tmp/home
mkdir -p "$HOME"
"$pre_bin" sample >"$tmp/purchase.json"
"$pre_bin" send --format text "$tmp/purchase.json" >/dev/null
data=$HOME/.local/share/$name
[ -f "$data/history.jsonl" ] || ls -la "$data"
ls "$data" | sed 's/^/  /'
before=$(cd "$data" && find . -type f -exec sha256sum {} + | sort)
[ -n "$before" ] || fail "no data directory was made in $data"

step "apt install $deb"
if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "ok installed"; then
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$name" >/dev/null
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$tmp/apt-install.log" 2>&1 \
  || { cat "$tmp/apt-install.log"; fail "apt install"; }
dpkg-query -W -f='${Package} ${Version} installed; Depends: ${Depends}\n' "$name"

step "from PATH"
[ "$(command -v $name)" = /usr/bin/$name ] || fail "$name is not /usr/bin/$name on PATH"
$name --version
echo "  size of /usr/bin/$name: $(stat -c %s /usr/bin/$name) bytes ($(file -b /usr/bin/$name | grep -o 'not stripped\|stripped'))"

step "where a desktop finds it"
desktop=/usr/share/applications/$name.desktop
[ -f "$desktop" ] || fail "$desktop is missing"
desktop-file-validate "$desktop" 2>&1 | grep -v "more than one main category" || true
grep -E '^(Exec|Icon|Categories)=' "$desktop" | sed 's/^/  /'
for n in 16 22 24 32 48 64 128 256 512; do
  f=/usr/share/icons/hicolor/${n}x$n/apps/$name.png
  [ "$(identify -format '%wx%h' "$f")" = "${n}x$n" ] || fail "$f is not ${n}x$n"
done
[ -f /usr/share/icons/hicolor/scalable/apps/$name.svg ] || fail "no scalable icon"
echo "  icons: /usr/share/icons/hicolor/{16..512}/apps/$name.png and scalable/apps/$name.svg"
man -w $name | sed 's/^/  man page: /'
[ -f /usr/share/doc/$name/copyright ] || fail "no /usr/share/doc/$name/copyright"

step "the installed app under Xvfb"
display=:95
Xvfb $display -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 1
DISPLAY=$display WGPU_BACKEND=vulkan REDDIT_CAPI_CONSOLE_HOME=$tmp/x REDDIT_CAPI_CONSOLE_KEYCHAIN=off \
  env -u DBUS_SESSION_BUS_ADDRESS /usr/bin/$name >"$tmp/app.log" 2>&1 &
app=$!
win=
for _ in $(seq 1 600); do
  win=$(DISPLAY=$display xdotool search --onlyvisible --name "Reddit CAPI Console" 2>/dev/null | head -1 || true)
  [ -n "$win" ] && break
  kill -0 "$app" 2>/dev/null || { cat "$tmp/app.log"; fail "the app exited"; }
  sleep 0.1
done
[ -n "$win" ] || { cat "$tmp/app.log"; fail "no window"; }
sleep 5
DISPLAY=$display import -window root "$root/target/dist/installed.png"
echo "  screenshot: target/dist/installed.png ($(identify -format '%wx%h, %k colours' "$root/target/dist/installed.png"))"
[ "$(identify -format '%k' "$root/target/dist/installed.png")" -gt 16 ] || fail "the screenshot looks blank"
DISPLAY=$display xprop -id "$win" _NET_WM_ICON >"$tmp/icon.txt" 2>&1 || true
icon=$(head -c 200 "$tmp/icon.txt")
echo "$icon" | grep -Eq 'Icon \(128 x 128\)|= 128, 128' || fail "the window has no 128×128 icon: $icon"
echo "  window icon: _NET_WM_ICON 128×128"
echo "  libraries the running app loaded (dlopen included):"
grep -o '/[^ ]*\.so[^ ]*' /proc/$app/maps | sort -u | xargs -n1 basename | sort -u | tr '\n' ' ' | fold -s -w 96 | sed 's/^/    /'
echo
kill "$app"; wait "$app" 2>/dev/null || true; app=
kill "$xvfb"; wait "$xvfb" 2>/dev/null || true; xvfb=
[ -d "$tmp/x" ] || fail "the app made no data directory at REDDIT_CAPI_CONSOLE_HOME"

step "apt remove $name"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$name" >/dev/null
[ ! -e /usr/bin/$name ] || fail "/usr/bin/$name is still there"
[ ! -e "$desktop" ] || fail "$desktop is still there"
after=$(cd "$data" && find . -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "the data directory $data changed"
[ -d "$tmp/x" ] || fail "the app's data directory $tmp/x is gone"
echo "  removed; $data and $tmp/x are still there, unchanged"

step "the tarball"
mkdir -p "$tmp/prefix"
tar -xzf "$tgz" --strip-components=1 -C "$tmp/prefix"
(cd "$tmp/prefix" && find . -type f | sort | sed 's/^/  /')
"$tmp/prefix/bin/$name" --version
"$tmp/prefix/bin/$name" preview --format text "$tmp/purchase.json" >"$tmp/preview.txt"
head -3 "$tmp/preview.txt"

step "figures"
echo "  binary (stripped): $(stat -c %s "$pre_bin") bytes"
echo "  .deb:              $(stat -c %s "$deb") bytes ($(basename "$deb"))"
echo "  .tar.gz:           $(stat -c %s "$tgz") bytes ($(basename "$tgz"))"
echo
echo "package-check.sh: all checks passed"
