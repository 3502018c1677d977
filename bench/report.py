#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes report.md and PNG plots (gnuplot) from a results folder's results.json.

usage: bench/report.py RESULTS_DIR

Owns the report's layout and the targets from the issue (thresholds below); knows nothing of how
the figures were measured (bench.py). Every ratio compares figures from the same run. Run it again
on an old results folder to re-render its report. bench/notes.md, when present, is appended as the
section that explains missed targets.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The targets.
FAST_VS_HELLO_RPS = 1.0       # issue 11: the protocol's floor, at every connection count
FAST_VS_PHP_RPS = 1.2
FAST_VS_HELLO_P99 = 1.0
KEEPALIVE_RPS = 1.5            # issue 11: keep-alive against a connection per request
ISOLATION_P99 = 1.3
ISOLATION_RPS = 0.9            # the fast lane's throughput, saturated against idle
ISOLATION_SLOW = 0.75          # the slow lane's throughput beside the fast load, against alone
SCENARIO_MS = 10               # issue 11: with keep-alive on and off
SLOW_SCALING = 1.8
MEMORY_RATIO = 1.3
ROUTES_SPEEDUP = 3.0
STARTUP_S = 1.0
SNAPSHOT_STARTUP_S = 1.0       # at the sweep's largest graph (16 M nodes by default)
SNAPSHOT_MEMORY_RATIO = 1.05   # cold total PSS, the most slow workers against the fewest
CH_BUILD_S = 3.0               # contraction hierarchy targets on Rhein-Neckar (issue 10)
CH_ROUTE_P50_US = 20
CH_ROUTE_P99_US = 40
CH_PATH_P50_US = 35
CH_MATRIX_MS = {100: 8, 1000: 250}
SLOW_VS_FAST_RPS = 0.5         # slow-lane random routes against fast-lane node lookups, through nginx


def ms(us):
    return None if us is None else us / 1000


def fmt(value, digits=1, unit=""):
    if value is None:
        return "–"
    if isinstance(value, (int,)) or (isinstance(value, float) and abs(value) >= 1000):
        return f"{value:,.0f}{unit}"
    return f"{value:.{digits}f}{unit}"


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b


def mib(value):
    return None if value is None else value / 2**20


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


def verdict(ok):
    return "–" if ok is None else ("met" if ok else "**missed**")


class Report:
    def __init__(self, directory):
        self.dir = directory
        with open(os.path.join(directory, "results.json")) as f:
            self.r = json.load(f)
        self.sections = self.r.get("sections", {})
        self.out = []
        self.targets = []  # (target, figure, verdict)
        self.plots = []

    def add(self, text=""):
        self.out.append(text)

    def target(self, name, figure, ok):
        self.targets.append((name, figure, verdict(ok)))

    # -- plots -------------------------------------------------------------------------------

    def gnuplot(self, name, data, script):
        data_path = os.path.join(self.dir, name + ".dat")
        with open(data_path, "w") as out:
            out.write(data)
        png = name + ".png"
        full = (f'set terminal pngcairo size 900,480 font ",10"\nset output "{os.path.join(self.dir, png)}"\n'
                f'set grid ytics\nset key top left box opaque\n' + script.replace("DATA", f'"{data_path}"'))
        with open(os.path.join(self.dir, name + ".gp"), "w") as out:
            out.write(full)
        try:
            subprocess.run(["gnuplot"], input=full, text=True, check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as error:
            print(f"report: gnuplot failed for {name}: {error}", file=sys.stderr)
            return ""
        return f"![{name}]({png})"

    # -- sections ----------------------------------------------------------------------------

    def header(self):
        m = self.r.get("machine", {})
        s = self.r.get("settings", {})
        g = self.r.get("graph", {})
        self.add("# twinlane benchmark report")
        self.add()
        self.add(f"Run from {self.r.get('started_at', '?')} to {self.r.get('finished_at', '(unfinished)')}, "
                 f"{'quick' if s.get('quick') else 'full'} mode: wrk runs of {s.get('duration')} s, "
                 f"{s.get('reps')} repetition(s), medians over repetitions; every ratio below compares figures "
                 f"of this one run. Commit `{m.get('commit', '?')}`.")
        self.add()
        self.add(table(["machine", ""], [
            ["CPU", f"{m.get('cpu', '?')}, {m.get('cpus', '?')} CPUs"],
            ["memory", f"{m.get('memory_gib', '?')} GiB"],
            ["OS", f"Debian {m.get('debian', '?')}, Linux {m.get('kernel', '?')}"],
            ["software", f"{m.get('nginx', '')}; {m.get('php_fpm', '')}; {m.get('wrk', '')}; {m.get('compiler', '')}"],
            ["load average (1, 5, 15 min)", f"before {' '.join(m.get('loadavg_before', []))}, after "
                                            f"{' '.join(m.get('loadavg_after', []))}"],
            ["graph", f"{g.get('name', '?')}: {g.get('nodes', '?'):,} nodes" if g else "?"],
            ["setup", f"nginx {s.get('nginx_workers')} worker(s), access log off; twinlane fast lane "
                      f"{s.get('fast_processes')} x {s.get('fast_threads')} threads, slow lane "
                      f"{s.get('slow_workers')} workers at nice {s.get('slow_nice')}, scheduler "
                      f"{s.get('slow_scheduler')}; C hello {s.get('hello_threads')} threads; php-fpm pm=static, "
                      f"{s.get('php_children')} children; the rendered site keeps {s.get('keepalive')} connections to the fast lane "
                      f"(the keep-alive rows and every other section); the other twinlane rows use an upstream without keep-alive"],
        ]))
        self.add()

    def fast(self):
        sec = self.sections.get("fast")
        if not sec:
            return
        summary = sec["summary"]
        conns = sorted({int(k.split("|")[1]) for k in summary})
        names = []
        for key in summary:
            name = key.split("|")[0]
            if name not in names:
                names.append(name)
        self.add("## 1. Fast lane: throughput and latency through nginx")
        self.add()
        self.add("wrk with a fixed number of connections for a bounded time. `health` is `GET /api/v1/health`, "
                 "`node` is `GET /api/v1/nodes/{random id}`; the baselines answer any path. "
                 "Ratios are against the bare libfcgi hello at the same connection count.")
        self.add()
        rows = []
        for c in conns:
            hello = summary.get(f"bare libfcgi hello (C)|{c}", {})
            for name in names:
                f = summary.get(f"{name}|{c}")
                if not f:
                    continue
                rows.append([name, c, fmt(f["rps"], 0), fmt(ms(f["p50_us"]), 2), fmt(ms(f["p99_us"]), 2),
                             fmt(ms(f["max_us"]), 1), f["errors"], fmt(ratio(f["rps"], hello.get("rps")), 2),
                             fmt(ratio(f["p99_us"], hello.get("p99_us")), 2), fmt(f.get("cpu_us_per_request"), 1)])
        self.add(table(["target", "connections", "requests/s", "p50 ms", "p99 ms", "max ms", "errors",
                        "rps / hello", "p99 / hello", "CPU µs / request"], rows))
        self.add()
        self.add("CPU µs / request: user and system time of the serving processes (twinlane's fast-lane "
                 "workers, the hello) over the requests served; nginx and wrk not included. It moves far "
                 "less than requests/s when the machine is shared.")
        self.add()
        # The protocol's floor (no keep-alive) at every connection count; php-fpm at the highest.
        for c in conns:
            hello = summary.get(f"bare libfcgi hello (C)|{c}", {})
            for name in ("twinlane health", "twinlane node"):
                f = summary.get(f"{name}|{c}")
                if not f:
                    continue
                # A hello that failed requests (its backlog overflowed: nginx answers those at
                # once) counts them as throughput: no comparison, and the report says why.
                failed = f" (the hello failed {hello.get('errors')} requests: not comparable)" if hello.get("errors") else ""
                r = ratio(f["rps"], hello.get("rps"))
                self.target(f"{name}: rps ≥ {FAST_VS_HELLO_RPS}x bare hello ({c} conn.)",
                            f"{fmt(f['rps'], 0)} vs {fmt(hello.get('rps'), 0)} = {fmt(r, 2)}x{failed}",
                            None if r is None or failed else r >= FAST_VS_HELLO_RPS)
                r = ratio(f["p99_us"], hello.get("p99_us"))
                self.target(f"{name}: p99 ≤ {FAST_VS_HELLO_P99}x bare hello's ({c} conn.)",
                            f"{fmt(ms(f['p99_us']), 2)} ms vs {fmt(ms(hello.get('p99_us')), 2)} ms = {fmt(r, 2)}x{failed}",
                            None if r is None or failed else r <= FAST_VS_HELLO_P99)
        c = max(conns)
        php = summary.get(f"php-fpm hello|{c}", {})
        for name in ("twinlane health", "twinlane node"):
            f = summary.get(f"{name}|{c}")
            if f:
                r = ratio(f["rps"], php.get("rps"))
                self.target(f"{name}: rps ≥ {FAST_VS_PHP_RPS}x php-fpm ({c} conn.)",
                            f"{fmt(f['rps'], 0)} vs {fmt(php.get('rps'), 0)} = {fmt(r, 2)}x",
                            None if r is None else r >= FAST_VS_PHP_RPS)
        for c in conns:
            for name in ("twinlane health", "twinlane node"):
                plain = summary.get(f"{name}|{c}")
                kept = summary.get(f"{name}, keepalive|{c}")
                if not plain or not kept:
                    continue
                r = ratio(kept["rps"], plain["rps"])
                self.target(f"{name} with keep-alive: rps ≥ {KEEPALIVE_RPS}x, p99 ≤ and 0 errors, against none ({c} conn.)",
                            f"{fmt(kept['rps'], 0)} vs {fmt(plain['rps'], 0)} rps = {fmt(r, 2)}x; p99 "
                            f"{fmt(ms(kept['p99_us']), 2)} vs {fmt(ms(plain['p99_us']), 2)} ms; {kept['errors']} errors",
                            r is not None and r >= KEEPALIVE_RPS and kept["p99_us"] <= plain["p99_us"]
                            and kept["errors"] == 0)
        # Plots: rps and p99 per target, one cluster per connection count.
        lines = ["# target " + " ".join(f"c{c}_rps c{c}_p99" for c in conns)]
        for name in names:
            cells = []
            for c in conns:
                f = summary.get(f"{name}|{c}", {})
                cells += [f"{f.get('rps', 0):.1f}", f"{ms(f.get('p99_us', 0)) or 0:.3f}"]
            lines.append('"' + name.replace(" (C)", "").replace(", keepalive", "\\nkeepalive") + '" ' + " ".join(cells))
        data = "\n".join(lines) + "\n"
        bars = ", ".join(f"DATA using {2 + 2 * i}:xtic(1) title '{c} connection{'s' if c > 1 else ''}'"
                         for i, c in enumerate(conns))
        self.add(self.gnuplot("fast_rps", data, f"""set title "Fast lane: requests/s through nginx (higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "requests/s (log scale)"
set xtics font ",8"
plot {bars}
"""))
        bars = ", ".join(f"DATA using {3 + 2 * i}:xtic(1) title '{c} connection{'s' if c > 1 else ''}'"
                         for i, c in enumerate(conns))
        self.add(self.gnuplot("fast_p99", data, f"""set title "Fast lane: p99 latency (lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "p99 ms (log scale)"
set xtics font ",8"
plot {bars}
"""))
        self.add()

    def isolation(self):
        sec = self.sections.get("isolation")
        if not sec:
            return
        summary = sec["summary"]
        m = sec["slow_matrix"]
        self.add("## 2. Lane isolation")
        self.add()
        self.add(f"Fast-lane latency with the slow lane idle, then saturated by a bounded background load keeping "
                 f"{sec['slow_in_flight']} slow requests in flight (twice the slow workers). twinlane: fast requests "
                 f"are `GET /api/v1/nodes/{{random id}}`, slow ones `POST /api/v1/matrix` of {m['sources']}x"
                 f"{m['targets']} ({fmt(m['single_ms'], 0)} ms alone). php-fpm: two pools, fast `<?php echo \"ok\";`, "
                 f"slow ~200 ms of CPU burn; `process.priority` of the slow pool as shown. Two controls: nginx's own "
                 f"`return 200` (a request twinlane never sees) under the same slow load, and beside one SCHED_IDLE "
                 f"busy loop per CPU: what they lose is the machine's (and nginx's) share, the floor under every "
                 f"lever. Slow rps is the slow load's throughput with the fast load beside it; 'alone' without.")
        self.add()
        rows = []
        plot_lines = ["# variant idle_p99 saturated_p99"]
        settings = self.r.get("settings", {})
        configured = f"twinlane slow nice {settings.get('slow_nice')}, {settings.get('slow_scheduler')}"
        worst_by_variant = {}
        for key, f in summary.items():
            name, c = key.split("|")
            idle, sat = f["idle"], f["saturated"]
            slow, alone = f.get("slow", {}), f.get("slow_alone", {})
            r = ratio(sat["p99_us"], idle["p99_us"])
            throughput = ratio(sat["rps"], idle["rps"])
            slow_kept = ratio(slow.get("rps"), alone.get("rps"))
            rows.append([name, c, fmt(ms(idle["p50_us"]), 2), fmt(ms(idle["p99_us"]), 2), fmt(ms(sat["p50_us"]), 2),
                         fmt(ms(sat["p99_us"]), 2), fmt(r, 2), fmt(throughput, 2), fmt(slow.get("rps"), 1),
                         fmt(alone.get("rps"), 1), idle["errors"] + sat["errors"] + slow.get("errors", 0)])
            plot_lines.append(f'"{name.replace("twinlane slow ", "tl ").replace("php-fpm slow process.priority", "php prio")}'
                              f'\\n{c} conn." {ms(idle["p99_us"]):.3f} {ms(sat["p99_us"]):.3f}')
            if name.startswith("twinlane"):
                if name == configured:
                    self.target(f"isolation: saturated p99 ≤ {ISOLATION_P99}x idle p99, fast rps ≥ {ISOLATION_RPS}x, "
                                f"slow rps ≥ {ISOLATION_SLOW}x alone; configured priority "
                                f"(nice {settings.get('slow_nice')}, {settings.get('slow_scheduler')}), {c} conn.",
                                f"p99 {fmt(ms(sat['p99_us']), 2)} vs {fmt(ms(idle['p99_us']), 2)} ms = {fmt(r, 2)}x; "
                                f"fast rps {fmt(throughput, 2)}x; slow rps {fmt(slow_kept, 2)}x",
                                None if None in (r, throughput, slow_kept) else
                                r <= ISOLATION_P99 and throughput >= ISOLATION_RPS and slow_kept >= ISOLATION_SLOW)
                if r is not None:
                    worst_by_variant[name] = max(worst_by_variant.get(name, 0), r)
        if worst_by_variant:
            # The best lever is the variant whose worst ratio over the connection counts is lowest.
            name, r = min(worst_by_variant.items(), key=lambda item: item[1])
            self.target("isolation, best twinlane lever (its worst ratio over the connection counts)",
                        f"{name}: {fmt(r, 2)}x", r <= ISOLATION_P99)
        for name, why_not in sec.get("skipped", {}).items():
            rows.append([name, "–", f"not measured: {why_not}", "", "", "", "", "", "", "", ""])
        self.add(table(["variant", "connections", "idle p50 ms", "idle p99 ms", "saturated p50 ms",
                        "saturated p99 ms", "p99 saturated / idle", "fast rps saturated / idle", "slow rps",
                        "slow rps alone", "errors"],
                       rows))
        self.add()
        self.add(self.gnuplot("isolation", "\n".join(plot_lines) + "\n", """set title "Fast-lane p99 with the slow lane idle and saturated (lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "p99 ms (log scale)"
set xtics font ",7"
set key top right
plot DATA using 2:xtic(1) title 'slow lane idle', DATA using 3:xtic(1) title 'slow lane saturated'
"""))
        self.add()

    def scenario(self):
        sec = self.sections.get("scenario")
        if not sec:
            return
        m = sec["slow_matrix"]
        self.add("## 3. The scenario: 3 slow requests, then 20 fast ones")
        self.add()
        self.add(f"23 connections to nginx are opened first; at t=0 three slow requests are sent (twinlane: a "
                 f"{m['sources']}x{m['targets']} matrix, {fmt(m['single_ms'], 0)} ms alone, on 3 slow workers; "
                 f"php-fpm: 200 ms of CPU burn on 3 slow children), then 20 fast ones (health and node lookups; "
                 f"php-fpm: the hello). The figure is when the last fast answer arrived. `twinlane` is the "
                 f"rendered site (keep-alive to the fast lane); `no keep-alive` sends the fast requests through an "
                 f"upstream without it.")
        self.add()
        rows = []
        for stack, f in sec["results"].items():
            rows.append([stack, len(f["last_fast_ms"]), fmt(f["last_fast_p50_ms"], 1), fmt(f["last_fast_max_ms"], 1),
                         fmt(f["last_slow_p50_ms"], 0), f["non_200"]])
            if stack.startswith("twinlane"):
                self.target(f"scenario ({stack}): last fast answer ≤ {SCENARIO_MS} ms after the start (median)",
                            f"{fmt(f['last_fast_p50_ms'], 1)} ms (max {fmt(f['last_fast_max_ms'], 1)} ms)",
                            f["last_fast_p50_ms"] <= SCENARIO_MS)
        self.add(table(["stack", "runs", "last fast answer, median ms", "worst ms", "last slow answer, median ms",
                        "non-200"], rows))
        self.add()

    def scaling(self):
        sec = self.sections.get("scaling")
        if not sec:
            return
        summary = sec["summary"]
        kinds = []
        workers = sorted({int(k.split("|")[1]) for k in summary})
        for key in summary:
            kind = key.split("|")[0]
            if kind not in kinds:
                kinds.append(kind)
        self.add("## 4. Slow-lane scaling")
        self.add()
        self.add("wrk keeps twice as many requests in flight as there are slow workers: random-pair routes, and "
                 "2x10 matrices of random nodes. *CPUs the slow workers got*: their user + system CPU seconds per "
                 "second of the run (2.0 would be both CPUs of this machine).")
        self.add()
        rows = []
        for kind in kinds:
            one = summary.get(f"{kind}|1", {}).get("rps")
            for w in workers:
                f = summary.get(f"{kind}|{w}")
                if f:
                    rows.append([kind, w, fmt(f["rps"], 1), fmt(ms(f["p50_us"]), 1), fmt(ms(f["p99_us"]), 1),
                                 fmt(ratio(f["rps"], one), 2), fmt(f.get("slow_cpu_cores"), 2),
                                 fmt(f.get("loadavg1"), 1), f["errors"]])
            two = summary.get(f"{kind}|2", {}).get("rps")
            r = ratio(two, one)
            if r is not None:
                self.target(f"slow lane, {kind}: 2 workers ≥ {SLOW_SCALING}x the throughput of 1",
                            f"{fmt(two, 1)} vs {fmt(one, 1)} rps = {fmt(r, 2)}x", r >= SLOW_SCALING)
        self.add(table(["request", "slow workers", "requests/s", "p50 ms", "p99 ms", "vs 1 worker",
                        "CPUs the slow workers got", "load average (1 min)", "errors"], rows))
        self.add()
        lines = ["workers " + " ".join(f'"{k}"' for k in kinds)]
        for w in workers:
            one = [summary.get(f"{k}|1", {}).get("rps") or 1 for k in kinds]
            lines.append(f"{w} " + " ".join(f"{(summary.get(f'{k}|{w}', {}).get('rps') or 0) / o:.3f}"
                                           for k, o in zip(kinds, one)))
        plots = ", ".join(f"DATA using 1:{i + 2} with linespoints lw 2 title columnheader({i + 2})"
                          for i in range(len(kinds)))
        self.add(self.gnuplot("slow_scaling", "\n".join(lines) + "\n", f"""set title "Slow-lane throughput relative to 1 worker (this machine has {self.r.get('machine', {}).get('cpus', '?')} CPUs)"
set xlabel "slow workers"
set ylabel "throughput / throughput with 1 worker"
set xtics ({", ".join(str(w) for w in workers)})
set yrange [0:*]
plot {plots}, x with lines dt 2 lc rgb "gray" title "linear"
"""))
        self.add()

    def memory(self):
        sec = self.sections.get("memory")
        if not sec:
            return
        graph = sec.get("graph_memory_bytes")
        self.add("## 5. Memory")
        self.add()
        self.add(f"From `/proc/PID/smaps_rollup` of the master and every worker, right after start (cold) and after "
                 f"each slow worker has computed routes (warm: its search scratch exists). The graph's own arrays: "
                 f"{fmt(mib(graph), 1)} MiB. Private = Private_Clean + Private_Dirty.")
        self.add()
        rows = []
        totals = {}
        for workers, cfg in sec["configs"].items():
            for phase in ("cold", "warm"):
                snap = cfg[phase]
                by_role = {}
                for p in snap["processes"]:
                    by_role.setdefault(p["role"], []).append(p)
                slow = by_role.get("slow", [])
                rows.append([workers, phase, fmt(mib(by_role["master"][0]["pss"]), 1),
                             fmt(mib(by_role["master"][0]["private"]), 1),
                             fmt(mib(sum(p["pss"] for p in by_role.get("fast", []))), 1),
                             fmt(mib(sum(p["pss"] for p in slow) / max(1, len(slow))), 1),
                             fmt(mib(sum(p["private"] for p in slow) / max(1, len(slow))), 1),
                             fmt(mib(snap["total"]["pss"]), 1), fmt(mib(snap["total"]["private"]), 1),
                             fmt(mib(snap["total"]["rss"]), 1)])
                totals[(workers, phase)] = snap["total"]
        self.add(table(["slow workers", "state", "master PSS MiB", "master private MiB", "fast worker PSS MiB",
                        "slow worker PSS MiB (each)", "slow worker private MiB (each)", "total PSS MiB",
                        "total private MiB", "total RSS MiB"], rows))
        self.add()
        keys = sorted(sec["configs"], key=int)
        if len(keys) >= 2:
            for phase in ("warm", "cold"):
                lo, hi = totals.get((keys[0], phase)), totals.get((keys[-1], phase))
                if lo and hi:
                    r = ratio(hi["pss"], lo["pss"])
                    self.target(f"memory ({phase}): total PSS with {keys[-1]} slow workers ≤ {MEMORY_RATIO}x with "
                                f"{keys[0]}", f"{fmt(mib(hi['pss']), 1)} vs {fmt(mib(lo['pss']), 1)} MiB = {fmt(r, 2)}x",
                                r <= MEMORY_RATIO)
        lines = ["# config master fast slow"]
        for workers in keys:
            for phase in ("cold", "warm"):
                snap = sec["configs"][workers][phase]
                part = {"master": 0, "fast": 0, "slow": 0}
                for p in snap["processes"]:
                    part[p["role"]] += p["pss"]
                lines.append(f'"{workers} slow, {phase}" {mib(part["master"]):.2f} {mib(part["fast"]):.2f} '
                             f'{mib(part["slow"]):.2f}')
        self.add(self.gnuplot("memory", "\n".join(lines) + "\n", f"""set title "Total PSS by process role (MiB); dashed: the graph's arrays"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set ylabel "MiB"
set yrange [0:*]
set xtics font ",8"
plot DATA using 2:xtic(1) title 'master', '' using 3 title 'fast lane', '' using 4 title 'slow lane', {mib(graph) or 0:.2f} with lines dt 2 lw 2 lc rgb "black" title "graph arrays"
"""))
        self.add()

    def routes(self):
        sec = self.sections.get("routes")
        if not sec:
            return
        g = sec["graph"]
        a = sec["algorithms"]
        self.add("## 6. Route computation, in one process")
        self.add()
        self.add(f"`bench-routes` on {g['nodes']:,} nodes and {g['arcs']:,} arcs ({fmt(mib(g['memory_bytes']), 1)} MiB "
                 f"of arrays): the same {sec['pairs']} random pairs (seed {sec['seed']}, both ends in the largest "
                 f"strongly connected component, {g['largest_scc_nodes']:,} nodes), each query timed alone; "
                 f"{sec['mismatches']} distances differ from plain Dijkstra's. Median settled nodes: ours "
                 f"{fmt(sec['settled_p50']['ours'], 0)}, plain Dijkstra {fmt(sec['settled_p50']['plain'], 0)}.")
        self.add()
        names = {"ch": "twinlane ChSearch (contraction hierarchy), distance only",
                 "ch_path": "twinlane ChSearch, with the unpacked node path",
                 "ours": "twinlane PathSearch (bidirectional A*)", "plain": "plain Dijkstra, early exit",
                 "boost": "Boost.Graph dijkstra_shortest_paths, early exit"}
        keys = [key for key in names if key in a]
        rows = []
        for key in keys:
            f = a[key]
            rows.append([names[key], fmt(f["p50_us"], 1), fmt(f["p90_us"], 1), fmt(f["p99_us"], 1),
                         fmt(f["mean_us"], 1), fmt(a["boost"]["p50_us"] / f["p50_us"], 1)])
        self.add(table(["search", "p50 us", "p90 us", "p99 us", "mean us", "Boost p50 / this p50"], rows))
        self.add()
        ch = sec.get("ch")
        if ch and "ch" in a:
            settled = sec["settled_p50"].get("ch")
            self.add(f"Contraction hierarchy: built in {fmt(ch['build_ms'] / 1000, 2)} s, {ch['arcs']:,} arcs "
                     f"({fmt(mib(ch['memory_bytes']), 1)} MiB); a query settles {fmt(settled, 0)} nodes (median). "
                     f"Matrices of random sources and targets (bucket method, whole request, median of the runs):")
            self.add()
            self.add(table(["matrix", "median ms", "runs", "per cell us"],
                           [[f"{m['size']} x {m['size']}", fmt(m["median_ms"], 2), m["runs"],
                             fmt(m["median_ms"] * 1000 / m["size"] ** 2, 3)] for m in sec.get("matrices", [])]))
            self.add()
            self.target(f"contraction hierarchy build ≤ {CH_BUILD_S:.0f} s", f"{fmt(ch['build_ms'] / 1000, 2)} s",
                        ch["build_ms"] / 1000 <= CH_BUILD_S)
            self.target(f"CH route, distance only: median ≤ {CH_ROUTE_P50_US} us", f"{fmt(a['ch']['p50_us'], 1)} us",
                        a["ch"]["p50_us"] <= CH_ROUTE_P50_US)
            self.target(f"CH route, distance only: p99 ≤ {CH_ROUTE_P99_US} us", f"{fmt(a['ch']['p99_us'], 1)} us",
                        a["ch"]["p99_us"] <= CH_ROUTE_P99_US)
            self.target(f"CH route with the node path: median ≤ {CH_PATH_P50_US} us",
                        f"{fmt(a['ch_path']['p50_us'], 1)} us", a["ch_path"]["p50_us"] <= CH_PATH_P50_US)
            for m in sec.get("matrices", []):
                if m["size"] in CH_MATRIX_MS:
                    self.target(f"{m['size']}x{m['size']} matrix ≤ {CH_MATRIX_MS[m['size']]} ms",
                                f"{fmt(m['median_ms'], 1)} ms", m["median_ms"] <= CH_MATRIX_MS[m["size"]])
        r = a["boost"]["p50_us"] / a["ours"]["p50_us"]
        self.target(f"routes: our median ≥ {ROUTES_SPEEDUP}x faster than Boost's early-exit Dijkstra",
                    f"{fmt(a['ours']['p50_us'] / 1000, 2)} vs {fmt(a['boost']['p50_us'] / 1000, 2)} ms = {fmt(r, 2)}x",
                    r >= ROUTES_SPEEDUP)
        # CDF from the per-query TSV, every search named in its header.
        tsv = os.path.join(self.dir, "routes.tsv")
        if os.path.exists(tsv):
            with open(tsv) as f:
                lines = f.read().splitlines()
            header = lines[0].split("\t")
            rows = [line.split("\t") for line in lines[1:]]
            keys = [key for key in names if f"{key}_us" in header]
            columns = [sorted(float(row[header.index(f"{key}_us")]) / 1000 for row in rows) for key in keys]
            n = len(rows)
            data = "\n".join(f"{(i + 1) / n:.4f} " + " ".join(f"{column[i]:.5f}" for column in columns)
                             for i in range(n)) + "\n"
            plots = ", ".join(f"DATA using {i + 2}:1 with lines lw 2 title '{names[key]}'" for i, key in enumerate(keys))
            self.add(self.gnuplot("routes_cdf", data, f"""set termoption noenhanced
set title "Per-query route time, cumulative (same pairs)"
set xlabel "ms per query (log scale)"
set ylabel "fraction of queries"
set logscale x
set key bottom right
plot {plots}
"""))
        self.add()

    def throughput(self):
        sec = self.sections.get("throughput")
        if not sec:
            return
        summary = sec["summary"]
        self.add("## 6b. Slow-lane routes against fast-lane lookups, through nginx")
        self.add()
        self.add(f"wrk with {sec['connections']} connections, one after the other: random-pair routes "
                 f"(`/api/v1/route`, slow lane, {sec['slow_workers']} workers, one request each at a time) and "
                 f"random node lookups (`/api/v1/nodes/{{id}}`, fast lane). Medians of {summary['route']['reps']} runs.")
        self.add()
        self.add(table(["request", "requests/s", "p50 ms", "p99 ms", "errors"],
                       [[kind, fmt(summary[kind]["rps"], 0), fmt(ms(summary[kind]["p50_us"]), 2),
                         fmt(ms(summary[kind]["p99_us"]), 2), summary[kind]["errors"]] for kind in ("route", "node")]))
        self.add()
        r = ratio(summary["route"]["rps"], summary["node"]["rps"])
        self.target(f"slow-lane routes: throughput ≥ {SLOW_VS_FAST_RPS}x the fast lane's node lookups "
                    f"({sec['connections']} conn.)",
                    f"{fmt(summary['route']['rps'], 0)} vs {fmt(summary['node']['rps'], 0)} rps = {fmt(r, 2)}x",
                    r is not None and r >= SLOW_VS_FAST_RPS)

    def startup(self):
        sec = self.sections.get("startup")
        if not sec:
            return
        self.add("## 7. Start-up and reload")
        self.add()
        self.add(f"With the benchmark graph, 1 fast worker and {sec['slow_workers']} slow workers. *Ready*: `/status` "
                 f"(polled through nginx every 2 ms) shows every worker of the generation idle; *READY=1*: the "
                 f"master's sd_notify message (the master looks at idle workers every 100-250 ms, so it lags). "
                 f"Graph load times from the master's log: "
                 f"{', '.join(fmt(x, 0) for x in sec.get('graph_load_ms_in_log', []))} ms.")
        self.add()
        rows = []
        for i, s in enumerate(sec["starts"]):
            rows.append([f"start {i + 1}", fmt(s["ready_s"] * 1000, 0), fmt(s["notify_ready_s"] * 1000, 0), "–"])
        for i, s in enumerate(sec["reloads"]):
            rows.append([f"HUP reload {i + 1}", fmt(s["new_ready_s"] * 1000, 0), fmt(s["notify_ready_s"] * 1000, 0),
                         fmt(s["old_gone_s"] * 1000, 0)])
        self.add(table(["event", "all workers ready, ms", "READY=1, ms", "old generation gone, ms"], rows))
        self.add()
        self.target(f"start-up to all workers ready < {STARTUP_S} s (median)",
                    f"{fmt(sec['ready_s_p50'] * 1000, 0)} ms (READY=1 at {fmt(sec['notify_ready_s_p50'] * 1000, 0)} ms); "
                    f"reload: {fmt(sec['reload_new_ready_s_p50'] * 1000, 0)} ms to a ready new generation",
                    sec["ready_s_p50"] < STARTUP_S)

    def begin(self, name, heading):
        """The results of section `name` after its heading, or None (and no heading) if it did not run."""
        sec = self.sections.get(name)
        if sec:
            self.add(heading)
            self.add()
        return sec

    def imports(self):
        sec = self.begin("import", "## 8. OpenStreetMap import")
        if not sec:
            return
        if sec.get("skipped"):
            self.add(f"Skipped: {sec['skipped']}.")
            self.add()
            return
        self.add(f"`twinlane-graph import --profile P {os.path.basename(sec['input'])} OUT.twg` "
                 f"({fmt(mib(sec['input_bytes']), 1)} MiB of PBF), median of {sec['summary']['car']['reps']} run(s); "
                 f"peak RSS is the child's own `ru_maxrss` (wait4), the highest over the runs.")
        self.add()
        rows = []
        for profile, f in sec["summary"].items():
            rows.append([profile, f"{f['nodes']:,}", f"{f['arcs']:,}", fmt(f["wall_s"], 2), fmt(f["cpu_s"], 2),
                         fmt(mib(f["peak_rss_bytes"]), 0), fmt(mib(f["snapshot_bytes"]), 1)])
        self.add(table(["profile", "nodes", "arcs", "wall s", "CPU s", "peak RSS MiB", "snapshot MiB"], rows))
        self.add()

    def sweep(self):
        sec = self.begin("sweep", "## 9. Graph size sweep: snapshots against DIMACS text")
        if not sec or not sec.get("sizes"):
            return
        sizes = sorted(sec["sizes"].items(), key=lambda item: int(item[0]))
        counts = [str(w) for w in sec.get("slow_workers", [1, 8])]
        one, many = counts[0], counts[-1]
        dimacs_sizes = f"{sec['dimacs_max']:,} nodes" if sec.get("dimacs_max") else "every size"
        self.add(f"Generated road-like graphs (`twinlane-graph generate --nodes N --format snapshot`, which also "
                 f"contracts them), served with 1 fast worker. *Ready*: from exec of the master "
                 f"to `/status` showing every worker idle, median of {sec.get('reps')} start(s); *load*: what the "
                 f"master logs for reading the graph; *reload*: `HUP` to the new generation ready, with the file "
                 f"unchanged (the master reuses the sealed copy the running generation holds and validates it "
                 f"again) and after touching it (a new version to the master: copied and validated). DIMACS text is "
                 f"started with {one} slow worker, up to {dimacs_sizes}.")
        self.add()
        rows = []
        for grid, f in sizes:
            snap, text = f["snapshot"], f.get("dimacs")
            ready_snap = snap["ready_s_p50"].get(one)
            ready_text = text["ready_s_p50"].get(one) if text else None
            rows.append([f"{int(grid):,}", f"{f['nodes']:,}", f"{f['arcs']:,}", fmt(mib(f["snapshot_bytes"]), 0),
                         fmt(mib(f.get("dimacs_bytes")), 0), fmt(ready_snap * 1000, 0),
                         fmt(snap["ready_s_p50"].get(many, 0) * 1000, 0), fmt(snap["graph_load_ms_p50"], 0),
                         fmt(snap["reload_same_new_ready_s_p50"] * 1000, 0),
                         fmt(snap["reload_touched_new_ready_s_p50"] * 1000, 0),
                         fmt(ready_text * 1000 if ready_text else None, 0),
                         fmt(text["graph_load_ms_p50"] if text else None, 0), fmt(ratio(ready_text, ready_snap), 1)])
        self.add(table(["--nodes", "nodes", "arcs", "snapshot MiB", "DIMACS MiB",
                        f"ready from snapshot, {one} slow, ms", f"same, {many} slow, ms", "snapshot load ms",
                        "HUP reload, same file, ms", "HUP reload, touched file, ms", f"ready from DIMACS, {one} slow, ms", "DIMACS load ms",
                        "DIMACS / snapshot"], rows))
        self.add()
        with_ch = [(grid, f) for grid, f in sizes if f.get("ch") or f.get("contraction_s")]
        if with_ch:
            self.add("Contraction hierarchies of the sweep's graphs: *in the snapshot* is what `generate --format "
                     "snapshot` reports for contracting; the rest is `bench-routes --ch-only` (contracting again, then "
                     "random pairs of the largest component, each query alone, checked against bidirectional A*, "
                     "and whole random matrices).")
            self.add()
            rows = []
            for grid, f in with_ch:
                c = f.get("ch") or {}
                a = c.get("algorithms", {})
                m = {x["size"]: x["median_ms"] for x in c.get("matrices", [])}
                rows.append([f"{f['nodes']:,}", fmt(f.get("contraction_s"), 1),
                             fmt(c["ch"]["build_ms"] / 1000 if c else None, 1),
                             f"{c['ch']['arcs']:,}" if c else "–", fmt(a.get("ch", {}).get("p50_us"), 1),
                             fmt(a.get("ch", {}).get("p99_us"), 1), fmt(a.get("ch_path", {}).get("p50_us"), 1),
                             fmt(ms(a["ours"]["p50_us"]) if "ours" in a else None, 2), fmt(m.get(100), 1),
                             fmt(m.get(1000), 0), c.get("mismatches", "–")])
            self.add(table(["nodes", "contraction in the snapshot, s", "contraction, s", "hierarchy arcs",
                            "route p50 us", "route p99 us", "with path p50 us", "bidirectional A* p50 ms",
                            "100x100 ms", "1000x1000 ms", "mismatches"], rows))
            self.add()
        grid, largest = sizes[-1]
        ready = largest["snapshot"]["ready_s_p50"].get(one)
        self.target(f"start-up from a snapshot < {SNAPSHOT_STARTUP_S} s at {largest['nodes']:,} nodes "
                    f"({one} slow worker, median)",
                    f"{fmt(ready * 1000, 0)} ms (load {fmt(largest['snapshot']['graph_load_ms_p50'], 0)} ms, "
                    f"{fmt(mib(largest['snapshot_bytes']), 0)} MiB file)", ready < SNAPSHOT_STARTUP_S)

        self.add("Memory, cold (no request served): total PSS of the master and every worker, from "
                 "`/proc/PID/smaps_rollup`; the master and the fast worker map the graph too, so only the total is "
                 "comparable across worker counts. *Shmem*: the rise of `Shmem` in `/proc/meminfo` over the value "
                 "before start (machine-wide, so other processes add noise), while serving and at its peak during "
                 "each reload; in files' worth.")
        self.add()
        rows = []
        for grid, f in sizes:
            memory = f["snapshot"]["memory"]
            lo, hi = memory.get(one), memory.get(many)
            slow = [p for p in hi["processes"] if p["role"] == "slow"] if hi else []
            r = ratio(hi["total"]["pss"], lo["total"]["pss"]) if lo and hi else None
            serving = f["snapshot"]["shmem_added_bytes_p50"]
            peaks = [f["snapshot"][f"reload_{kind}_shmem_peak_added_bytes"] for kind in ("same", "touched")]
            rows.append([f"{f['nodes']:,}", fmt(mib(f["snapshot_bytes"]), 0), fmt(mib(lo["total"]["pss"]), 1),
                         fmt(mib(hi["total"]["pss"]), 1), fmt(r, 3),
                         fmt(mib(sum(p["pss"] for p in slow) / max(1, len(slow))), 1),
                         fmt(mib(sum(p["private"] for p in slow) / max(1, len(slow))), 2),
                         fmt(ratio(serving, f["snapshot_bytes"]), 2),
                         *(fmt(ratio(peak, f["snapshot_bytes"]), 2) for peak in peaks)])
            if r is not None:
                self.target(f"memory, snapshot of {f['nodes']:,} nodes: cold total PSS with {many} slow workers ≤ "
                            f"{SNAPSHOT_MEMORY_RATIO}x with {one}",
                            f"{fmt(mib(hi['total']['pss']), 1)} vs {fmt(mib(lo['total']['pss']), 1)} MiB = {fmt(r, 3)}x",
                            r <= SNAPSHOT_MEMORY_RATIO)
        self.add(table(["nodes", "snapshot MiB", f"total PSS, {one} slow, MiB", f"total PSS, {many} slow, MiB",
                        f"{many} / {one}", f"slow worker PSS (each, {many}), MiB",
                        f"slow worker private (each, {many}), MiB", "Shmem serving, files",
                        "Shmem peak, reload of the same file, files", "Shmem peak, reload of a touched file, files"],
                       rows))
        self.add()

        self.add("The defence's cost, from `bench-snapshot-load` (one process, medians): *sealed copy* is "
                 "`MappedFile::sealedCopy` (what the master does), split into *copy* (memfd, `sendfile(2)` into it, "
                 "as `sealedCopy` does) and *populate* (`MappedFile::sealMemfd`: seal, map with `MAP_POPULATE`); "
                 "each repetition releases its copy first, so that `sealedCopy` copies again; *plain map* maps the file itself (lazy), "
                 "*+ touch* then reads a byte of every page; *validation* is `viewSnapshot`, *again* is a second "
                 "`viewSnapshot` of the same mapping (the difference is the first read of each page), of which "
                 "*checksums* is XXH3 over the file. The file is in the page cache (just written).")
        self.add()
        rows = []
        for grid, f in sizes:
            s = f["load_steps"]
            rows.append([f"{f['nodes']:,}", fmt(mib(s["file_bytes"]), 0), fmt(s["sealed_copy_s"] * 1000, 1),
                         fmt(s["copy_s"] * 1000, 1), fmt(s["populate_s"] * 1000, 1),
                         fmt(s["plain_map_s"] * 1000, 2),
                         fmt(s["plain_map_touch_s"] * 1000, 1), fmt(ratio(s["sealed_copy_s"], s["plain_map_touch_s"]), 1),
                         fmt(s["validate_s"] * 1000, 1), fmt(s.get("revalidate_s", 0) * 1000, 1),
                         fmt(s["checksum_s"] * 1000, 1),
                         fmt(s["file_bytes"] / s["copy_s"] / 2**30, 2)])
        self.add(table(["nodes", "file MiB", "sealed copy ms", "copy ms", "populate ms", "plain map ms",
                        "plain map + touch ms", "sealed / plain + touch", "validation ms", "again ms", "checksums ms",
                        "copy GiB/s"], rows))
        self.add()
        lines = ["# nodes snapshot_ready_ms dimacs_ready_ms snapshot_load_ms"]
        for grid, f in sizes:
            text = f.get("dimacs")
            ready_text = text["ready_s_p50"].get(one) if text else None
            lines.append(f"{f['nodes']} {f['snapshot']['ready_s_p50'][one] * 1000:.1f} "
                         f"{ready_text * 1000 if ready_text else 'NaN'} {f['snapshot']['graph_load_ms_p50'] or 'NaN'}")
        self.add(self.gnuplot("sweep_startup", "\n".join(lines) + "\n", f"""set title "Start-up to every worker ready, by graph size (lower is better)"
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "nodes (log scale)"
set ylabel "ms (log scale)"
plot DATA using 1:2 with linespoints lw 2 title 'from the snapshot', DATA using 1:3 with linespoints lw 2 title 'from DIMACS text', DATA using 1:4 with linespoints dt 2 title 'snapshot: master load', {SNAPSHOT_STARTUP_S * 1000:.0f} with lines dt 2 lw 2 lc rgb "red" title 'target (snapshot)'
"""))
        self.add()

    def write(self):
        self.header()
        body_start = len(self.out)
        self.fast()
        self.isolation()
        self.scenario()
        self.scaling()
        self.memory()
        self.routes()
        self.throughput()
        self.startup()
        self.imports()
        self.sweep()
        body = self.out[body_start:]
        self.out = self.out[:body_start]
        self.add("## Targets")
        self.add()
        self.add(table(["target", "this run", ""], self.targets))
        self.add()
        self.out += body
        notes = os.path.join(HERE, "notes.md")
        if os.path.exists(notes):
            with open(notes) as f:
                self.add(f.read().rstrip())
            self.add()
        with open(os.path.join(self.dir, "report.md"), "w") as out:
            out.write("\n".join(self.out))


def main():
    if len(sys.argv) != 2:
        print("usage: report.py RESULTS_DIR", file=sys.stderr)
        sys.exit(64)
    Report(sys.argv[1]).write()
    print(os.path.join(sys.argv[1], "report.md"))


if __name__ == "__main__":
    main()
