#!/usr/bin/env bash
# Times `preview --batch --format json` over 100,000 JSON Lines events as a whole process
# (release build): the README's end-to-end figure.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
events=$(mktemp --suffix=.jsonl)
trap 'rm -f "$events"' EXIT
python3 - "$n" "$events" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
base = json.load(open("assets/samples/purchase.json"))
with open(path, "w") as f:
    for i in range(n):
        base["messageId"] = f"msg-{i:08d}"
        base["userId"] = f"user-{i % 5000}"
        base["context"]["traits"]["email"] = f" Shopper.{i}+promo@Example.com "
        f.write(json.dumps(base, separators=(",", ":")) + "\n")
PY
cargo build --release --quiet
home=$(mktemp -d)
start=$(date +%s.%N)
REDDIT_CAPI_CONSOLE_HOME=$home ./target/release/reddit-capi-console preview --batch --format json "$events" > /dev/null
end=$(date +%s.%N)
rm -rf "$home"
printf '%s events: %.2f s\n' "$n" "$(echo "$end - $start" | bc)"
