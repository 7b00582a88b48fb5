#!/usr/bin/env bash
# The differential harness, long version: the segment profile against Segment's published
# Reddit Conversions API destination (tests/differential/package.json pins the release) on
# generated events through every configuration, single and batch mode. Exits non-zero on any
# divergence and leaves every divergence in OUT/divergences.jsonl.
#
#   scripts/differential.sh [EVENTS (default 5000)] [SEED (default 20261201)] [BATCH SIZE (default 10)]
#
# Needs node and npm (Debian: apt-get install nodejs npm); installs the pinned packages with
# `npm ci` on first use. Nothing leaves the machine: the release's fetch is stubbed.
set -euo pipefail
cd "$(dirname "$0")/.."

events=${1:-5000}
seed=${2:-20261201}
batch=${3:-10}
out=${DIFFERENTIAL_OUT:-target/differential}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "node and npm are needed (the harness runs Segment's own package)" >&2
    exit 2
  fi
fi

if [ ! -d tests/differential/node_modules/@segment/action-destinations ]; then
  (cd tests/differential && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

cargo build --quiet --locked --bin reddit-capi-console
bin=target/debug/reddit-capi-console
mkdir -p "$out"
node tests/differential/run.js --bin "$bin" --events "$events" --seed "$seed" --batch-size "$batch" --out "$out"
