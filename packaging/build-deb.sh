#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian package: packaging/build-deb.sh [OUTPUT_DIR]   (default: build-deb/)
#
# Installs missing build packages (scripts/install-deps.sh), copies the checkout's files
# (tracked and new ones, not ignored ones: no build directories) into a temporary tree, puts
# packaging/debian at its top as debian/, and runs dpkg-buildpackage (binary only, unsigned)
# there. The source tree is never written to; OUTPUT_DIR receives twinlane_<version>_<arch>.deb,
# the dbgsym package, .buildinfo and .changes. Prints the path of the .deb last.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build-deb}

"$root/scripts/install-deps.sh"

# One version: the changelog's must be the one CMake builds into the binary.
version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)
cmake_version=$(sed -n 's/^project(twinlane VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
if [[ "$version" != "$cmake_version" ]]; then
  echo "build-deb: packaging/debian/changelog says $version but CMakeLists.txt says $cmake_version" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/twinlane-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src="$work/twinlane-$version"
mkdir "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Files of the working tree as they are now (committed or not), minus deleted ones.
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do [[ -e "$file" ]] && printf '%s\0' "$file"; done |
    tar --null --no-recursion -T - -cf -) | tar -xf - -C "$src"
else
  (cd "$root" && tar --exclude='./build*' --exclude='./run' --exclude='./debian' -cf - .) | tar -xf - -C "$src"
fi
cp -a "$src/packaging/debian" "$src/debian"

DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}"
export DEB_BUILD_OPTIONS
(cd "$src" && nice -n 5 dpkg-buildpackage --build=binary --no-sign)

mkdir -p "$out"
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
deb="$(cd "$out" && pwd)/twinlane_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb"
[[ -f "$deb" ]] || { echo "build-deb: $deb was not built" >&2; exit 1; }
echo "$deb"
