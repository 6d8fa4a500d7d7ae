#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (built by scripts/build.d/30-sanitize.sh into
# build/sanitize) two at a time, each for QUANTLAB_FUZZ_SECONDS (default 600; `npm test` runs
# them for 20). Fails on any crash, leak, sanitizer report, input slower than
# QUANTLAB_FUZZ_TIMEOUT seconds (default 10) or above QUANTLAB_FUZZ_RSS_MB of memory (default
# 2048): the input is then saved as build/fuzz/findings/<target>-*, and belongs in
# tests/fuzz/<target>/ as finding-<what> with the fix (tests/fuzz/README.md).
#   scripts/fuzz.sh [target...]   default: every target
#   scripts/fuzz.sh --seeds       rewrites the seed corpus (tests/fuzz/seeds/make_seeds.cpp)
set -uo pipefail
cd "$(dirname "$0")/.."
bin=build/sanitize/tests/fuzz
seconds=${QUANTLAB_FUZZ_SECONDS:-600}
timeout=${QUANTLAB_FUZZ_TIMEOUT:-10}
rss_mb=${QUANTLAB_FUZZ_RSS_MB:-2048}

if [ "${1:-}" = "--seeds" ]; then
  exec "$bin/make_fuzz_seeds" tests/fuzz
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/*.cpp; do  # one target per source, as tests/fuzz/CMakeLists.txt
    targets+=("$(basename "$source" .cpp)")
  done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in $bin (build with scripts/build.sh)" >&2; exit 1; }
mkdir -p build/fuzz/findings build/fuzz/logs

# One target: the seed corpus is replayed first, then new inputs go to build/fuzz/corpus/<target>
# (kept between runs, never committed). libFuzzer exits non-zero on any finding.
fuzz_one() {
  local target=$1
  mkdir -p "build/fuzz/corpus/$target"
  "$bin/fuzz_$target" "build/fuzz/corpus/$target" "tests/fuzz/$target" \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    -artifact_prefix="build/fuzz/findings/$target-" -print_final_stats=1 \
    >"build/fuzz/logs/$target.log" 2>&1
}
export -f fuzz_one
export bin seconds timeout rss_mb

echo "fuzzing ${targets[*]}: ${seconds} s each, two at a time (timeout ${timeout} s, ${rss_mb} MB)"
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'fuzz_one {} || touch build/fuzz/logs/{}.failed'

failed=()
for target in "${targets[@]}"; do
  log=build/fuzz/logs/$target.log
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ -e "build/fuzz/logs/$target.failed" ]; then
    rm "build/fuzz/logs/$target.failed"
    failed+=("$target")
    echo "---- $target: FINDING after ${runs:-?} executions ($log):"
    grep -m1 -E "ERROR: |runtime error|fuzz property broken|==[0-9]+==" "$log"
    grep -E "^(artifact_prefix|Test unit written|==[0-9]+== ?ERROR)" "$log" | tail -3
  else
    echo "$target: ${runs:-?} executions, no findings"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}"
  exit 1
fi
