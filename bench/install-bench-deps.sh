#!/usr/bin/env bash
# Installs, with apt, whichever Debian 12 packages the benchmark suite needs beyond twinlane's own
# (scripts/install-deps.sh): load generator, the php-fpm baseline, Boost.Graph and Google
# Benchmark for the route benchmark, gnuplot for the plots. Does nothing when all are present.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

packages=(
  wrk
  php8.2-fpm php8.2-cli
  gnuplot-nox
  libboost-graph-dev

  libfcgi-dev
  nginx curl xz-utils procps python3
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "bench: installing missing packages: ${missing[*]}" >&2
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
"${sudo[@]}" apt-get update -q
# policy-rc.d keeps the packages' services (php8.2-fpm, nginx) from starting system-wide: the
# benchmark runs its own instances in a temporary directory.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
  trap '"${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
