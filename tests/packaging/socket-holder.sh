#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: systemd-socket-activate -l ADDR... -- socket-holder.sh PIDFILE COMMAND [ARG...]
#
# Stands in for systemd's socket units where systemd is not PID 1 (CI): systemd-socket-activate
# binds the sockets and execs this script with them as fds 3.. (LISTEN_FDS); the script keeps
# them open and runs COMMAND, and runs it again each time it exits cleanly, as
# `systemctl restart` restarts a service while its socket units keep the sockets. Each COMMAND
# gets LISTEN_PID set to its own pid (sd_listen_fds checks it) and its pid is written to
# PIDFILE. TERM or INT: passed on to COMMAND; the holder exits when COMMAND has.
# A COMMAND that fails (non-zero exit, killed) is not restarted: the holder exits with its status.
set -u
pidfile=$1
shift

stopping=0
child=0
stop() {
  stopping=1
  if ((child > 0)); then kill -TERM "$child" 2>/dev/null; fi
}
trap stop TERM INT

status=0
while ((!stopping)); do
  sh -c 'LISTEN_PID=$$; export LISTEN_PID; exec "$@"' socket-holder "$@" &
  child=$!
  echo "$child" >"$pidfile.new" && mv "$pidfile.new" "$pidfile"
  # wait returns early when a trapped signal arrives; go on waiting until the command is gone.
  while true; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
  done
  echo "socket-holder: $1 (pid $child) exited with status $status" >&2
  child=0
  ((status == 0)) || break
done
exit "$status"
