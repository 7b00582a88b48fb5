#!/usr/bin/env bash
# Soak: `replay` of 100,000 events through seeded random faults (10 % 500, 2 % 429 with
# Retry-After: 1, 2 % dropped connections) injected by `reddit-capi-console emulate`, then checks
# that every event was accepted exactly once and that `history --format json` accounts for every
# request, attempt and fault (docs/reliability.md, "Load and faults"). Extra arguments go to the
# generator, e.g. `scripts/soak.sh --events 10000 --seed 3 --dir /tmp/soak`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet --bench load -- soak "$@"
