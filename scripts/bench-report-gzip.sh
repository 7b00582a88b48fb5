#!/usr/bin/env bash
# `report` over Segment's S3 layout: EVENTS realistic events (bench-report.sh's generator) split in
# 10 JSON Lines parts in a directory, plain and gzip, release build: wall time and maximum resident
# memory of each from /usr/bin/time -v.
#
#   scripts/bench-report-gzip.sh [EVENTS]     (default 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
shm=$([ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")
work=$(mktemp -d --tmpdir="$shm")
trap 'rm -rf "$work"' EXIT
# Generates the events (and builds the release binary), printing the whole plain file's figure.
KEEP="$work/events.jsonl" scripts/bench-report.sh "$n"
mkdir "$work/plain" "$work/gzip"
split -n l/10 -d -a 3 --additional-suffix=.jsonl "$work/events.jsonl" "$work/plain/part-"
rm "$work/events.jsonl"
for part in "$work"/plain/*.jsonl; do gzip -6 -c "$part" > "$work/gzip/$(basename "$part").gz"; done
# One "now" for both runs: the timing section and the age lints depend on it.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for layout in plain gzip; do
  home=$(mktemp -d)
  stats=$(mktemp)
  load=$(cut -d' ' -f1 /proc/loadavg)
  status=0
  REDDIT_CAPI_CONSOLE_HOME=$home /usr/bin/time -v ./target/release/reddit-capi-console report --format json --now "$now" \
    "$work/$layout" > "$work/$layout.json" 2> "$stats" || status=$?
  rm -rf "$home"
  if [ "$status" -gt 1 ]; then cat "$stats" >&2; exit "$status"; fi
  wall=$(grep 'Elapsed (wall clock)' "$stats" | awk '{print $NF}')
  rss_kb=$(grep 'Maximum resident set size' "$stats" | awk '{print $NF}')
  rm -f "$stats"
  printf '%s events in 10 %s parts (%s MB on disk): wall %s, max RSS %s MB; load average before: %s\n' \
    "$n" "$layout" "$(($(du -sb "$work/$layout" | cut -f1) / 1000000))" "$wall" "$((rss_kb / 1024))" "$load"
done
if cmp -s "$work/plain.json" "$work/gzip.json"; then echo "same report"; else echo "reports differ" >&2; exit 1; fi
