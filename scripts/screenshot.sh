#!/usr/bin/env bash
# Refreshes the README's screenshots in docs/ from a run of scripts/gui-smoke.sh (the real app
# under Xvfb, typed into key by key). Needs: xvfb mesa-vulkan-drivers imagemagick xdotool (apt).
#   scripts/screenshot.sh [release|debug]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/gui-smoke.sh "${1:-release}"
shots=target/gui-smoke
cp "$shots/01-first-run.png" docs/main.png
cp "$shots/03-typed-source.png" docs/editor.png
cp "$shots/04-compare.png" docs/compare.png
cp "$shots/05-sent.png" docs/sent.png
cp "$shots/06-history.png" docs/history.png
cp "$shots/07-1280x720.png" docs/small.png
cp "$shots/08-settings.png" docs/settings.png
cp "$shots/09-corpus.png" docs/corpus.png
echo "docs/: main editor compare sent history small settings corpus (.png)"
