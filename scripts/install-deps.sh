#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs, with apt, whichever of twinlane's build, run and test packages (Debian 12) are missing
# (chromium: the map page's headless browser test, which skips without it; clang and libFuzzer:
# the fuzz targets, tests/fuzz/),
# and any further packages named as arguments (bench/install-bench-deps.sh names its own).
# Does nothing when all are present, so it is cheap to call before every build.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libfcgi-dev libpoco-dev libyaml-cpp-dev zlib1g-dev libsystemd-dev
  libgtest-dev libgmock-dev libboost-dev
  libosmium2-dev libxxhash-dev
  nginx xz-utils curl
  chromium fonts-dejavu-core
  debhelper lintian systemd
  libfcgi-bin iproute2 util-linux
  clang libclang-rt-14-dev libfuzzer-14-dev
  "$@"
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "twinlane: installing missing packages: ${missing[*]}" >&2
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
"${sudo[@]}" apt-get update -q
# policy-rc.d keeps the packages' services (nginx on port 80, php-fpm) from starting system-wide:
# twinlane's scripts run their own instances with their own prefix.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
  trap '"${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
