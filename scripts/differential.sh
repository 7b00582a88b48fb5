#!/usr/bin/env bash
# The differential harness, long version: the segment profile against Segment's published
# Reddit Conversions API destination (tests/differential/package.json pins the release) on
# generated events (generate.js: realistic, hostile, and each class of issue 24 — long decimals,
# lone surrogates, numbers past the double range, deep nesting, AJV's coercion, events the release
# throws on) through every configuration, single events and batches of each size. Prints the
# agreement per configuration and per class. Exits non-zero on any divergence and leaves every
# divergence in OUT/divergences.jsonl.
#
#   scripts/differential.sh [EVENTS (default 5000)] [SEED (default 20261201)] [BATCH SIZES (default 1,7,1000)]
#
# Needs node and npm (Debian: apt-get install nodejs npm); installs the pinned packages with
# `npm ci` on first use. Nothing leaves the machine: the release's fetch is stubbed.
set -euo pipefail
cd "$(dirname "$0")/.."

events=${1:-5000}
seed=${2:-20261201}
batches=${3:-1,7,1000}
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
node tests/differential/run.js --bin "$bin" --events "$events" --seed "$seed" --batch-sizes "$batches" --out "$out"
