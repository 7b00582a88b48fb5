#!/usr/bin/env bash
# Runs every cargo-fuzz target for a while (default 30 s each) from the committed seeds:
#
#   scripts/fuzz.sh [seconds]
#
# Installs cargo-fuzz when it is missing. Uses the nightly toolchain when `cargo +nightly` works,
# else the default toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz's builds may need `-Z` flags);
# FUZZ_TOOLCHAIN=stable forces the second path. Builds without AddressSanitizer (safe Rust needs
# none; libFuzzer's coverage works without it) in the fuzz crate's dev profile (opt-level 1, overflow
# checks and debug assertions on), so that a cold build is quick; FUZZ_BUILD_FLAGS overrides that.
#
# Each target runs on a scratch corpus, fuzz/corpus/<target> (git-ignored; kept between local runs),
# that the seeds in fuzz/seeds/<target> are copied into first, so the seeds stay as committed.
# Crashes are saved under fuzz/artifacts/<target>/ and libFuzzer's output in fuzz/logs/<target>.log.
# Exits non-zero when any target fails.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [seconds per target]" >&2
  exit 2
fi
targets=(event_parser trigger_parser directive_eval emulator_request)
read -r -a build_flags <<<"${FUZZ_BUILD_FLAGS:---dev --sanitizer none}"
script_start=$(date +%s)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  install_start=$(date +%s)
  cargo install cargo-fuzz --locked
  echo "cargo-fuzz installed in $(($(date +%s) - install_start)) s"
fi

if [ "${FUZZ_TOOLCHAIN:-}" != stable ] && cargo +nightly --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz)
  echo "== toolchain: $(cargo +nightly --version)"
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
  echo "== toolchain: $(cargo --version), RUSTC_BOOTSTRAP=1"
fi

echo "== cargo fuzz build ${build_flags[*]}"
build_start=$(date +%s)
"${fuzz[@]}" build "${build_flags[@]}"
build_seconds=$(($(date +%s) - build_start))
echo "built in ${build_seconds} s"

logs=fuzz/logs
mkdir -p "$logs"
failed=()
summary=()
for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  cp fuzz/seeds/"$target"/* "$corpus"/
  echo "== $target (${seconds} s)"
  start=$(date +%s)
  status=0
  "${fuzz[@]}" run "${build_flags[@]}" "$target" "$corpus" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$logs/$target.log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target.log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$target.log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$logs/$target.log" | tail -n 1 | cut -d' ' -f2)
  line=$(printf '%-17s %10s execs %6s execs/s %4s s  cov %s' "$target" "${execs:-?}" "${rate:-?}" "$elapsed" "${cov:-?}")
  if [ "$status" -ne 0 ]; then
    line="$line  FAILED (exit $status)"
    failed+=("$target")
    # The panic or sanitizer report, and the saved input's path.
    grep -v '^#[0-9]' "$logs/$target.log" | tail -n 40 >&2
  fi
  echo "$line"
  summary+=("$line")
done

echo "== fuzz summary (build ${build_seconds} s, total $(($(date +%s) - script_start)) s)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz targets failed: ${failed[*]} (inputs under fuzz/artifacts/; reproduce with" \
    "cargo fuzz run ${build_flags[*]} <target> <input>)" >&2
  exit 1
fi
