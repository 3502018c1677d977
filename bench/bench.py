#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The twinlane benchmark suite's driver: starts everything it measures, measures, writes results.

bench/run.sh installs the packages, builds, and runs this; it is not meant to be run alone
(it needs the binaries and the environment run.sh gives it). It owns every process it starts
(nginx, twinlane, php-fpm, the C hello, wrk) and stops each by its pid, also on failure or
Ctrl-C. It knows nothing of the report's layout: it writes results.json, and report.py turns that
into report.md and the plots.

Sections (BENCH_SECTIONS, comma-separated; default all):
  fast       fast-lane throughput and latency against nginx return 200, a bare libfcgi hello, php-fpm
  isolation  fast-lane p50/p99 with the slow lane idle and saturated, per priority; php-fpm two pools
  scenario   3 slow requests, then 20 fast: when does the last fast answer arrive
  scaling    slow-lane route and matrix throughput with 1, 2 and 4 workers
  memory     PSS and private memory of master and workers with 1, 4 and 8 slow workers
  throughput random-pair routes through nginx on the slow lane against node lookups on the fast lane
  routes     per-query route times: our search, plain Dijkstra, Boost.Graph (bench-routes)
  startup    start to all workers ready, and HUP reload
  import     twinlane-graph import of the Rhein-Neckar extract, both profiles: wall time, peak RSS
  sweep      generated graphs of 0.25 to 16 M nodes: snapshot size, start-up from the snapshot and
             from DIMACS text, reload, cold PSS of 1 and 8 slow workers, the sealed copy's cost
"""

import datetime
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# ----------------------------------------------------------------------------------------------
# Settings: every duration and repetition comes from the environment, with quick and full modes.

def env_int(name, default):
    return int(os.environ.get(name, default))


def env_float(name, default):
    return float(os.environ.get(name, default))


QUICK = os.environ.get("BENCH_QUICK", "0") not in ("", "0")
S = {
    "quick": QUICK,
    "duration": env_int("BENCH_DURATION", 2 if QUICK else 8),          # whole seconds per wrk run
    "reps": env_int("BENCH_REPS", 1 if QUICK else 3),                  # repetitions (medians)
    "connections": [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1 32 256").split()],
    "iso_connections": [int(c) for c in os.environ.get("BENCH_ISO_CONNECTIONS", "1 32").split()],
    "iso_variants": os.environ.get("BENCH_ISO_VARIANTS", "0:other 10:other 19:batch 19:idle 10:other+cgroup").split(),
    "php_priorities": [int(p) for p in os.environ.get("BENCH_PHP_PRIORITIES", "0 19").split()],
    "slow_nice": env_int("BENCH_SLOW_NICE", 10),                       # the "configured" priority
    "slow_scheduler": os.environ.get("BENCH_SLOW_SCHEDULER", "other"),
    "fast_processes": env_int("BENCH_FAST_PROCESSES", 1),
    "fast_threads": env_int("BENCH_FAST_THREADS", 8),
    "hello_threads": env_int("BENCH_HELLO_THREADS", 8),
    "php_children": env_int("BENCH_PHP_CHILDREN", 8),
    "slow_workers": env_int("BENCH_SLOW_WORKERS", 2),
    "keepalive": env_int("BENCH_KEEPALIVE", 256),  # lanes.fast.keepalive in the rendered site
    "nginx_workers": os.environ.get("BENCH_NGINX_WORKERS", "1"),
    "scaling_workers": [int(w) for w in os.environ.get("BENCH_SCALING_WORKERS", "1 2 4").split()],
    "memory_workers": [int(w) for w in os.environ.get("BENCH_MEMORY_WORKERS", "1 4 8").split()],
    "scenario_reps": env_int("BENCH_SCENARIO_REPS", 5 if QUICK else 20),
    "scenario_slow_ms": env_int("BENCH_SCENARIO_SLOW_MS", 200),
    "startup_reps": env_int("BENCH_STARTUP_REPS", 3 if QUICK else 5),
    "pairs": env_int("BENCH_PAIRS", 1000),
    "seed": env_int("BENCH_SEED", 42),
    "port": env_int("BENCH_PORT", 18080),
    "import_reps": env_int("BENCH_IMPORT_REPS", 1 if QUICK else 3),
    # `generate --nodes` of the sweep's road-like graphs (exact from a few thousand nodes on).
    # 16 M is left out by default: `generate --format snapshot` contracts the graph, which takes
    # about 8 minutes at 4 M and hours at 16 M for these grid-like graphs.
    "sweep_nodes": [int(n) for n in os.environ.get("BENCH_SWEEP_NODES", "250000 1000000 4000000").split()],
    # Parsing DIMACS text of 16 M nodes takes minutes, too long for a quick run; 0: every size.
    "sweep_dimacs_max": env_int("BENCH_SWEEP_DIMACS_MAX", 4000000 if QUICK else 0),
    "sweep_reps": env_int("BENCH_SWEEP_REPS", 1 if QUICK else 3),
    "sweep_workers": [int(w) for w in os.environ.get("BENCH_SWEEP_WORKERS", "1 8").split()],
    # The hierarchy's build and query times on the sweep's graphs up to this many nodes
    # (bench-routes --ch-only contracts each graph once more: minutes at 16 M).
    "sweep_ch_max": env_int("BENCH_SWEEP_CH_MAX", 1000000),
    "sweep_ch_pairs": env_int("BENCH_SWEEP_CH_PAIRS", 300),
    "throughput_connections": env_int("BENCH_THROUGHPUT_CONNECTIONS", 16),
    "sections": os.environ.get("BENCH_SECTIONS",
                               "routes,fast,isolation,scenario,scaling,memory,throughput,startup,import,sweep").split(","),
}
# The largest side of the slow matrix the scenario and the isolation calibrate.
MATRIX_SIDE_MAX = 2000
BUILD = os.environ.get("BENCH_BUILD", os.path.join(ROOT, "build-bench-release"))
TWINLANE = os.path.join(BUILD, "app", "twinlane")
GRAPH_TOOL = os.path.join(BUILD, "app", "twinlane-graph")
HELLO = os.path.join(BUILD, "bench", "bench-fcgi-hello")
ROUTES = os.path.join(BUILD, "bench", "bench-routes")
SNAPSHOT_LOAD = os.path.join(BUILD, "bench", "bench-snapshot-load")
NGINX = "/usr/sbin/nginx"
PHP_FPM = shutil.which("php-fpm8.2", path="/usr/sbin:/usr/bin") or "php-fpm8.2"
WRK = shutil.which("wrk") or "wrk"
DATA = os.environ.get("BENCH_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data"))


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values) if values else None


# ----------------------------------------------------------------------------------------------
# Processes: each one we start is recorded, and stopped by its pid, never by name.

STARTED = []


class Service:
    """A long-running process we started: its log goes to a file; stop() signals its pid only."""

    def __init__(self, name, argv, log_path, env=None, stop_signal=signal.SIGTERM, grace=15.0, cgroup=None):
        self.name, self.stop_signal, self.grace, self.log_path = name, stop_signal, grace, log_path
        self.log_file = open(log_path, "ab")
        # cgroup: a cgroup v2 directory the process starts in, as systemd starts a unit's.
        join = (lambda: open(os.path.join(cgroup, "cgroup.procs"), "w").write("0")) if cgroup else None
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     env=env, preexec_fn=join)
        self.pid = self.proc.pid
        STARTED.append(self)

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        if self.running():
            try:
                os.kill(self.pid, self.stop_signal)
                self.proc.wait(self.grace)
            except subprocess.TimeoutExpired:
                log(f"{self.name} (pid {self.pid}) did not stop in {self.grace} s: SIGKILL")
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(10)
            except ProcessLookupError:
                pass
        self.log_file.close()
        if self in STARTED:
            STARTED.remove(self)
        return self.proc.returncode


class DelegatedCgroup:
    """A cgroup v2 below the root, marked delegated as systemd marks a Delegate=yes unit's
    (trusted.delegate), with the cpu controller enabled for it. make() returns (cgroup, None) or
    (None, why it cannot be had here)."""

    @staticmethod
    def make(name):
        if os.geteuid() != 0:
            return None, "needs root"
        root = None
        with open("/proc/self/mountinfo") as mountinfo:
            for line in mountinfo:
                before, _, after = line.partition(" - ")
                if after.startswith("cgroup2 ") and before.split()[3] == "/":
                    root = before.split()[4]
                    break
        if root is None:
            return None, "no cgroup2 mount"
        with open(os.path.join(root, "cgroup.controllers")) as controllers:
            offered = controllers.read().split()
        if "cpu" not in offered:
            return None, (f"cgroup v2 here offers no cpu controller ({' '.join(offered) or 'nothing'}): it is bound "
                          f"to cgroup v1 (hybrid layout), so cpu.weight cannot be set")
        with open(os.path.join(root, "cgroup.subtree_control"), "w") as control:
            control.write("+cpu")
        path = os.path.join(root, f"{name}-{os.getpid()}")
        os.makedirs(path, exist_ok=True)
        os.setxattr(path, "trusted.delegate", b"1")
        return DelegatedCgroup(path), None

    def __init__(self, path):
        self.path = path

    def remove(self):
        """After every process in it has ended: the master's children, then itself."""
        for child in ("master", "fast", "slow", ""):
            directory = os.path.join(self.path, child) if child else self.path
            for _ in range(100):
                try:
                    os.rmdir(directory)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)


def stop_everything():
    for service in reversed(list(STARTED)):
        try:
            service.stop()
        except Exception as error:  # keep stopping the others
            log(f"stopping {service.name}: {error}")


def on_signal(number, _frame):
    raise KeyboardInterrupt(f"signal {number}")


def wait_until(predicate, timeout, interval=0.005, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


# ----------------------------------------------------------------------------------------------
# HTTP through nginx, small and blocking; the load itself comes from wrk.

def http_get(port, path, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def http_post(port, path, body, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def port_accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


# ----------------------------------------------------------------------------------------------
# wrk: fixed connections, bounded duration, a Lua script that prints the figures as JSON.

LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

LUA_SEED = r"""
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end
init = function(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end
"""


def lua_fixed(path):
    return LUA_DONE + f'\nwrk.path = "{path}"\n'


def lua_nodes(node_count):
    return LUA_DONE + LUA_SEED + f"""
request = function()
  return wrk.format("GET", "/api/v1/nodes/" .. math.random(1, {node_count}))
end
"""


def lua_routes(node_count):
    return LUA_DONE + LUA_SEED + f"""
request = function()
  return wrk.format("GET", "/api/v1/route?from=" .. math.random(1, {node_count}) .. "&to=" .. math.random(1, {node_count}))
end
"""


def lua_bodies(path, bodies):
    table = ",\n".join("  [[" + body + "]]" for body in bodies)
    return LUA_DONE + LUA_SEED + f"""
local bodies = {{
{table}
}}
local headers = {{ ["Content-Type"] = "application/json" }}
request = function()
  return wrk.format("POST", "{path}", headers, bodies[math.random(1, #bodies)])
end
"""


class Bench:
    def __init__(self, work, results_dir):
        self.work = work
        self.results_dir = results_dir
        self.results = {"settings": dict(S), "sections": {}}
        self.twinlane = None
        self.twinlane_config = None
        self.php = None
        self.php_priority = None
        self.hello = None
        self.nginx = None
        self.scripts = {}
        self.ports = {name: S["port"] + i for i, name in
                      enumerate(["twinlane", "plain", "return200", "hello", "php"])}

    # -- wrk ---------------------------------------------------------------------------------

    def script(self, name, text):
        path = os.path.join(self.work, "lua", name + ".lua")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            out.write(text)
        return path

    def wrk_argv(self, port, script, connections, duration, path="/", threads=None):
        threads = threads or min(2, connections)
        seconds = max(1, int(-(-duration // 1)))  # wrk takes whole seconds only
        return [WRK, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s",
                "-s", script, f"http://127.0.0.1:{port}{path}"]

    @staticmethod
    def parse_wrk(output):
        for line in output.splitlines():
            if line.startswith("WRKJSON "):
                figures = json.loads(line[len("WRKJSON "):])
                figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6) if figures["duration_us"] else 0
                figures["error_count"] = sum(figures["errors"].values())
                return figures
        raise RuntimeError("wrk printed no figures:\n" + output)

    def wrk(self, port, script, connections, duration=None, path="/"):
        duration = duration or S["duration"]
        argv = self.wrk_argv(port, script, connections, duration, path)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr}{done.stdout}")
        return self.parse_wrk(done.stdout)

    def wrk_background(self, port, script, connections, duration, name):
        argv = self.wrk_argv(port, script, connections, duration, threads=1)
        out_path = os.path.join(self.work, "logs", f"{name}.out")
        return Service(name, argv, out_path, grace=5)

    def collect_background(self, service, timeout):
        service.proc.wait(timeout)
        service.stop()
        with open(service.log_path) as f:
            return self.parse_wrk(f.read())

    # -- nginx -------------------------------------------------------------------------------

    def fastcgi_params(self):
        # The parameters twinlane's own site passes, for every FastCGI server here alike.
        return [line.strip() for line in self.twinlane_site.splitlines() if line.strip().startswith("fastcgi_param ")]

    def start_nginx(self):
        sock = self.work
        params = "\n        ".join(self.fastcgi_params())
        bench_site = f"""
# Servers the benchmark adds next to twinlane's rendered site, all on this one nginx.
# twinlane's fast lane with a connection per request (the rendered site keeps them alive).
upstream bench_twinlane_fast_plain {{
    server unix:{sock}/fast.sock max_fails=0;
}}
upstream bench_hello {{
    server unix:{sock}/hello.sock max_fails=0;
}}
upstream bench_php_fast {{
    server unix:{sock}/php-fast.sock max_fails=0;
}}
upstream bench_php_slow {{
    server unix:{sock}/php-slow.sock max_fails=0;
}}
server {{
    listen 127.0.0.1:{self.ports["plain"]};
    default_type application/json;
    location / {{
        fastcgi_pass bench_twinlane_fast_plain;
        {params}
    }}
}}
server {{
    listen 127.0.0.1:{self.ports["return200"]};
    default_type application/json;
    location / {{
        return 200 '{{"status":"ok"}}';
    }}
}}
server {{
    listen 127.0.0.1:{self.ports["hello"]};
    default_type application/json;
    location / {{
        fastcgi_pass bench_hello;
        {params}
    }}
}}
server {{
    listen 127.0.0.1:{self.ports["php"]};
    default_type application/json;
    location / {{
        fastcgi_pass bench_php_fast;
        {params}
        fastcgi_param SCRIPT_FILENAME {self.work}/php/hello.php;
    }}
    location = /slow {{
        fastcgi_pass bench_php_slow;
        fastcgi_read_timeout 60s;
        {params}
        fastcgi_param SCRIPT_FILENAME {self.work}/php/burn.php;
    }}
}}
"""
        prefix = os.path.join(self.work, "nginx")
        os.makedirs(prefix, exist_ok=True)
        with open(os.path.join(prefix, "twinlane-site.conf"), "w") as out:
            out.write(self.twinlane_site)
        with open(os.path.join(prefix, "bench-site.conf"), "w") as out:
            out.write(bench_site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = f"""{user}daemon off;
master_process on;
worker_processes {S["nginx_workers"]};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    fastcgi_temp_path {prefix}/fastcgi_temp;
    proxy_temp_path {prefix}/proxy_temp;
    uwsgi_temp_path {prefix}/uwsgi_temp;
    scgi_temp_path {prefix}/scgi_temp;
    include {prefix}/twinlane-site.conf;
    include {prefix}/bench-site.conf;
}}
"""
        conf_path = os.path.join(prefix, "nginx.conf")
        with open(conf_path, "w") as out:
            out.write(conf)
        argv = [NGINX, "-p", prefix, "-c", conf_path, "-e", os.path.join(prefix, "error.log")]
        subprocess.run(argv + ["-t", "-q"], check=True)
        for port in self.ports.values():
            if port_accepts(port):
                raise RuntimeError(f"port {port} is taken; set BENCH_PORT to a free range of 5 ports")
        self.nginx = Service("nginx", argv, os.path.join(self.work, "logs", "nginx.out"), stop_signal=signal.SIGQUIT)
        wait_until(lambda: all(port_accepts(p) for p in self.ports.values()) or not self.nginx.running(), 10,
                   what="nginx to listen")
        if not self.nginx.running():
            raise RuntimeError("nginx exited; see " + prefix + "/error.log")

    # -- twinlane ----------------------------------------------------------------------------

    def twinlane_yaml(self, slow_workers, nice, scheduler, graph=None, fast_slice=None):
        """The config; `graph` is (path, coordinates path or None[, data.hierarchy]), by default the
        benchmark graph."""
        path, coordinates, *hierarchy = graph or (self.graph_gr, self.graph_co)
        coordinates = f", coordinates: {coordinates}" if coordinates else ""
        hierarchy = f", hierarchy: {hierarchy[0]}" if hierarchy else ""
        # "": the product's default slice; "0" asks for the kernel's.
        fast_slice = f"\n    cpu: {{ slice: {fast_slice} }}" if fast_slice else ""
        return f"""# written by bench/bench.py
data: {{ graph: {path}{coordinates}{hierarchy} }}
lanes:
  fast:
    listen: {self.work}/fast.sock
    socket: {{ mode: "0666" }}
    processes: {S["fast_processes"]}
    threads: {S["fast_threads"]}
    keepalive: {S["keepalive"]}{fast_slice}
  slow:
    listen: {self.work}/slow.sock
    socket: {{ mode: "0666" }}
    processes: {slow_workers}
    nice: {nice}
    scheduler: {scheduler}
limits: {{ matrix_max_cells: {MATRIX_SIDE_MAX * MATRIX_SIDE_MAX} }}
shutdown: {{ graceful_timeout: 5s }}
log: {{ level: notice, slow_request: 0ms }}
"""

    def render_twinlane_site(self):
        path = os.path.join(self.work, "twinlane.yaml")
        with open(path, "w") as out:
            out.write(self.twinlane_yaml(S["slow_workers"], S["slow_nice"], S["slow_scheduler"]))
        subprocess.run([TWINLANE, "--check-config", path], check=True, capture_output=True)
        self.twinlane_site = subprocess.run(
            [TWINLANE, "nginx-config", "--config", path, "--listen", f"127.0.0.1:{self.ports['twinlane']}"],
            check=True, capture_output=True, text=True).stdout

    def status(self):
        code, body = http_get(self.ports["twinlane"], "/status", timeout=5)
        if code != 200:
            raise RuntimeError(f"/status answered {code}")
        return json.loads(body)

    def generation_ready(self, status, generation, wanted):
        """All `wanted` workers of `generation` accept, and no older one is left."""
        for lane, count in wanted.items():
            workers = status["lanes"][lane]["workers"]
            ready = [w for w in workers if w["generation"] == generation and w["state"] in ("idle", "busy")]
            if len(ready) < count:
                return False, False
        old_gone = all(w["generation"] == generation for lane in wanted for w in status["lanes"][lane]["workers"])
        return True, old_gone

    def start_twinlane(self, slow_workers, nice=None, scheduler=None, graph=None, timeout=120, fast_slice=None,
                       cgroup=None):
        """Starts the master; returns seconds from exec to READY=1 and to /status showing every worker ready."""
        nice = S["slow_nice"] if nice is None else nice
        scheduler = scheduler or S["slow_scheduler"]
        self.stop_twinlane()
        path = os.path.join(self.work, "twinlane.yaml")
        with open(path, "w") as out:
            out.write(self.twinlane_yaml(slow_workers, nice, scheduler, graph, fast_slice))
        notify_path = os.path.join(self.work, "notify.sock")
        if os.path.exists(notify_path):
            os.unlink(notify_path)
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.setblocking(False)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        started = time.monotonic()
        self.twinlane = Service("twinlane", [TWINLANE, "--config", path],
                                os.path.join(self.work, "logs", "twinlane.log"), env=env, grace=15,
                                cgroup=cgroup.path if cgroup else None)
        self.twinlane_config = (slow_workers, nice, scheduler, graph, fast_slice, cgroup)
        self.notify = notify
        wanted = {"fast": S["fast_processes"], "slow": slow_workers}
        ready_at = None
        notify_at = None
        deadline = started + timeout
        while time.monotonic() < deadline and (ready_at is None or notify_at is None):
            if not self.twinlane.running():
                raise RuntimeError("twinlane exited during start; see " + self.twinlane.log_path)
            notify_at = notify_at or self.read_notify("READY=1")
            if ready_at is None:
                try:
                    if self.generation_ready(self.status(), 1, wanted)[0]:
                        ready_at = time.monotonic()
                except (OSError, ValueError, RuntimeError, KeyError, http.client.HTTPException):
                    pass
            time.sleep(0.002)
        if ready_at is None or notify_at is None:
            raise RuntimeError(f"twinlane did not get ready within {timeout} s; see " + self.twinlane.log_path)
        return {"ready_s": ready_at - started, "notify_ready_s": notify_at - started}

    def read_notify(self, wanted):
        try:
            while True:
                message = self.notify.recv(4096).decode()
                if wanted in message.split("\n"):
                    return time.monotonic()
        except BlockingIOError:
            return None

    def stop_twinlane(self):
        if self.twinlane:
            code = self.twinlane.stop()
            if code not in (0, None):
                log(f"twinlane exited {code}; see {self.twinlane.log_path}")
            self.twinlane = None
            self.notify.close()

    def ensure_twinlane(self, slow_workers, nice=None, scheduler=None, fast_slice=None, cgroup=None):
        nice = S["slow_nice"] if nice is None else nice
        scheduler = scheduler or S["slow_scheduler"]
        wanted = (slow_workers, nice, scheduler, None, fast_slice, cgroup)
        if self.twinlane and self.twinlane.running() and self.twinlane_config == wanted:
            return
        self.start_twinlane(slow_workers, nice, scheduler, fast_slice=fast_slice, cgroup=cgroup)

    # -- php-fpm and the C hello ---------------------------------------------------------------

    def start_php(self, slow_priority, slow_children=None):
        slow_children = slow_children or S["slow_workers"]
        if self.php and self.php.running() and self.php_priority == (slow_priority, slow_children):
            return
        self.stop_php()
        php = os.path.join(self.work, "php")
        os.makedirs(php, exist_ok=True)
        with open(os.path.join(php, "hello.php"), "w") as out:
            out.write('<?php echo "ok";\n')
        with open(os.path.join(php, "burn.php"), "w") as out:
            # ~200 ms of CPU time (not wall time), however busy the machine is.
            out.write("""<?php
$ms = isset($_GET["ms"]) ? (int)$_GET["ms"] : 200;
function cpu() { $r = getrusage(); return $r["ru_utime.tv_sec"] + $r["ru_utime.tv_usec"] / 1e6 + $r["ru_stime.tv_sec"] + $r["ru_stime.tv_usec"] / 1e6; }
$start = cpu();
$x = 0.0;
do { for ($i = 0; $i < 20000; $i++) { $x += sqrt($i); } } while ((cpu() - $start) * 1000 < $ms);
echo "burned";
""")
        user = "user = root\ngroup = root\n" if os.geteuid() == 0 else ""
        priority = f"process.priority = {slow_priority}\n" if slow_priority != 0 else ""
        conf = f"""[global]
pid = {php}/php-fpm.pid
error_log = {php}/php-fpm.log
daemonize = no
process_control_timeout = 5s

[fast]
{user}listen = {self.work}/php-fast.sock
listen.mode = 0666
pm = static
pm.max_children = {S["php_children"]}

[slow]
{user}listen = {self.work}/php-slow.sock
listen.mode = 0666
pm = static
pm.max_children = {slow_children}
{priority}"""
        conf_path = os.path.join(php, "php-fpm.conf")
        with open(conf_path, "w") as out:
            out.write(conf)
        argv = [PHP_FPM, "-F", "-y", conf_path] + (["-R"] if os.geteuid() == 0 else [])
        subprocess.run(argv + ["-t"], check=True, capture_output=True)
        self.php = Service("php-fpm", argv, os.path.join(self.work, "logs", "php-fpm.out"), stop_signal=signal.SIGQUIT)
        self.php_priority = (slow_priority, slow_children)
        wait_until(lambda: os.path.exists(f"{self.work}/php-fast.sock") and os.path.exists(f"{self.work}/php-slow.sock")
                   or not self.php.running(), 20, what="php-fpm sockets")
        wait_until(lambda: http_get(self.ports["php"], "/")[0] == 200, 20, what="php-fpm to answer")

    def stop_php(self):
        if self.php:
            self.php.stop()
            self.php = None

    def start_hello(self):
        if self.hello and self.hello.running():
            return
        self.hello = Service("bench-fcgi-hello", [HELLO, f"{self.work}/hello.sock", str(S["hello_threads"]), "64"],
                             os.path.join(self.work, "logs", "hello.out"))
        wait_until(lambda: os.path.exists(f"{self.work}/hello.sock"), 10, what="the hello's socket")
        wait_until(lambda: http_get(self.ports["hello"], "/")[0] == 200, 10, what="the hello to answer")

    def stop_hello(self):
        if self.hello:
            self.hello.stop()
            self.hello = None

    # -- data ----------------------------------------------------------------------------------

    def prepare_graph(self):
        gr = os.path.join(DATA, "OSM-road-d.rhein-neckar.gr.xz")
        co = os.path.join(DATA, "OSM-road-d.rhein-neckar.co.xz")
        data_dir = os.path.join(self.work, "data")
        os.makedirs(data_dir, exist_ok=True)
        if os.path.exists(gr) and os.path.exists(co):
            self.graph_name = "Rhein-Neckar (OSM, DIMACS)"
            self.graph_gr = os.path.join(data_dir, "rhein-neckar.gr")
            self.graph_co = os.path.join(data_dir, "rhein-neckar.co")
            for source, target in ((gr, self.graph_gr), (co, self.graph_co)):
                with open(target, "wb") as out:
                    subprocess.run(["xz", "-dc", source], stdout=out, check=True)
        else:
            log(f"{gr} is absent: generating a graph of 160,000 nodes instead")
            self.graph_name = "generated (twinlane-graph generate --nodes 160000)"
            prefix = os.path.join(data_dir, "generated")
            subprocess.run([GRAPH_TOOL, "generate", "--nodes", "160000", prefix], check=True, capture_output=True)
            self.graph_gr, self.graph_co = prefix + ".gr", prefix + ".co"
        info = subprocess.run([GRAPH_TOOL, "info", self.graph_gr, self.graph_co], check=True, capture_output=True,
                              text=True).stdout
        self.graph_info = info
        self.node_count = None
        for line in info.splitlines():
            words = line.replace(",", "").split()
            if words and words[0].rstrip(":") == "nodes":
                self.node_count = int(words[1])
        if not self.node_count:
            raise RuntimeError("cannot read the node count from twinlane-graph info:\n" + info)
        self.results["graph"] = {"name": self.graph_name, "nodes": self.node_count, "info": info}

    # -- sections ------------------------------------------------------------------------------

    def section_routes(self):
        out = os.path.join(self.results_dir, "routes")
        argv = [ROUTES, "--graph", self.graph_gr, "--pairs", str(S["pairs"]), "--seed", str(S["seed"]), "--out", out]
        if self.graph_co:
            argv[3:3] = ["--coordinates", self.graph_co]
        log("routes: " + " ".join(argv))
        return run_bench_routes(argv, out)

    def fast_targets(self):
        nodes = self.script("nodes", lua_nodes(self.node_count))
        return [
            # (name, port, script, path)
            ("nginx return 200", self.ports["return200"], self.script("fixed", LUA_DONE), "/api/v1/health"),
            ("bare libfcgi hello (C)", self.ports["hello"], self.script("fixed", LUA_DONE), "/api/v1/health"),
            ("php-fpm hello", self.ports["php"], self.script("fixed", LUA_DONE), "/"),
            ("twinlane health", self.ports["plain"], self.script("fixed", LUA_DONE), "/api/v1/health"),
            ("twinlane node", self.ports["plain"], nodes, "/"),
            ("twinlane health, keepalive", self.ports["twinlane"], self.script("fixed", LUA_DONE), "/api/v1/health"),
            ("twinlane node, keepalive", self.ports["twinlane"], nodes, "/"),
        ]

    def section_fast(self):
        self.ensure_twinlane(S["slow_workers"])
        self.start_hello()
        self.start_php(0)
        runs = {}
        # Repetitions outermost, so that drift in the machine's load falls on every target alike.
        for rep in range(S["reps"]):
            for connections in S["connections"]:
                for name, port, script, path in self.fast_targets():
                    # CPU per request of the serving processes resists a noisy machine better
                    # than requests per second: what they burn does not depend on who else runs.
                    pids = self.serving_pids(name)
                    cpu_before = cpu_seconds(pids)
                    figures = self.wrk(port, script, connections, path=path)
                    if pids and figures["requests"]:
                        figures["cpu_us_per_request"] = (cpu_seconds(pids) - cpu_before) * 1e6 / figures["requests"]
                    runs.setdefault(f"{name}|{connections}", []).append(figures)
                    cpu = figures.get("cpu_us_per_request")
                    log(f"fast rep {rep + 1}: {name} c={connections}: {figures['rps']:.0f} rps, "
                        f"p99 {figures['p99_us'] / 1000:.2f} ms, errors {figures['error_count']}"
                        + (f", {cpu:.1f} us CPU/request" if cpu is not None else ""))
        return {"runs": runs, "summary": summarise(runs)}

    def serving_pids(self, target_name):
        """The processes that serve `target_name` (the fast lane's workers, or the C hello)."""
        if target_name.startswith("twinlane"):
            return [worker["pid"] for worker in self.status()["lanes"]["fast"]["workers"]]
        if target_name.startswith("bare libfcgi") and self.hello:
            return [self.hello.proc.pid]
        return []

    def matrix_bodies(self, sources, targets, count=16, seed=1):
        generator = random.Random(seed)
        return [json.dumps({"sources": [generator.randint(1, self.node_count) for _ in range(sources)],
                            "targets": [generator.randint(1, self.node_count) for _ in range(targets)]},
                           separators=(",", ":")) for _ in range(count)]

    def calibrate_slow_matrix(self):
        """A square matrix body that takes about scenario_slow_ms alone. Square: with the contraction
        hierarchy a 100x100 matrix takes a few milliseconds, and the cost grows with both sides."""
        self.ensure_twinlane(S["slow_workers"])
        wanted = S["scenario_slow_ms"] / 1000
        sources = 10
        while True:
            bodies = self.matrix_bodies(sources, sources, count=3, seed=sources)
            times = []
            for body in bodies:
                start = time.monotonic()
                code, _ = http_post(self.ports["twinlane"], "/api/v1/matrix", body)
                times.append(time.monotonic() - start)
                if code != 200:
                    raise RuntimeError(f"matrix answered {code}")
            single = median(times)
            if single >= wanted or sources >= MATRIX_SIDE_MAX:
                break
            # The cost grows about with the square of the side.
            grow = (wanted / max(single, 1e-3)) ** 0.5 * 1.1
            sources = min(MATRIX_SIDE_MAX, max(sources + 1, int(sources * grow)))
        self.slow_matrix = {"sources": sources, "targets": sources, "single_ms": single * 1000,
                            "bodies": self.matrix_bodies(sources, sources, count=8, seed=7)}
        log(f"slow matrix: {sources}x{sources} takes {single * 1000:.0f} ms alone")
        return self.slow_matrix

    def isolation_run(self, fast_port, fast_script, fast_path, slow_port, slow_script, slow_in_flight, connections,
                      label):
        """The fast target idle, the slow load alone, then both: (idle, saturated, slow with the fast
        load, slow alone)."""
        idle = self.wrk(fast_port, fast_script, connections, path=fast_path)
        slow_alone = self.wrk(slow_port, slow_script, slow_in_flight) if slow_script else None
        lead = 1.5  # the background load is saturating before the measured run starts
        background = self.wrk_background(slow_port, slow_script, slow_in_flight, S["duration"] + lead + 1.5,
                                         f"slow-load-{label}")
        time.sleep(lead)
        saturated = self.wrk(fast_port, fast_script, connections, path=fast_path)
        slow = self.collect_background(background, S["duration"] + 60)
        return idle, saturated, slow, slow_alone

    def burner_run(self, fast_port, fast_script, fast_path, connections):
        """The machine's floor: the fast target idle, then beside one busy loop per CPU at the
        lowest priority there is (SCHED_IDLE), which no lever of twinlane's can beat."""
        idle = self.wrk(fast_port, fast_script, connections, path=fast_path)
        burners = [subprocess.Popen(["chrt", "--idle", "0", "sh", "-c", "while :; do :; done"])
                   for _ in range(os.cpu_count() or 1)]
        try:
            time.sleep(0.5)
            saturated = self.wrk(fast_port, fast_script, connections, path=fast_path)
        finally:
            for burner in burners:
                burner.kill()
                burner.wait()
        return idle, saturated

    def section_isolation(self):
        if not hasattr(self, "slow_matrix"):
            self.calibrate_slow_matrix()
        matrix_script = self.script("slow-matrix", lua_bodies("/api/v1/matrix", self.slow_matrix["bodies"]))
        nodes = self.script("nodes", lua_nodes(self.node_count))
        fixed = self.script("fixed", LUA_DONE)
        in_flight = 2 * S["slow_workers"]
        runs = {}
        variants = []
        for variant in S["iso_variants"]:
            # nice:scheduler of the slow lane[:the fast lane's cpu.slice]
            # "+cgroup": the master starts in a delegated cgroup v2, the lanes at their default
            # cpu.weight (fast 1000, slow 100)
            variant, in_cgroup = variant.removesuffix("+cgroup"), variant.endswith("+cgroup")
            nice, scheduler, *fast_slice = variant.split(":")
            variants.append(("twinlane+cgroup" if in_cgroup else "twinlane", int(nice), scheduler,
                             fast_slice[0] if fast_slice else None))
        skipped = {}
        for priority in S["php_priorities"]:
            variants.append(("php-fpm", priority, None, None))
        # The control: a request twinlane never sees (nginx's own return 200) under the same slow
        # load. What it loses is the machine's and nginx's share, no lever of twinlane's.
        variants.append(("control", S["slow_nice"], S["slow_scheduler"], None))
        variants.append(("burners", None, None, None))
        # Each variant needs its own start (priorities are set at fork); repetitions inside it.
        for stack, nice, scheduler, fast_slice in variants:
            cgroup = None
            if stack in ("twinlane", "twinlane+cgroup", "control"):
                name = f"twinlane slow nice {nice}, {scheduler}" + (f", fast slice {fast_slice}" if fast_slice else "")
                if stack == "twinlane+cgroup":
                    name += ", lanes in cgroups (cpu.weight 1000:100)"
                    cgroup, why_not = DelegatedCgroup.make("twinlane-bench")
                    if cgroup is None:
                        skipped[name] = why_not
                        log(f"isolation {name}: skipped: {why_not}")
                        continue
                self.stop_php()
                self.ensure_twinlane(S["slow_workers"], nice, scheduler, fast_slice, cgroup)
                fast = (self.ports["twinlane"], nodes, "/")
                slow = (self.ports["twinlane"], matrix_script)
                if stack == "control":
                    name = f"control: nginx return 200, twinlane slow nice {nice}, {scheduler}"
                    fast = (self.ports["return200"], fixed, "/")
            elif stack == "burners":
                self.stop_php()
                name = "control: nginx return 200 beside SCHED_IDLE busy loops, one per CPU"
            else:
                self.stop_twinlane()  # its idle workers would not matter, but keep the machine the same
                self.start_php(nice)
                name = f"php-fpm slow process.priority {nice}"
                fast = (self.ports["php"], fixed, "/")
                slow_script = self.script("php-slow", LUA_DONE + f'\nwrk.path = "/slow?ms={S["scenario_slow_ms"]}"\n')
                slow = (self.ports["php"], slow_script)
            for rep in range(S["reps"]):
                for connections in S["iso_connections"]:
                    key = f"{name}|{connections}"
                    entry = runs.setdefault(key, {"idle": [], "saturated": [], "slow": [], "slow_alone": []})
                    if stack == "burners":
                        idle, saturated = self.burner_run(self.ports["return200"], fixed, "/", connections)
                        entry["idle"].append(idle)
                        entry["saturated"].append(saturated)
                        log(f"isolation {name} c={connections}: p99 idle {idle['p99_us'] / 1000:.2f} ms, "
                            f"beside the busy loops {saturated['p99_us'] / 1000:.2f} ms")
                        continue
                    idle, saturated, slow_figures, slow_alone = self.isolation_run(
                        *fast, *slow, in_flight, connections, f"{stack}-{nice}-{connections}-{rep}")
                    entry["idle"].append(idle)
                    entry["saturated"].append(saturated)
                    entry["slow"].append(slow_figures)
                    entry["slow_alone"].append(slow_alone)
                    log(f"isolation {name} c={connections}: p99 idle {idle['p99_us'] / 1000:.2f} ms, saturated "
                        f"{saturated['p99_us'] / 1000:.2f} ms; slow lane {slow_figures['rps']:.1f} rps "
                        f"(alone {slow_alone['rps']:.1f}), errors {slow_figures['error_count']}")
            if cgroup:
                self.stop_twinlane()
                cgroup.remove()
        self.stop_php()
        summary = {}
        for key, entry in runs.items():
            summary[key] = {phase: summarise({"x": entry[phase]})["x"] for phase in ("idle", "saturated", "slow", "slow_alone")
                            if entry[phase]}
        return {"slow_matrix": {k: v for k, v in self.slow_matrix.items() if k != "bodies"}, "slow_in_flight": in_flight,
                "runs": runs, "summary": summary, "skipped": skipped}

    def scenario_once(self, port, fast_port, slow_request, fast_requests):
        """Pre-connected sockets; at t0 send the slow requests, then the fast ones; times of answers."""
        sockets = []
        try:
            for i in range(len(fast_requests) + 3):
                sockets.append(socket.create_connection(("127.0.0.1", port if i < 3 else fast_port), timeout=30))
            import selectors
            selector = selectors.DefaultSelector()
            pending = {}
            start = time.monotonic()
            for i, request in enumerate([slow_request] * 3 + fast_requests):
                sockets[i].sendall(request)
                sockets[i].setblocking(False)
                selector.register(sockets[i], selectors.EVENT_READ, i)
                pending[i] = b""
            done = {}
            deadline = start + 60
            while len(done) < len(sockets) and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=1):
                    i = key.data
                    chunk = key.fileobj.recv(65536)
                    if chunk:
                        pending[i] += chunk
                    else:
                        done[i] = time.monotonic() - start
                        selector.unregister(key.fileobj)
            if len(done) < len(sockets):
                raise RuntimeError("scenario: answers missing after 60 s")
            statuses = [pending[i].split(b" ", 2)[1].decode() for i in range(len(sockets))]
            return {"slow_ms": [done[i] * 1000 for i in range(3)],
                    "fast_ms": [done[i] * 1000 for i in range(3, len(sockets))],
                    "statuses": statuses}
        finally:
            for s in sockets:
                s.close()

    def section_scenario(self):
        if not hasattr(self, "slow_matrix"):
            self.calibrate_slow_matrix()
        results = {}
        body = self.slow_matrix["bodies"][0].encode()
        matrix = (b"POST /api/v1/matrix HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                  b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        lookups = lambda i: f"/api/v1/health" if i % 2 == 0 else f"/api/v1/nodes/{1 + (i * 7919) % self.node_count}"
        # (stack, port of the slow requests, port of the fast ones, slow request, fast paths)
        stacks = [("twinlane", self.ports["twinlane"], self.ports["twinlane"], matrix, lookups),
                  ("twinlane, no keep-alive", self.ports["twinlane"], self.ports["plain"], matrix, lookups),
                  ("php-fpm", self.ports["php"], self.ports["php"],
                   f"GET /slow?ms={S['scenario_slow_ms']} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode(),
                   lambda i: "/")]
        for stack, port, fast_port, slow_request, fast_path in stacks:
            if stack.startswith("twinlane"):
                self.stop_php()
                self.ensure_twinlane(3)
            else:
                self.stop_twinlane()
                self.start_php(0, slow_children=3)
            fast_requests = [f"GET {fast_path(i)} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode()
                             for i in range(20)]
            reps = []
            for _ in range(S["scenario_reps"]):
                reps.append(self.scenario_once(port, fast_port, slow_request, fast_requests))
                time.sleep(0.2)
            last_fast = [max(r["fast_ms"]) for r in reps]
            last_slow = [max(r["slow_ms"]) for r in reps]
            bad = sum(1 for r in reps for s in r["statuses"] if s != "200")
            results[stack] = {"last_fast_ms": last_fast, "last_slow_ms": last_slow, "non_200": bad,
                              "last_fast_p50_ms": median(last_fast), "last_fast_max_ms": max(last_fast),
                              "last_slow_p50_ms": median(last_slow)}
            log(f"scenario {stack}: last fast answer median {median(last_fast):.1f} ms, max {max(last_fast):.1f} ms; "
                f"slow answers median {median(last_slow):.0f} ms; non-200: {bad}")
        self.stop_php()
        return {"slow_matrix": {k: v for k, v in self.slow_matrix.items() if k != "bodies"}, "slow_workers": 3,
                "php_slow_children": 3, "results": results}

    def section_scaling(self):
        routes = self.script("routes", lua_routes(self.node_count))
        matrix = self.script("matrix-small", lua_bodies("/api/v1/matrix", self.matrix_bodies(2, 10, count=32, seed=3)))
        runs = {}
        for workers in S["scaling_workers"]:
            self.ensure_twinlane(workers)
            for rep in range(S["reps"]):
                for kind, script in (("route", routes), ("matrix 2x10", matrix)):
                    # The CPU the slow workers got: on a shared machine, the reason scaling stops.
                    pids = [w["pid"] for w in self.status()["lanes"]["slow"]["workers"]]
                    before, began = cpu_seconds(pids), time.monotonic()
                    figures = self.wrk(self.ports["twinlane"], script, 2 * workers)
                    figures["slow_cpu_cores"] = (cpu_seconds(pids) - before) / (time.monotonic() - began)
                    figures["loadavg1"] = float(open("/proc/loadavg").read().split()[0])
                    runs.setdefault(f"{kind}|{workers}", []).append(figures)
                    log(f"scaling {kind} with {workers} workers: {figures['rps']:.1f} rps, errors {figures['error_count']}")
        return {"in_flight": "2 x workers", "runs": runs, "summary": summarise(runs)}

    def section_memory(self):
        routes = self.script("routes", lua_routes(self.node_count))
        result = {"graph_memory_bytes": self.graph_memory_bytes(), "configs": {}}
        for workers in S["memory_workers"]:
            self.ensure_twinlane(workers)
            cold = self.memory_snapshot()
            # Every worker computes some routes, so its per-worker search scratch exists.
            self.wrk(self.ports["twinlane"], routes, 2 * workers, duration=max(1.0, min(S["duration"], 3.0)))
            warm = self.memory_snapshot()
            result["configs"][str(workers)] = {"cold": cold, "warm": warm}
            log(f"memory with {workers} slow workers: PSS total {warm['total']['pss'] / 2**20:.1f} MiB "
                f"(cold {cold['total']['pss'] / 2**20:.1f}), private {warm['total']['private'] / 2**20:.1f} MiB")
        return result

    def section_throughput(self):
        """Random-pair routes (slow lane, its configured workers) against random node lookups (fast
        lane), through nginx, same connection count, one after the other in the same run."""
        self.ensure_twinlane(S["slow_workers"])
        connections = S["throughput_connections"]
        scripts = {"route": self.script("routes", lua_routes(self.node_count)),
                   "node": self.script("nodes", lua_nodes(self.node_count))}
        runs = {}
        for rep in range(S["reps"]):
            for kind, script in scripts.items():
                figures = self.wrk(self.ports["twinlane"], script, connections)
                runs.setdefault(kind, []).append(figures)
                log(f"throughput {kind} ({connections} conn.): {figures['rps']:.0f} rps, p99 "
                    f"{figures['p99_us'] / 1000:.2f} ms, errors {figures['error_count']}")
        return {"connections": connections, "slow_workers": S["slow_workers"], "runs": runs, "summary": summarise(runs)}

    def graph_memory_bytes(self):
        for line in self.graph_info.splitlines():
            if line.startswith("memory:"):
                return float(line.split()[1]) * 2**20
        return None

    def memory_snapshot(self):
        status = self.status()
        processes = [("master", self.twinlane.pid)]
        for lane in ("fast", "slow"):
            for worker in status["lanes"][lane]["workers"]:
                processes.append((lane, worker["pid"]))
        rows = []
        for role, pid in processes:
            fields = smaps_rollup(pid)
            rows.append({"role": role, "pid": pid, **fields})
        total = {key: sum(r[key] for r in rows) for key in ("pss", "rss", "private", "shared")}
        return {"processes": rows, "total": total}

    def section_startup(self):
        log_offset = os.path.getsize(self.twinlane.log_path) if self.twinlane else 0
        starts = []
        reloads = []
        wanted = {"fast": S["fast_processes"], "slow": S["slow_workers"]}
        for _ in range(S["startup_reps"]):
            self.stop_twinlane()
            starts.append(self.start_twinlane(S["slow_workers"]))
            log(f"startup: ready after {starts[-1]['ready_s'] * 1000:.0f} ms (READY=1 after "
                f"{starts[-1]['notify_ready_s'] * 1000:.0f} ms)")
        for _ in range(S["startup_reps"]):
            reloads.append(self.reload_twinlane(wanted))
            log(f"reload: new generation ready after {reloads[-1]['new_ready_s'] * 1000:.0f} ms, old gone after "
                f"{reloads[-1]['old_gone_s'] * 1000:.0f} ms")
        load_ms = self.graph_load_ms_in_log(log_offset)
        return {"slow_workers": S["slow_workers"], "starts": starts, "reloads": reloads, "graph_load_ms_in_log": load_ms,
                "ready_s_p50": median([s["ready_s"] for s in starts]),
                "notify_ready_s_p50": median([s["notify_ready_s"] for s in starts]),
                "reload_new_ready_s_p50": median([r["new_ready_s"] for r in reloads]),
                "reload_old_gone_s_p50": median([r["old_gone_s"] for r in reloads])}

    def section_import(self):
        pbf = os.path.join(DATA, "rhein-neckar-rnv.osm.pbf")
        if not os.path.exists(pbf):
            log(f"import: {pbf} is absent, section skipped")
            return {"skipped": f"{pbf} is absent"}
        runs = {}
        out = os.path.join(self.work, "import.twg")
        for rep in range(S["import_reps"]):
            for profile in ("car", "distance"):
                figures = run_measured([GRAPH_TOOL, "import", "--profile", profile, pbf, out], timeout=1800)
                figures["snapshot_bytes"] = os.path.getsize(out)
                figures["nodes"], figures["arcs"] = graph_counts(figures["output"], "imported ")
                os.unlink(out)
                runs.setdefault(profile, []).append(figures)
                log(f"import {profile}: {figures['wall_s']:.2f} s, peak RSS {figures['peak_rss_bytes'] / 2**20:.0f} MiB, "
                    f"{figures['nodes']:,} nodes, snapshot {figures['snapshot_bytes'] / 2**20:.1f} MiB")
        summary = {profile: {"wall_s": median([f["wall_s"] for f in figures]),
                             "cpu_s": median([f["user_s"] + f["system_s"] for f in figures]),
                             "peak_rss_bytes": max(f["peak_rss_bytes"] for f in figures),
                             "snapshot_bytes": figures[-1]["snapshot_bytes"], "nodes": figures[-1]["nodes"],
                             "arcs": figures[-1]["arcs"], "reps": len(figures)}
                   for profile, figures in runs.items()}
        return {"input": pbf, "input_bytes": os.path.getsize(pbf), "runs": runs, "summary": summary}

    def section_sweep(self):
        sizes = {}
        directory = os.path.join(self.work, "sweep")
        for grid_nodes in S["sweep_nodes"]:
            os.makedirs(directory, exist_ok=True)
            try:
                sizes[str(grid_nodes)] = self.sweep_size(grid_nodes, os.path.join(directory, f"grid{grid_nodes}"))
            finally:
                self.stop_twinlane()
                shutil.rmtree(directory, ignore_errors=True)  # about 1.5 GB of files at 16 M nodes
            # A full sweep takes long: keep what is measured so far if a later size fails.
            self.results["sections"]["sweep"] = {"sizes": sizes}
            self.save()
        return {"sizes": sizes, "slow_workers": S["sweep_workers"], "reps": S["sweep_reps"],
                "dimacs_max": S["sweep_dimacs_max"]}

    def sweep_size(self, grid_nodes, prefix):
        """Every sweep figure for one generated graph: its files, the load steps, starts and reloads."""
        made = run_measured([GRAPH_TOOL, "generate", "--nodes", str(grid_nodes), "--format", "snapshot", prefix],
                            timeout=3600)
        snapshot = prefix + ".twg"
        nodes, arcs = graph_counts(made["output"], "wrote ")
        result = {"nodes": nodes, "arcs": arcs, "snapshot_bytes": os.path.getsize(snapshot),
                  "generate_s": made["wall_s"], "generate_peak_rss_bytes": made["peak_rss_bytes"]}
        log(f"sweep {grid_nodes:,}: {nodes:,} nodes, {arcs:,} arcs, snapshot {result['snapshot_bytes'] / 2**20:.0f} MiB "
            f"(generated in {made['wall_s']:.1f} s)")
        result["load_steps"] = self.snapshot_load_steps(snapshot)
        contraction = re.search(r"contraction hierarchy ([0-9,]+) arcs in ([0-9.]+) s", made["output"])
        if contraction:
            result["contraction_s"] = float(contraction.group(2))
        if grid_nodes <= S["sweep_ch_max"]:
            result["ch"] = self.sweep_ch(grid_nodes, prefix + "-ch")
        result["snapshot"] = self.sweep_starts((snapshot, None), S["sweep_workers"], reload=True)
        os.unlink(snapshot)
        if S["sweep_dimacs_max"] and grid_nodes > S["sweep_dimacs_max"]:
            return result
        made = run_measured([GRAPH_TOOL, "generate", "--nodes", str(grid_nodes), "--format", "dimacs", prefix],
                            timeout=3600)
        if graph_counts(made["output"], "wrote ") != (nodes, arcs):
            raise RuntimeError(f"generate --nodes {grid_nodes} made different graphs as DIMACS and as a snapshot")
        gr, co = prefix + ".gr", prefix + ".co"
        result["dimacs_bytes"] = os.path.getsize(gr) + os.path.getsize(co)
        # One slow worker only: start-up is the comparison; the memory section covers DIMACS's sharing.
        # Without a hierarchy: parsing text against mapping a snapshot, not contracting at load
        # (minutes at millions of nodes; the CH figures above measure that).
        result["dimacs"] = self.sweep_starts((gr, co, "off"), S["sweep_workers"][:1], reload=False)
        return result

    def sweep_ch(self, grid_nodes, out):
        """bench-routes --ch-only on the generated graph: contraction, routes, matrices."""
        argv = [ROUTES, "--generate", str(grid_nodes), "--ch-only", "--pairs", str(S["sweep_ch_pairs"]), "--seed",
                str(S["seed"]), "--out", out]
        return run_bench_routes(argv, out)

    def snapshot_load_steps(self, snapshot):
        """bench-snapshot-load: the sealed copy against a plain mapping, and validation, step by step."""
        done = subprocess.run([SNAPSHOT_LOAD, snapshot, "--reps", str(S["sweep_reps"])], capture_output=True,
                              text=True, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"bench-snapshot-load {snapshot} failed: {done.stderr}")
        steps = json.loads(done.stdout)
        log(f"  load steps: sealed copy {steps['sealed_copy_s'] * 1000:.0f} ms (copy {steps['copy_s'] * 1000:.0f}, "
            f"populate {steps['populate_s'] * 1000:.0f}), plain map {steps['plain_map_s'] * 1000:.1f} ms "
            f"({steps['plain_map_touch_s'] * 1000:.0f} ms touching every page), validation "
            f"{steps['validate_s'] * 1000:.0f} ms (again {steps['revalidate_s'] * 1000:.0f}, checksums "
            f"{steps['checksum_s'] * 1000:.0f})")
        return steps

    def sweep_starts(self, graph, worker_counts, reload):
        """Starts twinlane on `graph` with each slow-worker count (repeated): seconds to every worker
        ready, the load time it logs, the Shmem it adds, its cold memory; with `reload`, two HUPs per
        repetition on the first count, and the Shmem peak while two generations live: one with the
        file unchanged (the master reuses the live sealed copy and only validates it again), one
        after touching it (a new version to the master: a copy of its own, as new data would get)."""
        timeout = 1800  # DIMACS text of 16 M nodes parses for minutes on a busy machine
        twinlane_log = os.path.join(self.work, "logs", "twinlane.log")
        starts, reloads, memory = [], [], {}
        for _ in range(S["sweep_reps"]):
            for workers in worker_counts:
                shmem_before = meminfo_bytes("Shmem")
                log_offset = os.path.getsize(twinlane_log) if os.path.exists(twinlane_log) else 0
                start = self.start_twinlane(workers, graph=graph, timeout=timeout)
                start.update(slow_workers=workers, shmem_added_bytes=meminfo_bytes("Shmem") - shmem_before,
                             graph_load_ms=(self.graph_load_ms_in_log(log_offset) or [None])[0])
                starts.append(start)
                memory[str(workers)] = self.memory_snapshot()  # cold: no request served yet
                log(f"  {os.path.basename(graph[0])}, {workers} slow: ready after {start['ready_s'] * 1000:.0f} ms "
                    f"(load {start['graph_load_ms']} ms), total PSS {memory[str(workers)]['total']['pss'] / 2**20:.1f} MiB, "
                    f"Shmem +{start['shmem_added_bytes'] / 2**20:.0f} MiB")
                if reload and workers == worker_counts[0]:
                    wanted = {"fast": S["fast_processes"], "slow": workers}
                    for changed in (False, True):
                        if changed:
                            os.utime(graph[0])  # a new mtime and ctime: another version to sealedCopy
                        shmem_samples = []
                        reloads.append(self.reload_twinlane(
                            wanted, timeout=timeout,
                            sample=lambda: shmem_samples.append(meminfo_bytes("Shmem") - shmem_before)))
                        reloads[-1].update(changed=changed, shmem_peak_added_bytes=max(shmem_samples))
                        log(f"  reload, file {'touched' if changed else 'unchanged'}: new generation ready after "
                            f"{reloads[-1]['new_ready_s'] * 1000:.0f} ms, Shmem peak +{max(shmem_samples) / 2**20:.0f} MiB")
                self.stop_twinlane()
        by_workers = {str(w): [s for s in starts if s["slow_workers"] == w] for w in worker_counts}
        summary = {"starts": starts, "reloads": reloads, "memory": memory,
                   "ready_s_p50": {w: median([s["ready_s"] for s in runs]) for w, runs in by_workers.items()},
                   "graph_load_ms_p50": median([s["graph_load_ms"] for s in starts if s["graph_load_ms"] is not None]),
                   "shmem_added_bytes_p50": median([s["shmem_added_bytes"] for s in starts])}
        for kind, changed in (("same", False), ("touched", True)):
            runs = [r for r in reloads if r["changed"] == changed]
            summary[f"reload_{kind}_new_ready_s_p50"] = median([r["new_ready_s"] for r in runs])
            summary[f"reload_{kind}_shmem_peak_added_bytes"] = max([r["shmem_peak_added_bytes"] for r in runs],
                                                                   default=None)
        return summary

    def reload_twinlane(self, wanted, timeout=120, sample=None):
        """Sends HUP; seconds to the new generation ready, to the old one gone and to READY=1.
        `sample`, when given, is called at every poll until then (to catch a peak in between)."""
        generation = self.status()["generation"] + 1
        self.read_notify("READY=1")  # drain
        started = time.monotonic()
        os.kill(self.twinlane.pid, signal.SIGHUP)
        ready_at = gone_at = notify_at = None
        while time.monotonic() < started + timeout and None in (ready_at, gone_at, notify_at):
            if sample:
                sample()
            notify_at = notify_at or self.read_notify("READY=1")
            try:
                ready, gone = self.generation_ready(self.status(), generation, wanted)
            except (OSError, ValueError, RuntimeError, KeyError, http.client.HTTPException):
                ready, gone = False, False
            now = time.monotonic()
            if ready and ready_at is None:
                ready_at = now
            if ready and gone and gone_at is None:
                gone_at = now
            time.sleep(0.002)
        if None in (ready_at, gone_at, notify_at):
            raise RuntimeError(f"reload did not complete within {timeout} s")
        return {"new_ready_s": ready_at - started, "old_gone_s": gone_at - started,
                "notify_ready_s": notify_at - started}

    def graph_load_ms_in_log(self, offset):
        """The master's "generation N: loaded ... in T ms" figures logged after byte `offset`."""
        load_ms = []
        with open(self.twinlane.log_path) as f:
            f.seek(offset)
            for line in f:
                if ": loaded " in line and " in " in line and line.rstrip().endswith(" ms"):
                    load_ms.append(float(line.rstrip().split()[-2]))
        return load_ms

    # -- the run ---------------------------------------------------------------------------------

    def run(self):
        self.results["machine"] = machine_info()
        self.results["started_at"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        os.makedirs(os.path.join(self.work, "logs"), exist_ok=True)
        self.prepare_graph()
        self.render_twinlane_site()
        self.start_nginx()
        order = ["routes", "fast", "isolation", "scenario", "scaling", "memory", "throughput", "startup", "import",
                 "sweep"]
        for section in order:
            if section not in S["sections"]:
                continue
            log(f"section {section}")
            began = time.monotonic()
            self.results["sections"][section] = getattr(self, "section_" + section)()
            self.results["sections"][section]["seconds"] = time.monotonic() - began
            self.save()
        self.stop_twinlane()
        self.stop_php()
        self.stop_hello()
        self.results["finished_at"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        self.results["machine"]["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
        self.save()

    def save(self):
        with open(os.path.join(self.results_dir, "results.json"), "w") as out:
            json.dump(self.results, out, indent=1)


def run_bench_routes(argv, out):
    """Runs bench-routes (`--out out`), logs what it printed, returns its JSON and exit code."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=7200)
    log(done.stdout.strip() + done.stderr.strip())
    with open(out + ".json") as f:
        figures = json.load(f)
    figures["exit_code"] = done.returncode
    return figures


def summarise(runs):
    """Medians over repetitions of each key's wrk figures."""
    summary = {}
    for key, figures in runs.items():
        summary[key] = {field: median([f[field] for f in figures]) for field in
                        ("rps", "p50_us", "p90_us", "p99_us", "max_us", "mean_us", "slow_cpu_cores", "loadavg1",
                         "cpu_us_per_request")
                        if all(field in f for f in figures)}
        summary[key]["errors"] = sum(f["error_count"] for f in figures)
        summary[key]["requests"] = sum(f["requests"] for f in figures)
        summary[key]["reps"] = len(figures)
    return summary


def cpu_seconds(pids):
    """User + system CPU seconds of `pids` so far (utime and stime of /proc/PID/stat)."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def run_measured(argv, timeout):
    """Runs `argv` to its end, at most `timeout` s: wall time, CPU and peak RSS (the child's own
    getrusage, from wait4), and its output. Raises if it fails."""
    with tempfile.TemporaryFile() as output:
        started = time.monotonic()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        try:
            while True:
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > started + timeout:
                    raise RuntimeError(f"{' '.join(argv)} did not finish within {timeout} s")
                time.sleep(0.005)
        except BaseException:
            child.kill()
            child.wait()
            raise
        wall = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        output.seek(0)
        text = output.read().decode(errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {child.returncode}:\n{text}")
    return {"wall_s": wall, "user_s": usage.ru_utime, "system_s": usage.ru_stime,
            "peak_rss_bytes": usage.ru_maxrss * 1024, "output": text}


def graph_counts(output, prefix):
    """(nodes, arcs) from twinlane-graph's summary line starting with `prefix`
    ("wrote F: 1,234 nodes, 5,678 arcs, ..." or "imported F (car): 1,234 nodes, 5,678 arcs; ...")."""
    for line in output.splitlines():
        if line.startswith(prefix):
            words = line.split(": ", 1)[1].replace(",", "").replace(";", "").split()
            return int(words[words.index("nodes") - 1]), int(words[words.index("arcs") - 1])
    raise RuntimeError(f"no line starting {prefix!r} in:\n{output}")


def meminfo_bytes(field):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/meminfo has no {field}")


def smaps_rollup(pid):
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return {"pss": fields.get("Pss", 0), "rss": fields.get("Rss", 0),
            "private": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
            "shared": fields.get("Shared_Clean", 0) + fields.get("Shared_Dirty", 0)}


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_info():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    debian = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else ""
    top = command_output(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"]).splitlines()[:6]
    return {
        "hostname": platform.node(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "debian": debian,
        "nginx": command_output([NGINX, "-v"]) or subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip(),
        "php_fpm": command_output([PHP_FPM, "-v"]).splitlines()[0] if command_output([PHP_FPM, "-v"]) else "",
        "wrk": command_output([WRK, "-v"]).splitlines()[0] if command_output([WRK, "-v"]) else "",
        "compiler": command_output(["c++", "--version"]).splitlines()[0],
        "commit": command_output(["git", "-C", ROOT, "describe", "--always", "--dirty"]),
        "loadavg_before": open("/proc/loadavg").read().split()[:3],
        "busiest_processes_before": top,
    }


def main():
    results_root = os.environ.get("BENCH_RESULTS", os.path.join(HERE, "results"))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results_dir = os.path.join(results_root, stamp + ("-quick" if QUICK else ""))
    os.makedirs(results_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="twinlane-bench.")
    os.chmod(work, 0o755)  # nginx's and php-fpm's workers reach the sockets here
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, on_signal)
    bench = Bench(work, results_dir)
    failed = True
    try:
        bench.run()
        failed = False
    finally:
        stop_everything()
        if failed:
            log(f"failed; logs and configs kept in {work}")
            bench.save()
        else:
            shutil.rmtree(work, ignore_errors=True)
    latest = os.path.join(results_root, "latest")
    if os.path.islink(latest) or os.path.exists(latest):
        os.unlink(latest)
    os.symlink(os.path.basename(results_dir), latest)
    print(results_dir)


if __name__ == "__main__":
    main()
