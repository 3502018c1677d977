#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: builds twinlane (Release), then runs the master (both lanes, on the generated
# default graph unless TWINLANE_GRAPH names a snapshot or a DIMACS .gr) behind Debian's nginx on
# 127.0.0.1:${PORT:-8080}, with the map page (web/) at /, prints URLs to try, and stops both on
# Ctrl-C (or after TWINLANE_RUN_SECONDS, when set).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DTWINLANE_TESTS=OFF >/dev/null
cmake --build build-release

port=${PORT:-8080}
run=$(mktemp -d /tmp/twinlane-run.XXXXXX)
chmod 755 "$run"  # nginx's workers (user nobody when started as root) reach the sockets here
mkdir -p "$run/nginx"

# nginx serves the map page from web/ itself. Started as root, its workers run as nobody, who
# may not reach into this checkout (a home directory of mode 0700): then they get a copy.
web="$root/web"
if [[ $(id -u) -eq 0 ]] && ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$web/map.js" 2>/dev/null; then
  cp -r "$web" "$run/web"
  chmod -R a+rX "$run/web"
  web="$run/web"
fi

data=""
if [[ -n "${TWINLANE_GRAPH:-}" ]]; then
  data="data: { graph: $(realpath "$TWINLANE_GRAPH")${TWINLANE_COORDINATES:+, coordinates: $(realpath "$TWINLANE_COORDINATES")} }"
fi
cat > "$run/twinlane.yaml" <<YAML
$data
lanes:
  fast: { listen: $run/fast.sock, socket: { mode: "0666" }, processes: 1, threads: 8 }
  slow: { listen: $run/slow.sock, socket: { mode: "0666" }, processes: auto }
web: { root: $web }
YAML
build-release/app/twinlane --check-config "$run/twinlane.yaml"
build-release/app/twinlane nginx-config --config "$run/twinlane.yaml" --listen "127.0.0.1:$port" > "$run/site.conf"
sed -e "s|@RUN@|$run|g" nginx/nginx-local.conf.in > "$run/nginx/nginx.conf"
/usr/sbin/nginx -t -q -p "$run/nginx" -c "$run/nginx/nginx.conf" -e "$run/nginx/error.log"

pids=()
stop() {
  trap - INT TERM EXIT
  echo "twinlane: stopping (logs in $run)" >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop INT TERM EXIT

# As the package's CacheDirectory=: the default graph's contracted snapshot, kept for the next run.
mkdir -p build-release/cache
CACHE_DIRECTORY="$root/build-release/cache" build-release/app/twinlane --config "$run/twinlane.yaml" \
  2> >(tee "$run/twinlane.log" >&2) &
pids+=($!)
/usr/sbin/nginx -p "$run/nginx" -c "$run/nginx/nginx.conf" -e "$run/nginx/error.log" &
pids+=($!)

# Ready when the fast lane answers through nginx and no worker is still starting.
for _ in $(seq 1 300); do
  status=$(curl -fsS "http://127.0.0.1:$port/status" 2>/dev/null || true)
  if [[ "$status" == *'"idle"'* && "$status" != *'"state":"starting"'* ]]; then break; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null

cat <<MSG

twinlane is serving on http://127.0.0.1:$port/ (config and logs in $run).
Open http://127.0.0.1:$port/ for the map. Try:
  curl 'http://127.0.0.1:$port/api/v1/graph'
  curl 'http://127.0.0.1:$port/api/v1/nodes/1'
  curl 'http://127.0.0.1:$port/api/v1/nearest?lon=8.5&lat=49.45'
  curl 'http://127.0.0.1:$port/api/v1/segments?bbox=8.45,49.45,8.46,49.46'
  curl 'http://127.0.0.1:$port/api/v1/route?from=1&to=200000'
  curl -X POST -H 'Content-Type: application/json' -d '{"sources":[1,2],"targets":[3000,100000]}' 'http://127.0.0.1:$port/api/v1/matrix'
  curl 'http://127.0.0.1:$port/status'
Ctrl-C stops nginx and twinlane.
MSG

if [[ -n "${TWINLANE_RUN_SECONDS:-}" ]]; then
  sleep "$TWINLANE_RUN_SECONDS"
else
  wait -n "${pids[@]}"
fi
