#!/usr/bin/env bash
# Runs the real app under Xvfb (wgpu on Mesa's software Vulkan) and saves PNGs of the main
# screens to docs/. Needs: xvfb mesa-vulkan-drivers imagemagick xdotool (apt).
#   scripts/screenshot.sh [debug|release] [corpus]
# With `corpus`, only docs/corpus.png: the Corpus window on 20,000 events made by
# scripts/bench-report.sh's generator (the clicks are at the default 1400×900 layout's places:
# the Corpus button, then the window's Path field and Read).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
cargo build --quiet $([ "$profile" = release ] && echo --release)
bin=target/$profile/reddit-capi-console
out=docs
mkdir -p "$out"
home=$(mktemp -d)
display=:77
Xvfb $display -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$home"' EXIT
sleep 1
export DISPLAY=$display
start=$(date +%s.%N)
REDDIT_CAPI_CONSOLE_TIMING=1 REDDIT_CAPI_CONSOLE_HOME=$home WGPU_BACKEND=vulkan "$bin" >/tmp/rcc-app.log 2>&1 &
app=$!
# Wait for the window.
for _ in $(seq 1 100); do
  win=$(xdotool search --name "Reddit CAPI Console" 2>/dev/null | head -1 || true)
  [ -n "$win" ] && break
  sleep 0.1
done
[ -n "$win" ] || { echo "no window; see /tmp/rcc-app.log"; cat /tmp/rcc-app.log; exit 1; }
ready=$(date +%s.%N)
printf 'window after %.2f s\n' "$(echo "$ready - $start" | bc)"
sleep 3
xdotool windowsize "$win" 1400 900 windowmove "$win" 0 0 || true
sleep 2
if [ "${2:-}" = corpus ]; then
  events=$home/events.jsonl
  awk '/^python3 - /{f=1;next} /^PY$/{f=0} f' scripts/bench-report.sh | python3 - 20000 "$events"
  xdotool windowfocus "$win" 2>/dev/null || true
  xdotool mousemove 1292 12 click 1
  sleep 2
  xdotool mousemove 320 66 click 1
  sleep 0.5
  xdotool type --window "$win" --delay 10 "$events"
  sleep 1
  xdotool mousemove 480 66 click 1
  sleep "${WAIT:-15}"
  import -window root "$out/corpus.png"
  echo "screenshot in $out/corpus.png"
  exit 0
fi
import -window root "$out/main.png"
xdotool windowfocus "$win" 2>/dev/null || true
# Send to the local emulator (Ctrl+Enter), then the response.
xdotool key ctrl+Return
sleep 3
import -window root "$out/sent.png"
# The history (Ctrl+F).
xdotool key ctrl+f
sleep 2
import -window root "$out/history.png"
# Settings (the button at the top right): the token and where it is kept.
xdotool mousemove 1360 12 click 1
sleep 2
import -window root "$out/settings.png"
grep -m1 "first frame" /tmp/rcc-app.log || true
printf 'resident memory: %s KB\n' "$(ps -o rss= -p $app | tr -d ' ')"
echo "screenshots in $out/: main.png sent.png history.png settings.png"
