#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the fuzz targets (tests/fuzz/fuzz_*.cpp) for SECONDS each (default 300), one after the
# other, starting from the seed corpus in the tree, and prints per target its executions,
# coverage (edges), corpus size and findings. New corpus entries and findings go to a work
# directory outside the tree, which later runs start from too:
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
# Environment: TWINLANE_FUZZ_BUILD (default build-fuzz; configured and built when missing),
#   TWINLANE_FUZZ_WORK (default ${XDG_CACHE_HOME:-~/.cache}/twinlane-fuzz),
#   TWINLANE_FUZZ_JOBS (default 1: targets run one after the other; 2 runs two at once).
# Exits 1 when any target found something: its input is in WORK/findings/, and the line of the
# target names it. Reproduce one with: BUILD/tests/fuzz/TARGET WORK/findings/TARGET-crash-...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=300
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
# A target is a file fuzz_NAME.cpp here (as tests/fuzz/CMakeLists.txt finds them).
all_targets=()
for source in "$here"/fuzz_*.cpp; do all_targets+=("$(basename "$source" .cpp)"); done
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $target "* ]] || { echo "run.sh: no fuzz target '$target' (${all_targets[*]})" >&2; exit 2; }
done

build=${TWINLANE_FUZZ_BUILD:-$root/build-fuzz}
work=${TWINLANE_FUZZ_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/twinlane-fuzz}
jobs=${TWINLANE_FUZZ_JOBS:-1}
if [[ ! -x $build/tests/fuzz/${targets[0]} || -n ${TWINLANE_FUZZ_REBUILD:-} ]]; then
  clang=$(command -v clang++-14 || command -v clang++ || true)
  [[ -n $clang ]] || { echo "run.sh: clang++ is missing: scripts/install-deps.sh installs it" >&2; exit 2; }
  echo "run.sh: building the fuzz targets in $build (clang, libFuzzer, ASan, UBSan)" >&2
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$clang" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTWINLANE_FUZZ=ON >/dev/null
  cmake --build "$build" --target fuzz_targets >/dev/null
fi
mkdir -p "$work/findings"

# One target: libFuzzer writes new inputs to the first corpus directory (the work one) and
# reads the seeds from the second. -timeout: an input that takes longer is a hang (a finding;
# generous, as the inputs take milliseconds, so that a busy machine does not make one);
# -rss_limit_mb: one that makes the process this big is an out-of-memory finding.
run_target() {
  local target=$1 log=$work/$1.log
  local options=(-max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1
                 -artifact_prefix="$work/findings/$target-")
  [[ -f $here/dict/$target.dict ]] && options+=(-dict="$here/dict/$target.dict")
  mkdir -p "$work/corpus/$target"
  local status=0
  # detect_leaks: a leak found at exit is a finding too; the parsers run in-process for hours.
  ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/$target" "${options[@]}" "$work/corpus/$target" "$here/corpus/$target" >"$log" 2>&1 || status=$?
  summarize "$target" "$log" "$status"
  # A finding: what the sanitizer or the target said, and the input libFuzzer kept.
  [[ $status -eq 0 ]] || grep -E -A12 '^(==[0-9]+==ERROR|FINDING:|.*runtime error:)' "$log" | head -40 >&2
  [[ $status -eq 0 ]] || grep -E 'Test unit written to' "$log" >&2 || true
  return "$status"
}

# One line per target from libFuzzer's final statistics and its last status line.
summarize() {
  local target=$1 log=$2 status=$3
  local execs edges corpus rss findings
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  edges=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  corpus=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  findings=$(grep -cE '^(==[0-9]+==ERROR|FINDING:|SUMMARY: (Address|Undefined|Leak)Sanitizer|.*runtime error:|==[0-9]+== ERROR: libFuzzer)' "$log" || true)
  printf "%-18s %6ss %12s execs %7s edges %6s corpus %6s MB peak RSS  %s\n" "$target" "$seconds" "${execs:-?}" "${edges:-?}" \
    "${corpus:-?}" "${rss:-?}" "$([[ $status -eq 0 ]] && echo "no findings" || echo "FINDING (exit $status): $log")"
}

echo "run.sh: ${#targets[@]} targets, ${seconds}s each, $jobs at a time; work directory $work" >&2
failed=0
if [[ $jobs -le 1 ]]; then
  for target in "${targets[@]}"; do run_target "$target" || failed=1; done
else
  running=0
  for target in "${targets[@]}"; do
    run_target "$target" &
    running=$((running + 1))
    if [[ $running -ge $jobs ]]; then
      wait -n || failed=1
      running=$((running - 1))
    fi
  done
  while [[ $running -gt 0 ]]; do
    wait -n || failed=1
    running=$((running - 1))
  done
fi
exit "$failed"
