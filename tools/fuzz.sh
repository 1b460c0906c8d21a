#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (clang, AddressSanitizer,
# UndefinedBehaviorSanitizer) and runs each for SECONDS, one after the other,
# starting from its seed corpus in fuzz/corpus/TARGET/.
#
#   tools/fuzz.sh [SECONDS [TARGET...]]     default: 60 s each, all targets
#
# Targets: extract jsonl rules gazetteer model. Prints one line per target
# (seconds, executions, result) and exits 1 if any target crashed, leaked,
# timed out or tripped a sanitizer; the input that did it is saved as
# $BUILD/artifacts/TARGET-*. New inputs found go to $BUILD/corpus/TARGET/
# (not into the repository). Environment: NERX_FUZZ_BUILD (default
# build-fuzz), NERX_FUZZ_JOBS (build jobs, default 2).
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(extract jsonl rules gazetteer model)
BUILD=${NERX_FUZZ_BUILD:-build-fuzz}

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }
# Debug: with the sanitizers that is -O1 -g (see CMakeLists.txt), quick to
# build and good enough to fuzz.
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DNERX_FUZZ=ON \
  -DNERX_BUILD_TESTS=OFF >/dev/null || exit 2
cmake --build "$BUILD" -j"${NERX_FUZZ_JOBS:-2}" --target "${TARGETS[@]/#/fuzz_}" >"$BUILD/fuzz-build.log" 2>&1 ||
  { tail -30 "$BUILD/fuzz-build.log"; exit 2; }

mkdir -p "$BUILD/artifacts"
status=0
printf '%-10s %8s %12s  %s\n' target seconds executions result
for t in "${TARGETS[@]}"; do
  corpus=$BUILD/corpus/$t
  mkdir -p "$corpus"
  args=(-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=16384
        -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-")
  [[ -f fuzz/$t.dict ]] && args+=(-dict="fuzz/$t.dict")
  log=$BUILD/fuzz_$t.log
  start=$(date +%s)
  "$BUILD/fuzz/fuzz_$t" "${args[@]}" "$corpus" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  took=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [[ $rc == 0 ]]; then
    result=ok
  else
    result="FAILED (exit $rc): $(grep -m1 -E 'ERROR|runtime error|invariant|Timeout|leak|out-of-memory' "$log" || echo "see $log")"
    status=1
  fi
  printf '%-10s %8s %12s  %s\n' "$t" "$took" "${execs:-?}" "$result"
done
exit $status
