#!/usr/bin/env bash
# Times `preview --batch --format json` over N JSON Lines Purchase events (default 100,000) as a
# whole process (release build), with `--jobs 1` (one thread) and the default (a worker per
# core), RUNS times each (default 3): wall time, events/s and max RSS of every run. Events go in
# files of at most 200,000 (an input holds at most 256 MiB), in memory (/dev/shm) where there is
# one: this VM's disk drops its cache within seconds and then reads at 20-800 MB/s, which would
# time the disk. Honours CARGO_TARGET_DIR.
# Usage: scripts/bench-preview.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-3}
bin=${CARGO_TARGET_DIR:-target}/release/reddit-capi-console
dir=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$n" "$dir" <<'PY'
import json, sys
n, dir = int(sys.argv[1]), sys.argv[2]
base = json.load(open("assets/samples/purchase.json"))
per_file = 200_000
for start in range(0, n, per_file):
    with open(f"{dir}/events-{start // per_file:03d}.jsonl", "w") as f:
        for i in range(start, min(n, start + per_file)):
            base["messageId"] = f"msg-{i:08d}"
            base["userId"] = f"user-{i % 5000}"
            base["context"]["traits"]["email"] = f" Shopper.{i}+promo@Example.com "
            f.write(json.dumps(base, separators=(",", ":")) + "\n")
PY
cargo build --release --quiet
for jobs in 1 default; do
    args=()
    if [ "$jobs" = 1 ]; then args=(--jobs 1); fi
    for run in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$dir/time" env REDDIT_CAPI_CONSOLE_HOME="$dir/home" \
            "$bin" preview --batch --format json "${args[@]}" "$dir"/events-*.jsonl > /dev/null
        read -r seconds kib < "$dir/time"
        printf '%s events, --jobs %s, run %s: %.2f s, %.0f events/s, max RSS %d MiB\n' \
            "$n" "$jobs" "$run" "$seconds" "$(echo "$n / $seconds" | bc -l)" "$((kib / 1024))"
    done
done
