#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Rolling reload across the hosts behind one nginx: reloads one host at a time and waits until
# its new generation serves alone (every worker of the new generation, none starting or
# exiting) before the next, so the other hosts carry the load meanwhile and nothing is lost.
# It stops at the first host that does not get there (a failed reload keeps the old generation
# serving; that host's log says why) and leaves the rest untouched.
#
# usage: scripts/rolling-reload.sh [--timeout SECONDS] --reload 'COMMAND' FAST_LANE_ADDRESS...
#   FAST_LANE_ADDRESS  host:port of a host's fast lane, as in upstreams.fast. Its /status is read
#                      over FastCGI (cgi-fcgi, Debian's libfcgi-bin): this machine must be in the
#                      lane's lanes.fast.allow, as the nginx host is.
#   COMMAND            reloads one host; {host} is replaced by the host part of the address,
#                      e.g. 'ssh {host} sudo systemctl reload twinlane'.
#   --timeout          seconds each host may take to be ready (default 300: a large graph loads slowly)
set -euo pipefail

timeout=300
reload=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --timeout) timeout=$2; shift 2 ;;
    --reload) reload=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "rolling-reload: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [[ -z "$reload" || $# -eq 0 ]]; then
  echo "usage: $0 [--timeout SECONDS] --reload 'COMMAND {host}' FAST_LANE_ADDRESS..." >&2
  exit 2
fi
command -v cgi-fcgi >/dev/null || { echo "rolling-reload: needs cgi-fcgi (apt install libfcgi-bin)" >&2; exit 2; }

say() { echo "rolling-reload: $*" >&2; }

# The JSON body of GET /status from the fast lane at $1, or nothing when it does not answer.
status_of() {
  env -i REQUEST_METHOD=GET REQUEST_URI=/status DOCUMENT_URI=/status QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 \
    REMOTE_ADDR=127.0.0.1 timeout 5 cgi-fcgi -bind -connect "$1" 2>/dev/null | tr -d '\r' | sed '1,/^$/d' || true
}

# Every worker's generation in a /status body, one per line.
worker_generations() { grep -o '"generation":[0-9]*' <<<"$1" | tail -n +2 | cut -d: -f2 || true; }

# Ready: the top-level generation is $2, every worker is of it, and none is starting or exiting.
serves_alone() {
  local status=$1 wanted=$2
  [[ "$(grep -o '"generation":[0-9]*' <<<"$status" | head -n 1 | cut -d: -f2 || true)" == "$wanted" ]] || return 1
  [[ -n "$(worker_generations "$status")" ]] || return 1
  [[ -z "$(worker_generations "$status" | grep -vx "$wanted" || true)" ]] || return 1
  ! grep -q '"state":"\(starting\|exiting\)"' <<<"$status"
}

for address in "$@"; do
  host=${address%:*}
  host=${host#[}
  host=${host%]}
  status=$(status_of "$address")
  before=$(grep -o '"generation":[0-9]*' <<<"$status" | head -n 1 | cut -d: -f2 || true)
  if [[ -z "$before" ]]; then
    say "$address: no /status (is the master running, and this machine in lanes.fast.allow?); stopping here"
    exit 1
  fi
  wanted=$((before + 1))
  say "$address: generation $before; reloading: ${reload//\{host\}/$host}"
  sh -c "${reload//\{host\}/$host}" || { say "$address: the reload command failed; stopping here"; exit 1; }
  started=$(date +%s)
  until serves_alone "$(status_of "$address")" "$wanted"; do
    if (($(date +%s) - started >= timeout)); then
      say "$address: generation $wanted not serving alone after ${timeout}s (a failed reload keeps generation" \
          "$before: see that host's log); stopping here, the next hosts were not reloaded"
      exit 1
    fi
    sleep 0.2
  done
  say "$address: generation $wanted serves alone after $(($(date +%s) - started))s"
done
say "done: ${#} host(s) reloaded"
