#!/usr/bin/env bash
# Load: 200 concurrent keep-alive clients POST 1,000-event v2.0 batches to `reddit-capi-console
# emulate` (a child process) for 30 s; prints requests/s, events/s, latency, errors and the
# emulator's RSS (docs/reliability.md, "Load and faults"). Extra arguments go to the generator,
# e.g. `scripts/load.sh --clients 20 --batch 200 --seconds 5`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet --bench load -- clients "$@"
