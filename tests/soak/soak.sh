#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The soak: nginx and twinlane on a real road graph for MINUTES (default 10) under a mixed load
# from 24 clients and a loop of faults (HUP, HUP with a changed graph, HUP with a broken config,
# SIGKILL of a worker, SIGSTOP of a busy slow worker past its deadline, TTIN/TTOU), then a table
# of latencies per minute, answers, faults and the master's resources, and the assertions
# (tests/soak/soak_test.cpp). The test command runs 2 minutes of it.
#   tests/soak/soak.sh [MINUTES]
# Environment: TWINLANE_SOAK_BIN (default build-test/tests/soak/soak_test, built when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
minutes=${1:-10}
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 1 ]] || { echo "usage: soak.sh [MINUTES]" >&2; exit 2; }
binary=${TWINLANE_SOAK_BIN:-$root/build-test/tests/soak/soak_test}
if [[ ! -x $binary ]]; then
  echo "soak.sh: building $binary" >&2
  cmake --build "$(dirname "$(dirname "$(dirname "$binary")")")" --target soak_test
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
TWINLANE_SOAK_MINUTES=$minutes exec "$binary" --gtest_brief=0
