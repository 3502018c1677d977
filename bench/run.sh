#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark suite, one command: installs what it needs from Debian, builds twinlane and the
# helper programs (Release, no sanitizers, in build-bench-release), starts nginx, twinlane,
# php-fpm and a bare libfcgi hello on 127.0.0.1 and unix sockets in a temporary directory,
# measures everything in one run, and writes bench/results/<timestamp>/report.md with PNG plots
# (bench/results/latest points at the newest). It prints figures; it never fails on them.
#
#   bench/run.sh                  # full run, about 45 minutes on 2 cores (the sweep contracts 4 M nodes)
#   BENCH_QUICK=1 bench/run.sh    # quick run, under 10 minutes
#
# See bench/README.md for the environment variables (durations, repetitions, sections).
set -euo pipefail
cd "$(dirname "$0")/.."

bench/install-bench-deps.sh
cmake -S . -B build-bench-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DTWINLANE_TESTS=OFF -DTWINLANE_BENCH=ON \
  -DTWINLANE_SANITIZE=OFF -UCMAKE_CXX_FLAGS >/dev/null
cmake --build build-bench-release

results=$(/usr/bin/python3 bench/bench.py)
/usr/bin/python3 bench/report.py "$results"
echo "bench: report in $results/report.md" >&2
