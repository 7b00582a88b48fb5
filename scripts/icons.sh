#!/usr/bin/env bash
# Renders assets/icons/reddit-capi-console.svg into a hicolor icon tree under OUT:
#   OUT/hicolor/scalable/apps/reddit-capi-console.svg
#   OUT/hicolor/NxN/apps/reddit-capi-console.png   for N in 16 22 24 32 48 64 128 256 512
# and OUT/reddit-capi-console.ico (16–256, for Windows installers).
# Uses rsvg-convert when present (apt: librsvg2-bin), else ImageMagick's convert.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:?usage: scripts/icons.sh OUT_DIR}
svg=assets/icons/reddit-capi-console.svg
name=reddit-capi-console
sizes=(16 22 24 32 48 64 128 256 512)

render() { # SIZE DEST
  if command -v rsvg-convert >/dev/null 2>&1; then
    rsvg-convert -w "$1" -h "$1" -o "$2" "$svg"
  elif command -v convert >/dev/null 2>&1; then
    convert -background none -density 384 "$svg" -resize "$1x$1" -depth 8 "PNG32:$2"
  else
    echo "icons.sh: needs rsvg-convert (apt: librsvg2-bin) or ImageMagick's convert" >&2
    exit 1
  fi
}

mkdir -p "$out/hicolor/scalable/apps"
install -m 0644 "$svg" "$out/hicolor/scalable/apps/$name.svg"
for n in "${sizes[@]}"; do
  mkdir -p "$out/hicolor/${n}x${n}/apps"
  render "$n" "$out/hicolor/${n}x${n}/apps/$name.png"
done
if command -v convert >/dev/null 2>&1; then
  ico_in=()
  for n in 16 24 32 48 64 128 256; do ico_in+=("$out/hicolor/${n}x${n}/apps/$name.png"); done
  convert "${ico_in[@]}" "$out/$name.ico"
fi
