#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The test command: installs what is missing, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs every test (unit tests in parallel, then the integration
# tests against Debian's nginx and the real master, one at a time).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build=${TWINLANE_TEST_BUILD_DIR:-build-test}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTWINLANE_SANITIZE=ON -DTWINLANE_TESTS=ON \
  -DTWINLANE_WERROR=ON
cmake --build "$build"
# The Debian package: built, installed, served, restarted under load, purged (needs root).
if [[ $(id -u) -eq 0 ]]; then
  tests/packaging/test-package.sh
elif sudo -n true 2>/dev/null; then
  sudo tests/packaging/test-package.sh
else
  echo "test.sh: SKIP packaging test (tests/packaging/test-package.sh): needs root or passwordless sudo" >&2
fi
# ctest runs last, so its summary closes the output. detect_leaks stays on; abort_on_error
# makes a sanitizer report fail the test that caused it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j2 "$@"
