#!/usr/bin/env bash
# Burst: 100,000 Segment events from 20 concurrent clients (100-event batches) to `listen`, a child
# process; prints events/s (answered, and printed through the mappings) and listen's peak RSS
# (README, "Live events"). Extra arguments go to the generator, e.g. `scripts/burst.sh --capture`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet --bench load -- burst "$@"
