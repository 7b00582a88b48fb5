#!/usr/bin/env bash
# Request mode in the real app, used as a person uses it (modelled on scripts/gui-smoke.sh): the
# debug build in a 1280×720 window under Xvfb (wgpu on Mesa's software Vulkan). It switches the
# composer to "Reddit request", types a v3 body key by key (xdotool --delay 25) whose
# action_source Reddit would refuse, fixes that field key by key, sends to the local emulator
# (Ctrl+Enter) and quits (Ctrl+Q). The history must hold the request as typed, answered 200 by
# the emulator, and settings.json the mode and the text. Screenshots (import -window root) go to
# target/gui-request/ (open them and look).
#   scripts/gui-request.sh [debug|release]
# Needs: xvfb mesa-vulkan-drivers imagemagick xdotool (apt).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-debug}
name=gui-request display=:79 screen=1280x720 out=target/gui-request
source scripts/lib/app-under-xvfb.sh
start
xdotool windowmove "$win" 0 0 windowsize "$win" 1280 720
sleep 2

shot 01-first-run
# 1. Request mode, and a v3 body typed key by key; its action_source is one Reddit refuses.
click "Reddit request"
sleep 1
now=$(($(date +%s) * 1000))
body='{"data": {"test_id": "t2_gui_request", "events": [{"event_at": '$now', "type": {"tracking_type": "PURCHASE"}, "metadata": {"currency": "USD", "value": 19.99, "conversion_id": "gui-order-1"}, "user": {"email": "jane@example.com", "uuid": "6f1c5a0e-2b7d-4c1e-9a3f-0d2e4b6c8a10"}, "action_source": "web"}]}}'
click "Request text"
xdotool key ctrl+a
xdotool type --delay 25 "$body"
sleep 1.5
shot 02-refused
# 2. Fix the refused field key by key: back over `web"}]}}`, then the right value.
xdotool key --delay 25 BackSpace BackSpace BackSpace BackSpace BackSpace BackSpace BackSpace BackSpace
sleep 0.5
shot 03-invalid-on-the-way
xdotool type --delay 25 'WEBSITE"}]}}'
sleep 1.5
shot 04-accepted
# 3. Send to the local emulator.
xdotool key ctrl+Return
sleep 3
shot 05-sent
quit
python3 - "$home" "$body" <<'PY'
import json, pathlib, sys
home, typed = pathlib.Path(sys.argv[1]), sys.argv[2]
fixed = typed.replace('"action_source": "web"', '"action_source": "WEBSITE"')
state = json.loads((home / "settings.json").read_text())
assert state["mode"] == "request", state["mode"]
assert state["request_text"] == fixed, f"request text saved: {state['request_text']!r}"
history = [json.loads(l) for l in (home / "history.jsonl").read_text().splitlines() if l.strip()]
done = [h for h in history if h["state"] == "completed" and h["mapping"] == "Reddit request"]
assert len(done) == 1, f"one completed Request-mode send expected in history: {history}"
h = done[0]
assert h["endpoint"] == "emulator" and h["attempt"]["status"] == 200, h["attempt"]
assert h["api_version"] == "v3" and h["test"] is True, h
assert h["request"]["body"] == json.loads(fixed), h["request"]["body"]
assert h["request"]["url"].endswith("/api/v3/pixels/a2_local_test_pixel/conversion_events"), h["request"]["url"]
print("gui-request: the typed and fixed request went to the local emulator (200), is in the history as typed, and settings.json keeps the mode and text")
PY
check_shots
echo "gui-request: passed; screenshots in $out/"
