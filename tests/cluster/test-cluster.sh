#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Several hosts behind one nginx, on real network namespaces this test makes itself: two
# "hosts" (a, b) each run a twinlane master with TCP lanes, a third (front) runs nginx with the
# site `twinlane nginx-config` renders from an `upstreams:` config, a fourth (outsider) is a peer
# outside the lanes' allow-list. All hang off a bridge in a fifth namespace, on 10.213.7.0/24,
# which exists only inside them. Under load from 20 clients (node lookups, routes, matrices;
# each bounded in time and count) it checks, phase by phase:
#   kill     kill -9 of host a's master and workers: no failed request; b carries the load;
#   return   a started again: nginx sends it requests again after fail_timeout;
#   cut      host a's link down: no failed request (bounded by the connect timeout);
#   outsider a peer outside lanes.L.allow is closed at accept and logged;
#   full     host a's slow lane stopped with a queue of 2: its routes go to b; both stopped:
#            new routes get 503 overloaded;
#   rolling  scripts/rolling-reload.sh moves both hosts to a new graph: no failed request, and
#            X-Twinlane-Graph switches from the old checksum to the new one.
# It removes every namespace and stops every process it started, also when it fails.
# usage: test-cluster.sh TWINLANE TWINLANE_GRAPH SOURCE_DIR   (as root; exits 77, "skipped", without)
set -euo pipefail
twinlane=$1 graph_tool=$2 source_dir=$3

skip() { echo "test-cluster: SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces)"
for tool in ip unshare curl nginx cgi-fcgi; do command -v "$tool" >/dev/null || skip "needs $tool"; done

tag=tl$$                      # namespace and interface names: short (an interface name is 15 bytes at most)
net=10.213.7                  # a private range that exists only inside this test's namespaces
declare -A address=([a]=$net.2 [b]=$net.3 [f]=$net.1 [o]=$net.9)
tmp=$(mktemp -d /tmp/twinlane-cluster-test.XXXXXX)
chmod 755 "$tmp"
declare -A master_pid=()
nginx_pid="" load_pids=() made_namespaces=() failed=1
fail_timeout_s=3
phase_name=setup

ns() { echo "$tag-$1"; }
in_ns() { local which=$1; shift; ip netns exec "$(ns "$which")" "$@"; }
say() { echo "test-cluster: $*" >&2; }
fail() {
  say "FAIL ($phase_name): $*"
  exit 1
}

stop_pid() {  # stop_pid PID: TERM, up to 10 s, then KILL
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null; done
  [[ -n "$nginx_pid" ]] && stop_pid "$nginx_pid"
  for host in a b; do [[ -n "${master_pid[$host]:-}" ]] && stop_pid "${master_pid[$host]}"; done
  # Whatever still runs in our namespaces is ours (workers of a killed master, a stray client).
  for namespace in "${made_namespaces[@]}"; do
    for pid in $(ip netns pids "$namespace" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
  wait 2>/dev/null
  for namespace in "${made_namespaces[@]}"; do ip netns del "$namespace" 2>/dev/null; done
  for which in a b f o; do ip link del "$tag$which" 2>/dev/null; done  # a veth not yet moved
  if ((failed)); then
    for log in "$tmp"/host-*.log "$tmp/nginx/error.log"; do
      [[ -s "$log" ]] && { echo "--- $log (last 40 lines)" >&2; tail -n 40 "$log" >&2; }
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the network ------------------------------------------------------------------------------
for which in s a b f o; do
  ip netns add "$(ns "$which")"
  made_namespaces+=("$(ns "$which")")
  in_ns "$which" ip link set lo up
done
in_ns s ip link add br0 type bridge
in_ns s ip link set br0 up
for which in a b f o; do
  ip link add "$tag$which" type veth peer name "$tag${which}p"
  ip link set "$tag$which" netns "$(ns "$which")"
  ip link set "$tag${which}p" netns "$(ns s)"
  in_ns "$which" ip link set "$tag$which" name eth0
  in_ns "$which" ip addr add "${address[$which]}/24" dev eth0
  in_ns "$which" ip link set eth0 up
  in_ns s ip link set "$tag${which}p" master br0 up
done

# --- data and configuration ---------------------------------------------------------------------
"$graph_tool" generate --nodes 3000 --seed 1 --format snapshot "$tmp/graph1" >/dev/null 2>&1
"$graph_tool" generate --nodes 3000 --seed 2 --format snapshot "$tmp/graph2" >/dev/null 2>&1

# Each slow lane queues 8 (2 workers and 9 connections in the backlog hold the 10 slow clients
# even when one host carries them all, also while the other reloads). Only the "full" phase
# shrinks host a's queue to 2, so that its stopped lane overflows first; under load a queue that
# short overflows on its own (a reload, a slow moment) and nginx, with max_fails 1, rests both.
host_config() {  # host_config HOST GRAPH [SLOW_QUEUE_CAPACITY]: the host's YAML
  local host=$1 graph=$2 capacity=${3:-8}
  cat <<EOF
data: { graph: $graph }
lanes:
  fast:
    listen: "${address[$host]}:9001"
    allow: ["${address[f]}/32"]
    processes: 1
    threads: 4
    keepalive: 16
    request_timeout: 2s
    queue: { timeout: 1s }
  slow:
    listen: "${address[$host]}:9002"
    allow: ["${address[f]}/32"]
    processes: 2
    request_timeout: 3s
    queue: { capacity: $capacity, timeout: 2s }
shutdown: { graceful_timeout: 5s }
log: { level: information, slow_request: 0ms }
EOF
}
for host in a b; do host_config "$host" "$tmp/graph1.twg" >"$tmp/host-$host.yaml"; done
{
  host_config a "$tmp/graph1.twg"
  cat <<EOF
upstreams:
  fast: ["${address[a]}:9001", "${address[b]}:9001"]
  slow: ["${address[a]}:9002", "${address[b]}:9002"]
  max_fails: 1
  fail_timeout: ${fail_timeout_s}s
  connect_timeout: 500ms
EOF
} >"$tmp/cluster.yaml"

start_host() {  # start_host HOST: its master, in its namespace, under its own host name
  local host=$1 ready_before
  ready_before=$(grep -c 'generation [0-9]* ready' "$tmp/host-$host.log" 2>/dev/null || true)
  rm -f "$tmp/host-$host.pid"
  # The master writes no pid file: the shell that becomes it (exec) says its own pid.
  in_ns "$host" unshare --uts sh -c 'echo $$ >"$0.pid" && hostname "$1" && shift && exec "$@"' "$tmp/host-$host" \
    "host-$host" "$twinlane" --config "$tmp/host-$host.yaml" >>"$tmp/host-$host.log" 2>&1 &
  for ((t = 0; t < 300; t++)); do
    [[ -s "$tmp/host-$host.pid" ]] && master_pid[$host]=$(cat "$tmp/host-$host.pid")
    (($(grep -c 'generation [0-9]* ready' "$tmp/host-$host.log" || true) > ${ready_before:-0})) && return 0
    [[ -z "${master_pid[$host]:-}" ]] || kill -0 "${master_pid[$host]}" 2>/dev/null ||
      fail "host $host's master exited: $(tail -n 5 "$tmp/host-$host.log")"
    sleep 0.1
  done
  fail "host $host never reported ready"
}
# reload-host.sh ADDRESS, the reload command rolling-reload.sh runs: HUP the master of the host
# with that address, read from the pid file start_host keeps (a restarted master has a new pid).
cat >"$tmp/reload-host.sh" <<EOF
#!/bin/sh
case \$1 in
  ${address[a]}) exec kill -HUP "\$(cat "$tmp/host-a.pid")" ;;
  ${address[b]}) exec kill -HUP "\$(cat "$tmp/host-b.pid")" ;;
  *) exit 1 ;;
esac
EOF
chmod +x "$tmp/reload-host.sh"
reload_hosts() {  # reload_hosts HOST...: one at a time, each until its new generation serves alone
  local host addresses=()
  for host in "$@"; do addresses+=("${address[$host]}:9001"); done
  in_ns f "$source_dir/scripts/rolling-reload.sh" --timeout 60 --reload "$tmp/reload-host.sh {host}" "${addresses[@]}"
}

start_host a
start_host b

mkdir -p "$tmp/nginx"
"$twinlane" nginx-config --config "$tmp/cluster.yaml" --listen 127.0.0.1:8080 >"$tmp/nginx/site.conf"
cat >"$tmp/nginx/nginx.conf" <<EOF
user root;
daemon off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log notice;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/client_body;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  proxy_temp_path $tmp/nginx/proxy;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  include $tmp/nginx/site.conf;
}
EOF
in_ns f nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" || fail "nginx -t on the cluster site"
in_ns f nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
nginx_pid=$!
for ((t = 0; t < 100; t++)); do in_ns f curl -s -o /dev/null http://127.0.0.1:8080/api/v1/health && break; sleep 0.05; done

# --- load ---------------------------------------------------------------------------------------
# 20 clients in the front namespace, each one kind of request: 10 node lookups, 5 routes, 5
# matrices (POST). Each writes "kind status host graph seconds started ended" per answer and stops
# at the stop file, after max_seconds, or after 1000 requests.
start_load() {  # start_load PHASE MAX_SECONDS
  local phase=$1 max_seconds=$2
  rm -f "$tmp/stop-$phase"
  load_pids=()
  for ((client = 0; client < 20; client++)); do
    in_ns f bash -c '
      client=$1 out=$2 stop=$3 max_seconds=$4
      end=$((SECONDS + max_seconds))
      for ((n = 0; n < 1000 && SECONDS < end; n++)); do
        [[ -e $stop ]] && break
        node=$(( (client * 7919 + n * 104729) % 3000 + 1 ))
        if ((client < 10)); then
          kind=node; args=(http://127.0.0.1:8080/api/v1/nodes/$node)
        elif ((client < 15)); then
          kind=route; args=("http://127.0.0.1:8080/api/v1/route?from=$node&to=$(( (node * 31) % 3000 + 1 ))")
        else
          kind=matrix
          args=(-H "Content-Type: application/json" --data "{\"sources\":[$node,2,3],\"targets\":[4,5,$(( (node * 17) % 3000 + 1 ))]}"
                http://127.0.0.1:8080/api/v1/matrix)
        fi
        started=$EPOCHREALTIME
        result=$(curl -s -o /dev/null --max-time 30 -w "%{http_code}|%header{x-twinlane-host}|%header{x-twinlane-graph}|%{time_total}" "${args[@]}")
        IFS="|" read -r status host graph seconds <<<"$result"
        # "-" for a header the answer lacks (errors nginx makes itself): the fields stay in place.
        echo "$kind ${status:--} ${host:--} ${graph:--} ${seconds:--} $started ${EPOCHREALTIME}"
      done >"$out"' client "$client" "$tmp/load-$phase-$client" "$tmp/stop-$phase" "$max_seconds" &
    load_pids+=($!)
  done
}
finish_load() {  # finish_load PHASE: stops the clients, waits for them, prints the phase's figures
  local phase=$1
  touch "$tmp/stop-$phase"
  for pid in "${load_pids[@]}"; do wait "$pid" || true; done
  load_pids=()
  cat "$tmp"/load-"$phase"-* >"$tmp/answers-$phase"
  local total failed_gets failed_posts slowest
  total=$(wc -l <"$tmp/answers-$phase")
  failed_gets=$(awk '$1 != "matrix" && $2 != 200' "$tmp/answers-$phase" | wc -l)
  failed_posts=$(awk '$1 == "matrix" && $2 != 200' "$tmp/answers-$phase" | wc -l)
  slowest=$(awk 'BEGIN { m = 0 } { if ($5 > m) m = $5 } END { printf "%.2f", m }' "$tmp/answers-$phase")
  say "$phase: $total requests, $failed_gets failed GET, $failed_posts failed POST; slowest $slowest s;" \
      "answered by a: $(awk '$3 == "host-a"' "$tmp/answers-$phase" | wc -l), b: $(awk '$3 == "host-b"' "$tmp/answers-$phase" | wc -l)"
  ((total > 100)) || fail "only $total requests were answered"
  if ((failed_gets + failed_posts > 0)); then
    awk '$2 != 200' "$tmp/answers-$phase" | sort | uniq -c | sort -rn | head -n 5 >&2
    fail "$failed_gets GET and $failed_posts POST requests failed"
  fi
}
# Answers by host $2 to requests that started after $3 (a line: kind status host graph seconds
# started ended).
answered_by() { awk -v host="host-$2" -v after="${3:-0}" '$3 == host && $6 > after' "$tmp/answers-$1" | wc -l; }

phase_name=both
start_load both 3
sleep 3
finish_load both
(($(answered_by both a) > 0 && $(answered_by both b) > 0)) || fail "nginx did not spread the load over both hosts"
graph1=$(awk 'NR == 1 { print $4 }' "$tmp/answers-both")
[[ -n "$graph1" ]] || fail "answers carry no X-Twinlane-Graph"

phase_name=kill
start_load kill 8
sleep 2
for pid in $(ip netns pids "$(ns a)"); do kill -KILL "$pid" 2>/dev/null || true; done  # a's master and workers
killed_at=$EPOCHREALTIME
sleep 6
finish_load kill
(($(answered_by kill a "$killed_at") == 0)) || fail "host a answered requests that started after it was killed"
(($(answered_by kill b "$killed_at") > 50)) || fail "host b did not carry the load after a was killed"
master_pid[a]=""

phase_name=return
start_host a
sleep "$((fail_timeout_s + 1))"
start_load return 3
sleep 3
finish_load return
(($(answered_by return a) > 0)) || fail "nginx did not send host a requests again after fail_timeout"

phase_name=cut
start_load cut 10
sleep 2
in_ns s ip link set "${tag}ap" down
sleep 5
finish_load cut
in_ns s ip link set "${tag}ap" up

phase_name=outsider
rejected_before=$(grep -c "refused a connection from ${address[o]}" "$tmp/host-a.log" || true)
# Connects to host a's fast lane, sends a FastCGI BEGIN_REQUEST record, reads: the lane closes.
reply=$(in_ns o timeout 10 bash -c "exec 3<>/dev/tcp/${address[a]}/9001 && printf '\\x01\\x01\\x00\\x01\\x00\\x08\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00' >&3 && cat <&3 | wc -c") ||
  fail "the outsider's connection was not closed within 10 s"
[[ "$reply" == 0 ]] || fail "the outsider got $reply bytes back"
for ((t = 0; t < 50; t++)); do
  (($(grep -c "refused a connection from ${address[o]}" "$tmp/host-a.log" || true) > rejected_before)) && break
  sleep 0.1
done
(($(grep -c "refused a connection from ${address[o]}" "$tmp/host-a.log" || true) > rejected_before)) ||
  fail "host a did not log the refused outsider"
say "outsider: closed at accept with 0 bytes; host a logged it"

phase_name=full
host_config a "$tmp/graph1.twg" 2 >"$tmp/host-a.yaml"
reload_hosts a || fail "reloading host a with a slow queue of 2 failed"
# A host whose slow lane cannot accept (its workers stopped, its backlog full: a full TCP
# backlog drops the connection attempt) makes nginx try the other host; when neither can, the
# client gets 503 overloaded after the connect timeouts.
slow_pids() {  # slow_pids HOST: its slow workers, from its /status over FastCGI
  in_ns f env -i REQUEST_METHOD=GET REQUEST_URI=/status DOCUMENT_URI=/status QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 \
    REMOTE_ADDR=127.0.0.1 timeout 10 cgi-fcgi -bind -connect "${address[$1]}:9001" | tr -d '\r' | sed '1,/^$/d' |
    sed 's/.*"slow":{//' | grep -o '"pid":[0-9]*' | cut -d: -f2 | tr '\n' ' ' || true
}
route_requests() {  # route_requests COUNT OUT: COUNT routes at once, "status seconds body" each into OUT
  local count=$1 out=$2
  for ((i = 0; i < count; i++)); do
    in_ns f curl -s -o "$out.$i" --max-time 30 -w '%{http_code} %{time_total}\n' \
      "http://127.0.0.1:8080/api/v1/route?from=$((i + 1))&to=2000" >>"$out" &
  done
}
stopped_a=$(slow_pids a)  # of the new generation: rolling-reload.sh waited for the old one to leave
stopped_b=$(slow_pids b)
[[ -n "$stopped_a" && -n "$stopped_b" ]] || fail "no slow workers in /status"
sleep "$((fail_timeout_s + 1))"  # nginx rests host a after the cut: let it count again
kill -STOP $stopped_a
route_requests 12 "$tmp/full-one"   # more than host a's backlog holds (2): the rest go to b
wait_for_lines() { for ((t = 0; t < 400; t++)); do (($(wc -l <"$2" 2>/dev/null || echo 0) >= $1)) && return 0; sleep 0.1; done; return 1; }
wait_for_lines 12 "$tmp/full-one" || fail "routes with host a's slow lane stopped did not finish within 40 s"
if (($(grep -vc '^200 ' "$tmp/full-one" || true) > 0)); then
  grep -h . "$tmp"/full-one.* | grep -v '"reachable"' >&2 || true
  fail "with host a's slow lane full: $(grep -v '^200 ' "$tmp/full-one" | tr '\n' ' ')"
fi
say "full: host a's slow lane stopped: 12 of 12 routes answered 200 (slowest $(sort -k2 -n "$tmp/full-one" | tail -n 1 | cut -d' ' -f2) s)"
kill -CONT $stopped_a  # a drains its backlog (those clients are gone), then rests from its timeouts
sleep "$((fail_timeout_s + 1))"
kill -STOP $stopped_a $stopped_b
route_requests 30 "$tmp/full-both-fill"   # more than both backlogs hold (3 and 9)
sleep 2
route_requests 3 "$tmp/full-both"
wait_for_lines 3 "$tmp/full-both" || { kill -CONT $stopped_a $stopped_b; fail "no answer with both slow lanes full"; }
kill -CONT $stopped_a $stopped_b
(($(grep -c '^503 ' "$tmp/full-both") == 3)) || fail "with both slow lanes full: $(sort "$tmp/full-both" | uniq -c), not 503"
(($(cat "$tmp"/full-both.? | grep -o '"code":"overloaded"' | wc -l) == 3)) || fail "the 503s are not overloaded: $(cat "$tmp"/full-both.?)"
in_ns f curl -s "http://127.0.0.1:8080/api/v1/route?from=1&to=2" >/dev/null
wait_for_lines 30 "$tmp/full-both-fill" || fail "the routes queued while both slow lanes were stopped did not finish"
say "full: both hosts' slow lanes stopped: 3 of 3 new routes answered 503 overloaded" \
    "($(sort -k2 -n "$tmp/full-both" | tail -n 1 | cut -d' ' -f2) s at most)"
sleep "$((fail_timeout_s + 1))"  # nginx rests both hosts after their timeouts

phase_name=rolling
for host in a b; do host_config "$host" "$tmp/graph2.twg" >"$tmp/host-$host.yaml"; done
start_load rolling 60
sleep 1
reload_hosts a b || fail "scripts/rolling-reload.sh failed"
switched_at=$EPOCHREALTIME
sleep 2
finish_load rolling
graph2=$(awk -v after="$switched_at" '$6 > after { print $4 }' "$tmp/answers-rolling" | sort -u)  # started after
[[ -n "$graph2" && "$graph2" != "$graph1" && "$graph2" != *$'\n'* ]] ||
  fail "after the rolling reload the answers name graph(s) '$graph2' (before: $graph1)"
(($(awk -v g="$graph1" '$4 == g' "$tmp/answers-rolling" | wc -l) > 0)) || fail "no answer from the old graph during the reload"
say "rolling: X-Twinlane-Graph switched from $graph1 to $graph2"

failed=0
say "PASS"
