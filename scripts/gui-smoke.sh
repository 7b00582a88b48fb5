#!/usr/bin/env bash
# The real app, used as a person uses it: the release build in a window under Xvfb (wgpu on
# Mesa's software Vulkan). xdotool types key by key (--delay 25) into the composer and a mapping
# source, resizes the window to 1280×720, toggles the v2/v3 comparison and sends twice to the local
# emulator, types a Pixel ID, runs past eframe's 30 s save interval and quits (Ctrl+Q). It starts
# from a data directory that does not exist (a new machine's first run). The files the app wrote
# (history, workspace, settings, eframe's window state) must hold what was typed; then the app is
# started again, must come back at the window size it was left, and its Ctrl+S must write the
# same work back. Screenshots go to target/gui-smoke/ (open them and look).
#   scripts/gui-smoke.sh [release|debug]
# Needs: xvfb mesa-vulkan-drivers imagemagick xdotool (apt).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
name=gui-smoke display=:78 screen=1600x1000 out=target/gui-smoke
source scripts/lib/app-under-xvfb.sh
start
xdotool windowmove "$win" 0 0 windowsize "$win" 1400 900
sleep 1


shot 01-first-run
# 1. The composer: select all, type a new event key by key (through invalid JSON all the way).
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
event='{"type": "track", "event": "Order Completed", "timestamp": "'$now'", "userId": "smoke-user-7", "messageId": "smoke-msg-1", "properties": {"revenue": 42.5, "currency": "EUR", "order_id": "smoke-order-9"}, "context": {"traits": {"email": "Smoke.Tester@Example.com"}}}'
click "Event JSON"
xdotool key ctrl+a
xdotool type --delay 25 "$event"
sleep 1.5
shot 02-typed-event
# 2. A mapping source: Purchase → Edit → conversion_id, typed key by key.
click "mapping:Purchase"
click "Edit"
fresh
click "conversion_id source JSON"
xdotool key ctrl+a
xdotool type --delay 25 '{"@path":"$.properties.order_id"}'
sleep 1.5
shot 03-typed-source
click "Close editor"
# 3. At 1280×720 from here on: the v2/v3 comparison, on and off again.
xdotool windowsize "$win" 1280 720
sleep 2
shot 04-1280x720
fresh
click "Compare v2.0 ↔ v3"
sleep 1
shot 05-compare
click "Request"
# 4. Send to the local emulator (Ctrl+Enter); change the userId (a quick field, key by key) and
#    send again with the same messageId: the response says Reddit would drop it as a duplicate,
#    and the history compares the two sends field by field.
click "Event JSON"
xdotool key ctrl+Return
sleep 3
shot 06-sent
fresh
click "userId"
xdotool key ctrl+a
xdotool type --delay 25 "smoke-user-8"
sleep 1
click "Event JSON"
xdotool key ctrl+Return
sleep 3
shot 07-duplicate
click "tab:History"
fresh
click "history:newest"
sleep 1
shot 08-history
fresh
click "Settings"
sleep 1
click "Pixel ID"
xdotool key ctrl+a
xdotool type --delay 25 "t2_smoke_pixel"
sleep 1
shot 09-settings
# 6. The corpus report on 20,000 generated events, exported as Markdown to a typed path.
events=$tmp/events.jsonl
awk '/^python3 - /{f=1;next} /^PY$/{f=0} f' scripts/bench-report.sh | python3 - 20000 "$events"
click "Corpus"
fresh
click "corpus:path"
xdotool type --delay 5 "$events"
click "corpus:read"
wait_for "corpus:export-md"
sleep 1
shot 10-corpus
fresh
click "corpus:export-md"
fresh
click "path-prompt"
xdotool key ctrl+a
xdotool type --delay 5 "$tmp/report.md"
xdotool key Return
sleep 1.5
xdotool key ctrl+s
sleep 1.5
# Past eframe's save interval (30 s): the data directory must still be a directory.
while (( SECONDS - started < 40 )); do sleep 1; done
[ -d "$home" ] || { echo "gui-smoke: the data directory $home is no longer a directory"; ls -la "$tmp"; exit 1; }
[ -f "$home/eframe.ron" ] || { echo "gui-smoke: eframe's state file was not written"; ls -la "$home"; exit 1; }
quit
check() {
python3 - "$home" "$event" "$tmp" <<'PY'
import hashlib, json, os, stat, sys, pathlib
home, typed, tmp = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
assert home.is_dir() and stat.S_IMODE(home.stat().st_mode) == 0o700, "the data directory is 0700"
for f in ["workspace.json", "settings.json", "history.jsonl", "eframe.ron"]:
    mode = stat.S_IMODE((home / f).stat().st_mode)
    assert mode == 0o600, f"{f}: mode {mode:o}"
window = (home / "eframe.ron").read_text()
assert "1280" in window, f"eframe kept the window size: {window[:400]}"
state = json.loads((home / "settings.json").read_text())
# The userId quick field changed only that value in the typed JSON.
typed = typed.replace('"smoke-user-7"', '"smoke-user-8"')
assert state["composer_text"] == typed, f"composer text saved: {state['composer_text']!r}"
ws = json.loads((home / "workspace.json").read_text())
purchase = next(m for m in ws["mappings"] if m["name"] == "Purchase")
assert purchase.get("mapping", {}).get("conversion_id") == {"@path": "$.properties.order_id"}, purchase
assert ws["settings"]["pixel_id"] == "t2_smoke_pixel", ws["settings"]
history = [json.loads(l) for l in (home / "history.jsonl").read_text().splitlines() if l.strip()]
done = [h for h in history if h["state"] == "completed" and h["mapping"] == "Purchase"]
assert len(done) == 2, f"two completed Purchase sends expected in history: {history}"
h = done[-1]
assert h["endpoint"] == "emulator" and h["attempt"]["status"] == 200, h["attempt"]
ev = h["request"]["body"]["events"][0]
sha = lambda s: hashlib.sha256(s.encode()).hexdigest()
# The typed mapping source took: the conversion id is the typed order id (hashed, as Segment does).
assert ev["event_metadata"]["conversion_id"] == sha("smoke-order-9"), ev
assert ev["user"]["external_id"] == sha("smoke-user-8"), ev
assert done[0]["request"]["body"]["events"][0]["user"]["external_id"] == sha("smoke-user-7"), done[0]
assert ev["user"]["email"] == sha("smoketester@example.com"), ev  # trimmed, dot-less, lowercased (Segment)
report = (tmp / "report.md").read_text()
assert report.startswith("# Corpus report") and "20000 events" in report, report[:300]
print("gui-smoke: typed event, typed mapping source, Pixel ID, the emulator's 200, the window size and the corpus report are in the files the app wrote")
PY
}
check
# 7. Started again on the same directory: the window comes back at 1280×720 and the work is
#    there; its Ctrl+S writes it back unchanged (a lost field would be saved as a default).
start
shot 11-restarted
[ "$(size)" = "1280x720" ] || { echo "gui-smoke: the window came back at $(size), not 1280x720"; exit 1; }
xdotool key ctrl+s
sleep 1.5
quit
check
check_shots
grep -m1 "first frame" "$out/app.log" || true
echo "gui-smoke: passed; screenshots in $out/"
