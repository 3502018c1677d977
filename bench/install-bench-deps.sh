#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs, with apt, whichever Debian 12 packages the benchmark suite needs beyond twinlane's own:
# the load generator, the php-fpm baseline, Boost.Graph for the route baseline, gnuplot for the
# plots. Does nothing when all are present.
set -euo pipefail
cd "$(dirname "$0")/.."

exec scripts/install-deps.sh wrk php8.2-fpm php8.2-cli gnuplot-nox libboost-graph-dev procps python3
