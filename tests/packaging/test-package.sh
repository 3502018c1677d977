#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The packaging test (as root; scripts/test.sh runs it after ctest):
#  1. builds the .debs (twinlane, twinlane-dev) with packaging/build-deb.sh, lints them
#     (lintian: no errors);
#  2. installs it with apt as an operator would, checks the installed files, user, directories
#     and conffile, and runs `systemd-analyze verify` on the installed units;
#  3. runs the installed service as systemd would, though systemd is not PID 1 here: the socket
#     units' sockets come from systemd-socket-activate (same paths, owner, group, mode), and the
#     unit's ExecStartPre and ExecStart run as its User/Group without privileges;
#  4. enables the shipped nginx site on a free loopback port in a private nginx prefix (nginx's
#     workers run as www-data, so the sockets' permissions are tested too) and checks a fast and
#     a slow request;
#  5. restarts the master (TERM, then a new one on the same sockets) and reloads it (HUP), each
#     under a bounded load through nginx, with zero failed requests;
#  6. builds examples/wordfreq against the installed twinlane-dev (its headers, libraries and
#     CMake package, not this source tree), serves it behind nginx with its rendered site, and
#     checks a fast and a slow request;
#  7. upgrades the package over an edited configuration (the edit survives), removes it (the
#     configuration stays), purges both packages, and checks that nothing of them is left.
# Every process it starts is stopped by pid, and the package purged, even on failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

if [[ $(id -u) -ne 0 ]]; then
  echo "test-package: SKIP: needs root (it installs and purges the twinlane package)" >&2
  exit 0
fi
for package in twinlane twinlane-dev; do
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'installed\|config-files'; then
    echo "test-package: FAIL: a $package package is already on this machine; this test installs and" \
         "purges its own, so remove that one first (apt purge $package)" >&2
    exit 1
  fi
done
version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)

LOAD_CLIENTS=${LOAD_CLIENTS:-10}
LOAD_SECONDS=${LOAD_SECONDS:-3}
tmp=$(mktemp -d /tmp/twinlane-package-test.XXXXXX)
chmod 755 "$tmp"  # nginx's workers (www-data) use the temp paths under the prefix
unit_dir=/lib/systemd/system
holder_pid="" nginx_pid="" wordfreq_pid="" service_cgroup="" load_pids=() socket_owner=() socket_mode=() created_policy=0 user_existed=0 failed=1
getent passwd twinlane >/dev/null && user_existed=1

phase_start=$(date +%s.%N)
timings=()
phase() {  # phase NAME: ends the previous phase's timing
  local now
  now=$(date +%s.%N)
  timings+=("$(printf '%-34s %6.1f s' "$current_phase" "$(awk "BEGIN { print $now - $phase_start }")")")
  phase_start=$now
  current_phase=$1
  echo "== $1" >&2
}
current_phase="start"
fail() {
  echo "test-package: FAIL: $*" >&2
  exit 1
}

alive() {  # alive PID: running (a zombie child waiting to be reaped does not count)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n "$state" && "$state" != Z ]]
}

stop_pid() {  # stop_pid PID SIGNAL SECONDS: signal, wait up to SECONDS, then SIGKILL
  local pid=$1 signal=$2 seconds=$3
  [[ -n "$pid" ]] && alive "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < seconds * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  echo "test-package: pid $pid still running after $seconds s of SIG$signal: killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  for pid in "${load_pids[@]}"; do stop_pid "$pid" TERM 5; done
  stop_pid "$nginx_pid" QUIT 10
  stop_pid "$wordfreq_pid" TERM 10
  stop_pid "$holder_pid" TERM 45
  [[ -f "$tmp/master.pid" ]] && stop_pid "$(cat "$tmp/master.pid")" TERM 10
  wait 2>/dev/null
  if ((failed)); then
    for log in "$tmp/master.log" "$tmp/nginx/error.log" "$tmp/wordfreq.log"; do
      [[ -s "$log" ]] && { echo "--- $log (last 60 lines)" >&2; tail -n 60 "$log" >&2; }
    done
  fi
  for package in twinlane-dev twinlane; do
    if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'installed\|config-files'; then
      echo "test-package: purging the $package package" >&2
      DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$package" >/dev/null 2>&1 || dpkg --purge "$package"
    fi
  done
  if ((!user_existed)) && getent passwd twinlane >/dev/null; then userdel twinlane; fi
  if ((!user_existed)) && getent group twinlane >/dev/null; then groupdel twinlane; fi
  ((created_policy)) && rm -f /usr/sbin/policy-rc.d
  if [[ -n "$service_cgroup" ]]; then  # its processes have ended: the children can go, then it
    for child in master fast slow; do [[ -d "$service_cgroup/$child" ]] && rmdir "$service_cgroup/$child"; done
    rmdir "$service_cgroup" || echo "test-package: cannot remove $service_cgroup" >&2
  fi
  rm -f /var/cache/man/cat[18]/twinlane.[18].gz /var/cache/man/cat1/twinlane-graph.1.gz
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
phase "build the .deb"
"$root/packaging/build-deb.sh" "$tmp/debs" >"$tmp/build.log" 2>&1 || { tail -n 80 "$tmp/build.log" >&2; fail "build-deb.sh"; }
deb=$(tail -n 1 "$tmp/build.log")
[[ "$(basename "$deb")" == "twinlane_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb" ]] || fail "unexpected package name $deb"
dev_deb=$(dirname "$deb")/twinlane-dev_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb
[[ -f "$dev_deb" ]] || fail "no twinlane-dev package beside $deb"
dpkg-deb -f "$deb" Depends | grep -q 'libsystemd0' || fail "Depends lacks the shared libraries: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$dev_deb" Depends | grep -q 'libpoco-dev' || fail "twinlane-dev Depends lacks libpoco-dev: $(dpkg-deb -f "$dev_deb" Depends)"

phase "lintian"
# Errors fail the test; the warnings and notes it prints are explained in packaging/README.md.
lintian_status=0
lintian --fail-on error -I "$deb" "$dev_deb" >"$tmp/lintian.log" 2>&1 || lintian_status=$?
grep -v '^running with root privileges' "$tmp/lintian.log" >&2 || true
((lintian_status == 0)) || fail "lintian reports errors (status $lintian_status)"

# ---------------------------------------------------------------------------------------------
phase "install"
if [[ ! -e /usr/sbin/policy-rc.d ]]; then  # no service starts from package scripts here
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" "$dev_deb" >"$tmp/apt-install.log" 2>&1 ||
  { cat "$tmp/apt-install.log" >&2; fail "apt-get install $deb $dev_deb"; }

for file in /usr/sbin/twinlane /usr/bin/twinlane-graph /etc/twinlane/twinlane.yaml /etc/nginx/sites-available/twinlane \
  $unit_dir/twinlane.service $unit_dir/twinlane-fast.socket $unit_dir/twinlane-slow.socket \
  /usr/share/man/man8/twinlane.8.gz /usr/share/man/man1/twinlane-graph.1.gz /usr/share/doc/twinlane/copyright \
  /usr/include/twinlane/twinlane.h /usr/include/twinlane/version.h /usr/include/twinlane/pool/serve.h \
  /usr/lib/*/cmake/twinlane/twinlaneConfig.cmake /usr/lib/*/libtwinlane_pool.a \
  /usr/share/doc/twinlane-dev/examples/wordfreq/wordfreq.cpp \
  /usr/share/twinlane/web/index.html /usr/share/twinlane/web/map.js /usr/share/twinlane/web/map.css; do
  [[ -e "$file" ]] || fail "$file is not installed"
done
dpkg-query -W -f='${Conffiles}\n' twinlane | grep -q '^ /etc/twinlane/twinlane.yaml ' ||
  fail "/etc/twinlane/twinlane.yaml is not a conffile"
[[ ! -e /etc/nginx/sites-enabled/twinlane ]] || fail "the nginx site is enabled by default"
[[ "$(getent passwd twinlane | cut -d: -f7)" == /usr/sbin/nologin ]] || fail "no system user twinlane with nologin"
[[ "$(stat -c '%a %U %G' /run/twinlane)" == "2750 twinlane www-data" ]] ||
  fail "/run/twinlane is $(stat -c '%a %U %G' /run/twinlane), not 2750 twinlane www-data"
[[ "$(stat -c '%a %U %G' /var/lib/twinlane)" == "750 root twinlane" ]] ||
  fail "/var/lib/twinlane is $(stat -c '%a %U %G' /var/lib/twinlane), not 750 root twinlane"
/usr/sbin/twinlane --version | grep -qx "twinlane $version" || fail "twinlane --version: $(/usr/sbin/twinlane --version)"
grep -q "#define TWINLANE_VERSION_STRING \"$version\"" /usr/include/twinlane/version.h || fail "version.h is not $version"

phase "systemd-analyze verify"
(cd "$tmp" && systemd-analyze verify $unit_dir/twinlane.service $unit_dir/twinlane-fast.socket \
  $unit_dir/twinlane-slow.socket) >"$tmp/verify.log" 2>&1 || { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify"; }
if [[ -s "$tmp/verify.log" ]]; then cat "$tmp/verify.log" >&2; fail "systemd-analyze verify printed warnings"; fi

# ---------------------------------------------------------------------------------------------
phase "start as the units do"
unit_value() { sed -n "s/^$2=//p" "$unit_dir/$1"; }
user=$(unit_value twinlane.service User)
group=$(unit_value twinlane.service Group)
umask_value=$(unit_value twinlane.service UMask)
exec_start_pre=$(unit_value twinlane.service ExecStartPre)
exec_start=$(unit_value twinlane.service ExecStart)
[[ -n "$user" && -n "$group" && -n "$exec_start" && "$exec_start$exec_start_pre" != *[\'\"\$\\]* ]] ||
  fail "cannot read User, Group and a plain ExecStart from twinlane.service"
# As CacheDirectory=: the directory, owned by the service's user, named in $CACHE_DIRECTORY.
cache_dir=/var/cache/$(unit_value twinlane.service CacheDirectory)
[[ "$cache_dir" != /var/cache/ ]] || fail "twinlane.service has no CacheDirectory="
install -d -o "$user" -g "$group" -m "$(unit_value twinlane.service CacheDirectoryMode)" "$cache_dir"
# As User=/Group= with NoNewPrivileges=yes and an empty CapabilityBoundingSet=.
as_service=(env "CACHE_DIRECTORY=$cache_dir"
  setpriv "--reuid=$user" "--regid=$group" --init-groups --no-new-privs --inh-caps=-all --bounding-set=-all --)
listen_args=() socket_files=() fdnames=()
for lane in fast slow; do
  socket_unit=twinlane-$lane.socket
  address=$(unit_value "$socket_unit" ListenStream)
  listen_args+=(-l "$address")
  socket_files+=("$address")
  fdnames+=("$(unit_value "$socket_unit" FileDescriptorName)")
  socket_owner+=("$(unit_value "$socket_unit" SocketUser):$(unit_value "$socket_unit" SocketGroup)")
  socket_mode+=("$(unit_value "$socket_unit" SocketMode)")
done

# As Delegate=yes with User=: a cgroup v2 of the service's own, owned by its user (systemd
# chowns the directory and its cgroup.procs, cgroup.subtree_control and cgroup.threads).
[[ "$(unit_value twinlane.service Delegate)" == yes ]] || fail "twinlane.service does not delegate its cgroup"
cgroup2_root=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
join_cgroup=()  # the master alone in it, as systemd starts a service's main process
if [[ -n "$cgroup2_root" ]]; then
  service_cgroup=$cgroup2_root/twinlane-package-test.$$
  mkdir "$service_cgroup"
  chown "$user:$group" "$service_cgroup" "$service_cgroup"/cgroup.{procs,subtree_control,threads}
  join_cgroup=(sh -c 'echo $$ >"$0" && exec "$@"' "$service_cgroup/cgroup.procs")
else
  echo "test-package: no cgroup2 mount: the lanes' cgroups are not checked" >&2
fi

# shellcheck disable=SC2086  # ExecStartPre and ExecStart are plain words (checked above)
(umask "$umask_value" && "${as_service[@]}" $exec_start_pre) || fail "ExecStartPre ($exec_start_pre) failed"
(
  umask "$umask_value"
  # shellcheck disable=SC2086
  exec systemd-socket-activate "${listen_args[@]}" "--fdname=$(IFS=:; echo "${fdnames[*]}")" -- \
    "$root/tests/packaging/socket-holder.sh" "$tmp/master.pid" "${join_cgroup[@]}" "${as_service[@]}" $exec_start
) 2>"$tmp/master.log" &
holder_pid=$!
for i in 0 1; do  # as SocketUser=, SocketGroup=, SocketMode=
  for ((t = 0; t < 100; t++)); do [[ -S "${socket_files[i]}" ]] && break; sleep 0.05; done
  [[ -S "${socket_files[i]}" ]] || fail "systemd-socket-activate did not bind ${socket_files[i]}"
  chown "${socket_owner[i]}" "${socket_files[i]}"
  chmod "${socket_mode[i]}" "${socket_files[i]}"
done

phase "nginx with the shipped site"
mkdir -p "$tmp/nginx"
shipped_site() {  # shipped_site PORT: the installed nginx site, on PORT
  sed -e "s/^\( *\)listen 80;\$/\1listen 127.0.0.1:$1;/" /etc/nginx/sites-available/twinlane >"$tmp/nginx/site.conf"
  grep -q "listen 127.0.0.1:$1;" "$tmp/nginx/site.conf" || fail "the shipped site has no 'listen 80;' line"
}
write_nginx_config() {  # write_nginx_config PORT SITE_FUNCTION
  "$2" "$1"
  cat >"$tmp/nginx/nginx.conf" <<EOF
user www-data;
daemon off;
master_process on;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log notice;
events { worker_connections 1024; }
http {
  access_log $tmp/nginx/access.log;
  client_body_temp_path $tmp/nginx/client_body;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  proxy_temp_path $tmp/nginx/proxy;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  include $tmp/nginx/site.conf;
}
EOF
}
start_nginx() {  # start_nginx SITE_FUNCTION: nginx on a free loopback port; sets port, nginx_pid, base
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  write_nginx_config "$port" "$1"
  nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" || fail "nginx -t on the site of $1"
  nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>>"$tmp/nginx/nginx.out" &
  nginx_pid=$!
  for ((t = 0; t < 100; t++)); do
    alive "$nginx_pid" || break
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.05
  done
  alive "$nginx_pid" && break
  wait "$nginx_pid" || true
  grep -q 'Address already in use' "$tmp/nginx/error.log" || fail "nginx did not start"
  nginx_pid=""
done
[[ -n "$nginx_pid" ]] || fail "nginx found no free port in 5 attempts"
base=http://127.0.0.1:$port
}
start_nginx shipped_site

phase "first requests (activation, graph load)"
# The first connection makes systemd-socket-activate start the master; nginx's request waits in
# the socket's queue until the workers accept it.
ready_marker() { grep -c 'generation [0-9]* ready' "$tmp/master.log" || true; }
curl -fsS --max-time 60 "$base/api/v1/health" | grep -q '"status":"ok"' || fail "GET /api/v1/health"
for ((t = 0; t < 600 && $(ready_marker) < 1; t++)); do sleep 0.05; done
(($(ready_marker) >= 1)) || fail "the master never reported its workers ready"
master=$(cat "$tmp/master.pid")
[[ "$(ps -o user= -p "$master")" == "$user" ]] || fail "the master runs as $(ps -o user= -p "$master"), not $user"
[[ "$(grep -c 'using the socket passed by systemd' "$tmp/master.log")" -eq 2 ]] ||
  fail "the master did not take both sockets from systemd-socket-activate"

if [[ -n "$service_cgroup" ]]; then  # each lane's workers in a cgroup of its own, the master in a leaf
  grep -qx "$master" "$service_cgroup/master/cgroup.procs" || fail "the master is not in $service_cgroup/master"
  for lane in fast slow; do
    grep -q . "$service_cgroup/$lane/cgroup.procs" || fail "no $lane worker in $service_cgroup/$lane: $(grep cgroup "$tmp/master.log")"
  done
fi

cached_graph=$(find "$cache_dir" -name 'default-graph-*-ch.twg' -user "$user")
[[ -n "$cached_graph" ]] || fail "the default graph was not cached in $cache_dir: $(ls -la "$cache_dir")"

phase "a fast and a slow request"
graph=$(curl -fsS --max-time 10 "$base/api/v1/graph")
[[ "$graph" =~ \"nodes\":([0-9]+) ]] && ((BASH_REMATCH[1] > 200000)) || fail "GET /api/v1/graph: $graph"
route=$(curl -fsS --max-time 30 "$base/api/v1/route?from=1&to=200000")
[[ "$route" == *'"reachable":true'* ]] || fail "GET /api/v1/route?from=1&to=200000: ${route:0:200}"
curl -fsS --max-time 10 "$base/status" | grep -q '"generation":1' || fail "GET /status from loopback"

phase "the map page, served by nginx (www-data) from /usr/share/twinlane/web"
grep -q 'root "/usr/share/twinlane/web";' /etc/nginx/sites-available/twinlane ||
  fail "the shipped site does not serve the installed map page"
page_type=$(curl -fsS --max-time 10 -o "$tmp/page.html" -w '%{content_type}' "$base/") || fail "GET /"
[[ "$page_type" == text/html* ]] && cmp -s "$tmp/page.html" /usr/share/twinlane/web/index.html ||
  fail "GET / is not the installed index.html ($page_type)"
script_type=$(curl -fsS --max-time 10 -o /dev/null -w '%{content_type}' "$base/web/map.js") || fail "GET /web/map.js"
[[ "$script_type" == text/javascript* ]] || fail "GET /web/map.js is $script_type"
segments=$(curl -fsS --max-time 10 "$base/api/v1/segments?bbox=8.45,49.45,8.46,49.46")
[[ "$segments" == *'"truncated":'* ]] || fail "GET /api/v1/segments: ${segments:0:200}"

# ---------------------------------------------------------------------------------------------
# LOAD_CLIENTS clients, each sending requests one after another for LOAD_SECONDS, alternating a
# fast lookup and a slow route; every answer's status goes to $tmp/load.<run>.<client>.
start_load() {  # start_load RUN
  load_pids=()
  for ((c = 0; c < LOAD_CLIENTS; c++)); do
    (
      end=$(($(date +%s%N) + LOAD_SECONDS * 1000000000))
      n=0
      while (($(date +%s%N) < end)); do
        if ((n++ % 2)); then
          path="/api/v1/route?from=$((RANDOM % 5000 + 1))&to=$((200000 - RANDOM % 5000))"
        else
          path="/api/v1/nodes/$((RANDOM % 100000 + 1))"
        fi
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base$path") || true
        echo "$code $path" >>"$tmp/load.$1.$c"
      done
    ) &
    load_pids+=($!)
  done
}
wait_load() {  # wait_load RUN: waits for the clients; sets total and failures, shows failures
  for pid in "${load_pids[@]}"; do wait "$pid"; done
  load_pids=()
  cat "$tmp"/load."$1".* >"$tmp/load.$1"
  grep -v '^200 ' "$tmp/load.$1" | sort | uniq -c | head -n 10 >&2 || true
  total=$(wc -l <"$tmp/load.$1")
  failures=$(grep -vc '^200 ' "$tmp/load.$1" || true)
}
answered() { cat "$tmp"/load."$1".* 2>/dev/null | wc -l; }

phase "restart under load"
start_load restart
for ((t = 0; t < 200 && $(answered restart) < 20; t++)); do sleep 0.02; done
old_master=$(cat "$tmp/master.pid")
restart_begin=$(date +%s.%N)
kill -TERM "$old_master"  # as `systemctl restart twinlane` (KillMode=mixed: the master only)
for ((t = 0; t < 600 && $(ready_marker) < 2; t++)); do sleep 0.02; done
restart_seconds=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $restart_begin }")
(($(ready_marker) >= 2)) || fail "the restarted master never reported ready"
new_master=$(cat "$tmp/master.pid")
[[ "$new_master" != "$old_master" ]] && ! alive "$old_master" || fail "the master was not replaced"
answered_before_ready=$(answered restart)
wait_load restart
echo "restart under load: $total requests, $failures failed; new master ready $restart_seconds s after TERM," \
     "$((total - answered_before_ready)) requests answered after that" >&2
((failures == 0)) || fail "$failures of $total requests failed across the restart"
((total > answered_before_ready)) || fail "no request reached the restarted master"
grep -q "served from its cached snapshot $cached_graph" "$tmp/master.log" ||
  fail "the restarted master did not map the cached default graph"

phase "reload (HUP) under load"
start_load reload
for ((t = 0; t < 200 && $(answered reload) < 20; t++)); do sleep 0.02; done
kill -HUP "$new_master"  # as ExecReload
for ((t = 0; t < 600 && $(grep -c 'generation 2 ready' "$tmp/master.log") < 1; t++)); do sleep 0.02; done
grep -q 'generation 2 ready' "$tmp/master.log" || fail "the reloaded generation never reported ready"
wait_load reload
echo "reload under load: $total requests, $failures failed" >&2
((failures == 0)) || fail "$failures of $total requests failed across the reload"

phase "graceful stop"
stop_pid "$holder_pid" TERM "$(unit_value twinlane.service TimeoutStopSec | tr -dc 0-9)"
wait "$holder_pid" || fail "the master did not stop cleanly (status $?)"
holder_pid=""
! alive "$(cat "$tmp/master.pid")" || fail "the master outlived its stop"
stop_pid "$nginx_pid" QUIT 10
nginx_pid=""
if grep -E '\[(warn|error|crit|alert|emerg)\] [0-9]+#[0-9]+: ' "$tmp/nginx/error.log" | grep -v 'Address already in use' >&2; then
  fail "nginx logged warnings or errors"
fi
grep -E 'Z (Warning) \[' "$tmp/master.log" >&2 || true
if grep -E 'Z (Error|Critical|Fatal) \[' "$tmp/master.log" >&2; then
  fail "the master logged errors"
fi

# ---------------------------------------------------------------------------------------------
phase "build examples/wordfreq against twinlane-dev"
# The example as installed, copied out of /usr/share/doc: nothing of this tree can be found.
cp -a /usr/share/doc/twinlane-dev/examples/wordfreq "$tmp/wordfreq-src"
cmake -S "$tmp/wordfreq-src" -B "$tmp/wordfreq-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  >"$tmp/wordfreq-build.log" 2>&1 && cmake --build "$tmp/wordfreq-build" >>"$tmp/wordfreq-build.log" 2>&1 ||
  { tail -n 40 "$tmp/wordfreq-build.log" >&2; fail "building examples/wordfreq against twinlane-dev"; }
grep -q 'twinlane_DIR:PATH=/usr/lib/.*/cmake/twinlane' "$tmp/wordfreq-build/CMakeCache.txt" ||
  fail "wordfreq did not find the installed CMake package: $(grep twinlane_DIR "$tmp/wordfreq-build/CMakeCache.txt")"
! grep -q "$root" "$tmp/wordfreq-build/build.ninja" || fail "wordfreq's build refers to the source tree $root"

phase "wordfreq behind nginx"
wordfreq=$tmp/wordfreq-build/wordfreq
mkdir -p "$tmp/wordfreq"
cat >"$tmp/wordfreq/wordfreq.yaml" <<EOF
wordfreq: { corpus: /usr/share/common-licenses, max_distance: 2 }
lanes:
  fast: { listen: $tmp/wordfreq/fast.sock, processes: 1, threads: 2, socket: { owner: www-data, group: www-data } }
  slow: { listen: $tmp/wordfreq/slow.sock, processes: 2, socket: { owner: www-data, group: www-data } }
EOF
"$wordfreq" --check-config "$tmp/wordfreq/wordfreq.yaml" >/dev/null || fail "wordfreq --check-config"
wordfreq_site() {  # wordfreq_site PORT
  "$wordfreq" nginx-config --config "$tmp/wordfreq/wordfreq.yaml" --listen "127.0.0.1:$1" >"$tmp/nginx/site.conf" ||
    fail "wordfreq nginx-config"
}
"$wordfreq" --config "$tmp/wordfreq/wordfreq.yaml" 2>"$tmp/wordfreq.log" &
wordfreq_pid=$!
for ((t = 0; t < 600; t++)); do
  grep -q 'generation 1 ready' "$tmp/wordfreq.log" && break
  alive "$wordfreq_pid" || fail "wordfreq exited"
  sleep 0.05
done
grep -q 'generation 1 ready' "$tmp/wordfreq.log" || fail "wordfreq never reported its workers ready"
start_nginx wordfreq_site
word=$(curl -fsS --max-time 10 "$base/wordfreq/v1/words/License")
[[ "$word" =~ \"count\":([0-9]+) ]] && ((BASH_REMATCH[1] > 100)) || fail "fast GET /wordfreq/v1/words/License: $word"
similar=$(curl -fsS --max-time 30 "$base/wordfreq/v1/similar?word=licence&distance=1")
[[ "$similar" == *'"word":"license","distance":1'* ]] || fail "slow GET /wordfreq/v1/similar?word=licence: ${similar:0:300}"
missing=$(curl -s --max-time 10 -w ' %{http_code}' "$base/wordfreq/v1/nothing")
[[ "$missing" == *'"code":"not_found"'*' 404' ]] || fail "GET /wordfreq/v1/nothing: $missing"
status=$(curl -fsS --max-time 10 "$base/status")
slow_status=${status#*\"slow\":}  # the slow lane's object comes last
[[ "$slow_status" == *'"requests":{"2xx":1,'* && "$status" == *'"corpus":"/usr/share/common-licenses"'* ]] ||
  fail "the slow lane did not answer the similar request, or /status lacks wordfreq's summary: ${status:0:600}"
echo "wordfreq: $word; ${similar:0:120}..." >&2
stop_pid "$nginx_pid" QUIT 10
nginx_pid=""
stop_pid "$wordfreq_pid" TERM 20
wait "$wordfreq_pid" || fail "wordfreq did not stop cleanly (status $?)"
wordfreq_pid=""
if grep -E 'Z (Error|Critical|Fatal) \[' "$tmp/wordfreq.log" >&2; then fail "wordfreq logged errors"; fi

# ---------------------------------------------------------------------------------------------
phase "upgrade keeps the edited config"
sed -i 's/^log: { level: information }$/log: { level: notice }  # edited by the operator/' /etc/twinlane/twinlane.yaml
grep -q 'edited by the operator' /etc/twinlane/twinlane.yaml || fail "could not edit the configuration"
dpkg-deb -R "$deb" "$tmp/upgrade"
sed -i "s/^Version: .*/Version: $version+upgradetest/" "$tmp/upgrade/DEBIAN/control"
dpkg-deb -b "$tmp/upgrade" "$tmp/twinlane_$version+upgradetest.deb" >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tmp/twinlane_$version+upgradetest.deb" >"$tmp/apt-upgrade.log" 2>&1 ||
  { cat "$tmp/apt-upgrade.log" >&2; fail "upgrade"; }
[[ "$(dpkg-query -W -f='${Version}' twinlane)" == "$version+upgradetest" ]] || fail "the upgrade did not install"
grep -q 'edited by the operator' /etc/twinlane/twinlane.yaml || fail "the upgrade lost the operator's edit"
# systemd is not PID 1 here: check that the scripts restart the service, never the sockets.
grep -q "_dh_action=restart" /var/lib/dpkg/info/twinlane.postinst &&
  grep -q "deb-systemd-invoke \$_dh_action 'twinlane.service'" /var/lib/dpkg/info/twinlane.postinst &&
  ! grep -q "restart.*socket" /var/lib/dpkg/info/twinlane.postinst || fail "postinst does not restart only the service"

phase "remove, purge, nothing left"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q twinlane >"$tmp/apt-remove.log" 2>&1 || fail "apt-get remove"
[[ ! -e /usr/sbin/twinlane && ! -e $unit_dir/twinlane.service && ! -e /run/twinlane ]] || fail "remove left the program"
grep -q 'edited by the operator' /etc/twinlane/twinlane.yaml || fail "remove did not keep the configuration"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q twinlane twinlane-dev >"$tmp/apt-purge.log" 2>&1 || fail "apt-get purge"
! dpkg-query -W -f='${Status}' twinlane 2>/dev/null | grep -q 'installed\|config-files' || fail "purge left dpkg state"
# Not counted: logs, and man-db's cache of formatted pages (its daily job drops stale ones).
leftovers=$(find /etc /usr /lib /var /run /opt /srv \( -path /var/tmp -o -path /var/log -o -path /var/cache/man \) -prune -o \
  \( -name '*twinlane*' -o -user twinlane -o -group twinlane \) -print 2>/dev/null || true)
[[ -z "$leftovers" ]] || fail "purge left: $leftovers"
# Debian keeps system users on purge (files elsewhere may still be theirs); this test removes
# the one it caused, in cleanup.

phase "done"
failed=0
echo "test-package: PASS" >&2
printf '  %s\n' "${timings[@]:1}" >&2
