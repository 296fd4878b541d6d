#!/usr/bin/env bash
# Runs every fuzz target for N seconds (default 60) after one build, from seed corpora built out of
# ../shared/data (fuzz/seed.py). Prints each target's executions and coverage from libFuzzer's final
# stats; exits non-zero if any target crashed, hung past the per-input timeout or ran out of memory.
#   bash fuzz/run.sh [N] [TARGET...]
# Built as `cargo fuzz build` does by default: optimised, with debug assertions and overflow checks.
# Env: FUZZ_TIMEOUT (s per input, 10), FUZZ_RSS_MB (2048), FUZZ_SANITIZER (address|none, address),
# FUZZ_PROFILE (release|dev, release: dev builds faster and runs slower, for short smoke runs).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
# cargo-fuzz needs nightly flags (-Z sanitizer, -C passes=sancov); the stable toolchain accepts them so.
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
timeout_s=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
sanitizer=${FUZZ_SANITIZER:-address}
profile=${FUZZ_PROFILE:-release}
case "$profile" in
  release) build_flags=(); out=release ;;
  dev) build_flags=(--dev); out=debug ;;
  *) echo "FUZZ_PROFILE must be release or dev" >&2; exit 2 ;;
esac

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

started=$(date +%s)
echo "== building the fuzz targets (sanitizer: $sanitizer, profile: $profile)"
cargo fuzz build "${build_flags[@]}" --sanitizer "$sanitizer"
built=$(date +%s)
echo "   built in $((built - started)) s"

if [ ! -d corpus ] || [ -z "$(ls -A corpus 2>/dev/null)" ]; then
  echo "== seeding fuzz/corpus from ../shared/data"
  python3 seed.py
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
bin_dir=target/$(rustc -vV | sed -n 's/^host: //p')/$out
mkdir -p logs artifacts
failed=()
printf '\n%-22s %12s %8s %8s %8s %s\n' target executions cov ft corpus result > logs/summary.txt
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log=logs/$t.log
  echo "== $t (${seconds} s)"
  set +e
  "$bin_dir/$t" "corpus/$t" \
    -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # The last status line (`#N DONE cov: X ft: Y corp: A/B ...`, or the last pulse before a crash).
  status=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$status")
  result=ok
  if [ "$rc" -ne 0 ]; then
    result="FAILED (exit $rc, see fuzz/$log and fuzz/artifacts/$t/)"
    failed+=("$t")
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -5 || true
  fi
  printf '%-22s %12s %8s %8s %8s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result" \
    | tee -a logs/summary.txt
done
cat logs/summary.txt
echo "total $(($(date +%s) - started)) s (build $((built - started)) s)"
# The plain closing line CI reads: one target is one check.
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
