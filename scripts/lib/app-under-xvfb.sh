# The real app under Xvfb, driven as a person drives it: sourced by scripts/gui-smoke.sh and
# scripts/gui-request.sh. The caller sets `name` (its name in messages), `profile` (debug or
# release), `display`, `screen` (Xvfb's WxH) and `out` (screenshots and app.log); this builds the
# binary, starts Xvfb and makes a scratch `tmp` with a data directory path `home` that does not
# exist yet, and defines:
#   start          starts the app on `home` and waits for its window (`win`), keyboard focus on it
#   quit           Ctrl+Q, as a person closes it (eframe and the app save), and waits for the exit
#   shot NAME      a screenshot of the window to $out/NAME.png
#   at NAME        a named control's centre on the screen, from the app's geometry file
#   click NAME     clicks it
#   fresh          forgets the geometry (the next `at` waits for a frame drawn after this)
#   wait_for NAME  waits (up to 90 s) until the control NAME shows
#   size           the window's size, WxH
#   check_shots    fails if a screenshot looks blank
# Needs: xvfb mesa-vulkan-drivers imagemagick xdotool (apt).

for tool in Xvfb xdotool import python3; do
  command -v "$tool" >/dev/null || { echo "$name: $tool is missing (apt-get install xvfb mesa-vulkan-drivers imagemagick xdotool)" >&2; exit 1; }
done
cargo build --quiet $([ "$profile" = release ] && echo --release)
bin=target/$profile/reddit-capi-console
rm -rf "$out"; mkdir -p "$out"
tmp=$(mktemp -d)
# A new machine: the data directory does not exist yet.
home=$tmp/home
geometry=$tmp/geometry.json
Xvfb "$display" -screen 0 "${screen}x24" -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
app=
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$tmp"' EXIT
sleep 1
export DISPLAY=$display

# No D-Bus session: no file-dialog portal either, so the app asks for typed paths.
start() {
  env -u DBUS_SESSION_BUS_ADDRESS REDDIT_CAPI_CONSOLE_TIMING=1 REDDIT_CAPI_CONSOLE_GEOMETRY=$geometry REDDIT_CAPI_CONSOLE_HOME=$home \
    REDDIT_CAPI_CONSOLE_KEYCHAIN=off WGPU_BACKEND=vulkan "$bin" >>"$out/app.log" 2>&1 &
  app=$!
  started=$SECONDS
  win=
  for _ in $(seq 1 300); do
    win=$(xdotool search --onlyvisible --name "Reddit CAPI Console" 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break
    sleep 0.1
  done
  [ -n "$win" ] || { echo "$name: no window; see $out/app.log"; cat "$out/app.log"; exit 1; }
  sleep 2
  # No window manager under Xvfb: give the window the keyboard focus.
  xdotool windowfocus --sync "$win"
  sleep 1
}
quit() {
  xdotool windowfocus --sync "$win"
  xdotool key ctrl+q
  for _ in $(seq 1 300); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$app" 2>/dev/null; then echo "$name: the app did not quit on Ctrl+Q"; exit 1; fi
  wait "$app" || { echo "$name: the app exited with $?; see $out/app.log"; exit 1; }
  app=
}
size() { xdotool getwindowgeometry "$win" | awk '/Geometry:/ {print $2}'; }
shot() { import -window "$win" "$out/$1.png"; echo "screenshot $out/$1.png"; }
has() { python3 -c 'import json,sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1])) else 1)' "$geometry" "$1" 2>/dev/null; }
at() {
  for _ in $(seq 1 50); do has "$1" && break; sleep 0.2; done
  eval "$(xdotool getwindowgeometry --shell "$win")"
  python3 - "$geometry" "$1" "$X" "$Y" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
x0, y0, x1, y1 = g[sys.argv[2]]
print(int(float(sys.argv[3]) + (x0 + x1) / 2), int(float(sys.argv[4]) + (y0 + y1) / 2))
PY
}
click() {
  local xy
  xy=$(at "$1") || { echo "$name: no control named $1 in $geometry" >&2; exit 1; }
  read -r x y <<<"$xy"
  xdotool mousemove "$x" "$y" click 1
  sleep 0.6
}
fresh() { rm -f "$geometry"; sleep 1.3; }
wait_for() {
  for _ in $(seq 1 90); do has "$1" && return 0; sleep 1; done
  echo "$name: $1 never showed"; exit 1
}
check_shots() {
  local f colors
  for f in "$out"/*.png; do
    colors=$(convert "$f" -format %k info:)
    [ "$colors" -gt 50 ] || { echo "$name: $f looks blank ($colors colours)"; exit 1; }
  done
}
