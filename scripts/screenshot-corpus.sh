#!/usr/bin/env bash
# docs/corpus.png: the real app under Xvfb (as scripts/screenshot.sh) with the Corpus window
# open on 20,000 generated events (scripts/bench-report.sh's generator). Needs: xvfb
# mesa-vulkan-drivers imagemagick xdotool (apt). The clicks are at the positions of the default
# 1400×900 layout: the Corpus button, then the window's Path field and Read.
#   scripts/screenshot-corpus.sh [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
cargo build --quiet $([ "$profile" = release ] && echo --release)
bin=target/$profile/reddit-capi-console
events=$(mktemp --suffix=.jsonl)
home=$(mktemp -d)
awk '/^python3 - /{f=1;next} /^PY$/{f=0} f' scripts/bench-report.sh | python3 - 20000 "$events"
display=:79
Xvfb $display -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$home" "$events"' EXIT
sleep 1
export DISPLAY=$display
REDDIT_CAPI_CONSOLE_HOME=$home REDDIT_CAPI_CONSOLE_KEYCHAIN=off WGPU_BACKEND=vulkan "$bin" >/tmp/rcc-app.log 2>&1 &
app=$!
for _ in $(seq 1 100); do
  win=$(xdotool search --name "Reddit CAPI Console" 2>/dev/null | head -1 || true)
  [ -n "$win" ] && break
  sleep 0.1
done
[ -n "$win" ] || { echo "no window; see /tmp/rcc-app.log"; cat /tmp/rcc-app.log; exit 1; }
sleep 3
xdotool windowsize "$win" 1400 900 windowmove "$win" 0 0 || true
sleep 2
xdotool windowfocus "$win" 2>/dev/null || true
xdotool mousemove 1292 12 click 1
sleep 2
xdotool mousemove 320 66 click 1
sleep 0.5
xdotool type --window "$win" --delay 10 "$events"
sleep 1
xdotool mousemove 480 66 click 1
sleep "${WAIT:-15}"
mkdir -p docs
import -window root docs/corpus.png
echo "screenshot in docs/corpus.png"
