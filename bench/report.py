#!/usr/bin/env python3
"""bench/report.py: turns bench/run's measurements into the printed table and the results JSON.

Every number comes from the records of this run (one JSON object per wrk/pgbench run); nothing is
hard-coded except the goals themselves. See bench/results/README.md for the JSON fields."""
import argparse
import json
import platform
import os
import sys

ROWS = [
    ("nginx_live", "nginx 2 workers, return 200 (small JSON)"),
    ("bare_health", "bare Poco hello-world GET /health"),
    ("host_health", "host GET /health (tracing; api-key exempt)"),
    ("host_live", "host GET /health/live (tracing; no DB check)"),
    ("host_auth_404", "host GET /no-route + key (tracing+api-key, 404)"),
    ("host_get_user", "host GET /users/:id (builder)"),
    ("node_get_user", "node GET /users/:id (express+pg)"),
    ("pgbench_select", "pgbench -S (simple protocol)"),
    ("pgbench_prepared", "pgbench -S -M prepared"),
    ("host_post_user", "host POST /users (insert returning)"),
    ("node_post_user", "node POST /users (express+pg)"),
    ("order_inproc", "POST /orders, orders->users call in-process"),
    ("order_http", "POST /orders, orders->users call over HTTP"),
    ("host_live_slowloris", "host GET /health/live, 500 slowloris conns held"),
    ("host_health_slowloris", "host GET /health, 500 slowloris conns held"),
    ("host_live_idle10k", "host GET /health/live, 10,000 idle conns held"),
]
SERVER = {"bare": "bare-poco", "host": "zintrust-host", "node": "node-peer", "nginx": "nginx", "pgbench": None}


def main():
    ap = argparse.ArgumentParser()
    for name in ["records", "out", "stamp", "levels", "duration", "pool-max", "pool-timeout-ms", "rss",
                 "inter-service", "auth-404", "seed-users", "load-before", "load-after", "other-builds",
                 "host-log-level", "pool-stats", "host-log-errors", "git", "label", "build-dir", "stall-log",
                 "high-levels"]:
        ap.add_argument("--" + name, required=True)
    a = ap.parse_args()

    records = [json.loads(line) for line in open(a.records) if line.strip()]
    levels = [int(x) for x in a.levels.split()]
    high_levels = [int(x) for x in a.high_levels.split()]
    all_levels = levels + [c for c in high_levels if c not in levels]
    rss_kib = json.loads(a.rss)
    pool_timeout_ms = int(a.pool_timeout_ms)
    by = {(r["row"], r["conns"]): r for r in records}

    # Machine stalls and hypervisor steal during each row (bench/stall_probe.py, /proc/stat).
    stalls = []
    if os.path.exists(a.stall_log):
        for line in open(a.stall_log):
            parts = line.split()
            if len(parts) == 2:
                stalls.append((float(parts[0]), float(parts[1])))
    for r in records:
        before, after = r.get("cpu_ticks_before", {}), r.get("cpu_ticks_after", {})
        if "time" in before and "time" in after:
            # a window that ends inside the row counts (its worst delay may be in the row)
            window = [ms for t, ms in stalls if before["time"] < t <= after["time"] + 0.1]
            r["machine_stall_ms"] = max(window) if window else None
            r["steal_ms"] = round((after["steal"] - before["steal"]) * 1000 / r["clk_tck"], 1)

    def rps(row, c):
        r = by.get((row, c))
        return r["rps"] if r else None

    def ratio(num, den):
        return round(num / den, 3) if num is not None and den else None

    def errors(row, c):
        r = by.get((row, c))
        return sum(r["errors"].values()) if r else None

    # ---- goals, per concurrency level
    goals = []

    def goal(name, c, value, target, what):
        goals.append({"goal": name, "conns": c, "value": value, "target": target,
                      "pass": value is not None and value >= target, "what": what})

    # ---- connections (docs/HTTP.md): the host's loop against nginx, attacks against itself
    for c in [64] + high_levels:
        v = ratio(rps("host_live", c), rps("nginx_live", c))
        errs = errors("host_live", c)
        goals.append({"goal": "live_vs_nginx", "conns": c, "value": v, "target": 0.9,
                      "pass": v is not None and v >= 0.9 and errs == 0,
                      "what": f"host /health/live / nginx, 0 socket errors (host: {errs})"})
    if ("host_live_slowloris", 64) in by:
        for row, base in (("host_live_slowloris", "host_live"), ("host_health_slowloris", "host_health")):
            v = ratio(rps(row, 64), rps(base, 64))
            goal(row + "_vs_without", 64, v, 0.8, f"{base} req/s with 500 slowloris / without")
            p99 = by[(row, 64)]["p99_us"] / 1000
            goals.append({"goal": row + "_p99_ms", "conns": 64, "value": p99, "target": 10,
                          "pass": p99 <= 10, "what": f"{base} p99 ms with 500 slowloris (goal <= 10)"})
    idle = by.get(("host_live_idle10k", 64))
    if idle:
        mib = (idle["rss_held_kib"] - idle["rss_before_kib"]) / 1024
        goals.append({"goal": "idle10k_rss_mib", "conns": 10000, "value": round(mib, 1), "target": 60,
                      "pass": mib <= 60, "what": "host RSS added by 10,000 idle conns, MiB (goal <= 60)"})
        p99 = idle["p99_us"] / 1000
        goals.append({"goal": "idle10k_p99_ms", "conns": 64, "value": p99, "target": 10, "pass": p99 <= 10,
                      "what": "/health/live p99 ms, 10,000 idle conns held (<= 10)"})
    gu = by.get(("host_get_user", 64))
    if gu:
        p99 = gu["p99_us"] / 1000
        goals.append({"goal": "get_user_p99_ms", "conns": 64, "value": p99, "target": 20, "pass": p99 <= 20,
                      "what": "host GET /users/:id p99 ms (goal <= 20)"})

    for c in levels:
        goal("health_vs_bare", c, ratio(rps("host_health", c), rps("bare_health", c)), 0.9,
             "host /health req/s / bare Poco req/s")
        goal("live_vs_bare", c, ratio(rps("host_live", c), rps("bare_health", c)), 0.9,
             "host /health/live req/s / bare Poco req/s (info)")
        if ("host_auth_404", c) in by:
            goal("auth_route_vs_bare", c, ratio(rps("host_auth_404", c), rps("bare_health", c)), 0.9,
                 "host unknown path + key (filters, no DB) / bare Poco")
        goal("get_user_vs_pgbench", c, ratio(rps("host_get_user", c), rps("pgbench_select", c)), 0.5,
             "host GET /users/:id req/s / pgbench -S tps")
        if ("pgbench_prepared", c) in by:
            goal("get_user_vs_pgbench_prepared", c, ratio(rps("host_get_user", c), rps("pgbench_prepared", c)),
                 0.8, "host GET /users/:id req/s / pgbench -S -M prepared tps")
        goal("get_user_vs_node", c, ratio(rps("host_get_user", c), rps("node_get_user", c)), 3.0,
             "host GET /users/:id req/s / node peer req/s")
        goals.append({"goal": "post_user_vs_node", "conns": c,
                      "value": ratio(rps("host_post_user", c), rps("node_post_user", c)), "target": None,
                      "pass": None, "what": "host POST /users req/s / node peer req/s (no goal set)"})
        if ("order_inproc", c) in by:
            goals.append({"goal": "order_http_vs_inproc", "conns": c,
                          "value": ratio(rps("order_http", c), rps("order_inproc", c)), "target": None,
                          "pass": None, "what": "POST /orders users-call over HTTP / in-process"})

    # ---- overload
    ov = next((r for r in records if r["row"] == "host_overload"), None)
    overload = None
    if ov:
        statuses = {int(k): v for k, v in ov.get("statuses", {}).items()}
        bad_5xx = {s: n for s, n in statuses.items() if s >= 500 and s != 503}
        sock = ov["errors"]
        bound_us = pool_timeout_ms * 1000 * 1.1
        overload = {
            "conns": ov["conns"], "pool_max": int(a.pool_max), "pool_timeout_ms": pool_timeout_ms,
            "rps": ov["rps"], "p50_us": ov["p50_us"], "p99_us": ov["p99_us"], "max_us": ov["max_us"],
            "statuses": {str(k): v for k, v in sorted(statuses.items())}, "socket_errors": sock,
            "checks": [
                {"check": "no 5xx other than 503", "pass": not bad_5xx, "detail": bad_5xx},
                {"check": "no socket errors/timeouts", "pass": sum(sock.values()) == 0, "detail": sock},
                {"check": "p99 <= 1.1 x DB_POOL_CONNECTION_TIMEOUT_MS", "pass": ov["p99_us"] <= bound_us,
                 "detail": {"p99_ms": ov["p99_us"] / 1000, "bound_ms": bound_us / 1000}},
            ],
        }

    result = {
        "timestamp": a.stamp, "git": a.git, "label": a.label, "build_dir": a.build_dir,
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                    "load_before": a.load_before, "load_after": a.load_after,
                    "other_compiler_processes_at_start": int(a.other_builds)},
        "settings": {"duration_s": int(a.duration), "levels": levels, "wrk_threads": "min(2, conns)",
                     "db_pool_max": int(a.pool_max), "db_pool_connection_timeout_ms": pool_timeout_ms,
                     "seed_users": int(a.seed_users), "host_log_level": a.host_log_level,
                     "auth_404_row": a.auth_404 == "1"},
        "runs": records, "goals": goals, "overload": overload,
        "peak_rss_kib": rss_kib, "inter_service": a.inter_service,
        "host_pool_stats_after": json.loads(a.pool_stats) if a.pool_stats not in ("", "null") else None,
        "host_log_error_lines": int(a.host_log_errors),
    }

    # ---- printed table
    out = []
    out.append(f"zintrust-host bench {a.stamp} (git {a.git}), {os.cpu_count()} cpus, {a.duration}s per row, "
               f"wrk -t min(2,c) --latency, DB_POOL_MAX={a.pool_max}, host LOG_LEVEL={a.host_log_level}")
    if a.label:
        out.append(f"label: {a.label} (binaries from {a.build_dir})")
    out.append(f"load before {a.load_before}, after {a.load_after}; compiler processes at start: {a.other_builds}")
    out.append("")
    hdr = (f"{'row':<50} {'conns':>5} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'non2xx':>7} {'sockerr':>7} "
           f"{'stall ms':>8} {'steal ms':>8}")
    out.append(hdr)
    out.append("-" * len(hdr))
    for c in all_levels:
        for row, label in ROWS:
            r = by.get((row, c))
            if r is None:
                continue
            stall = "-" if r.get("machine_stall_ms") is None else f"{r['machine_stall_ms']:.1f}"
            steal = "-" if r.get("steal_ms") is None else f"{r['steal_ms']:.0f}"
            if r["tool"] == "pgbench":
                out.append(f"{label:<50} {c:>5} {r['rps']:>10.0f} {'avg ' + format(r['latency_avg_ms'], '.3f'):>17} {'-':>7} {'-':>7} "
                           f"{stall:>8} {steal:>8}")
            else:
                errs = sum(r["errors"].values())
                out.append(f"{label:<50} {c:>5} {r['rps']:>10.0f} {r['p50_us']/1000:>8.3f} {r['p99_us']/1000:>8.3f} "
                           f"{r['non2xx3xx']:>7} {errs:>7} {stall:>8} {steal:>8}")
        out.append("")
    # CPU per request: where the two cores went during each row
    out.append("stall ms = the longest a real-time thread waited past its 5 ms sleep during the row (the whole machine "
               "stalled, not the server); steal ms = CPU time the hypervisor gave to other guests during the row.")
    out.append("")
    out.append("CPU per request (us of CPU time; server = the process under test, client = wrk/pgbench)")
    out.append(f"  {'row':<50} {'conns':>5} {'server':>8} {'postgres':>9} {'client':>7} {'total':>7}")
    server_of = {"bare": ["bare-poco"], "host": ["zintrust-host"], "node": ["node-peer"], "pgbench": [],
                 "nginx": ["nginx"], "order": ["zintrust-host", "zintrust-host (orders only)"]}
    for c in all_levels:
        for row, label in ROWS:
            r = by.get((row, c))
            if not r or "cpu_ticks_after" not in r or not r.get("requests"):
                continue
            per = 1e6 / r["clk_tck"] / r["requests"]
            delta = {k: r["cpu_ticks_after"][k] - r["cpu_ticks_before"].get(k, 0) for k in r["cpu_ticks_after"]}
            server = sum(delta[k] for k in server_of[row.split("_")[0]]) * per
            pg = delta["postgres"] * per
            client = r["client_ticks"] * per
            r["cpu_us_per_request"] = {"server": round(server, 1), "postgres": round(pg, 1), "client": round(client, 1)}
            out.append(f"  {label:<50} {c:>5} {server:>8.1f} {pg:>9.1f} {client:>7.1f} {server + pg + client:>7.1f}")
    out.append("")
    if a.auth_404 != "1":
        out.append("(no authenticated no-DB row: an unknown path without a key did not answer 401, so the 404 would skip auth)")
    out.append("The users plugin has no authenticated route without DB work; 'GET /no-route + key' times "
               "tracing -> api-key -> router 404 instead.")
    out.append("")
    out.append("Ratios (same run)                                   conns    value   goal   result")
    for g in goals:
        v = "-" if g["value"] is None else f"{g['value']:.2f}"
        t = "-" if g["target"] is None else (f"<={g['target']}" if g["goal"].endswith(("_ms", "_mib")) else f">={g['target']}")
        res = "-" if g["pass"] is None else ("PASS" if g["pass"] else "FAIL")
        out.append(f"  {g['what'][:50]:<50} {g['conns']:>5} {v:>8} {t:>6}   {res}")
    out.append("")
    if overload:
        out.append(f"Overload: GET /users/:id with {overload['conns']} connections = 4 x DB_POOL_MAX "
                   f"({overload['pool_max']}), DB_POOL_CONNECTION_TIMEOUT_MS={pool_timeout_ms}")
        out.append(f"  {overload['rps']:.0f} req/s, p50 {overload['p50_us']/1000:.3f} ms, p99 {overload['p99_us']/1000:.3f} ms, "
                   f"max {overload['max_us']/1000:.3f} ms")
        out.append("  responses by status: " + ", ".join(f"{k}: {v}" for k, v in overload["statuses"].items()))
        out.append("  socket errors: " + ", ".join(f"{k} {v}" for k, v in overload["socket_errors"].items()))
        for ch in overload["checks"]:
            out.append(f"  {'PASS' if ch['pass'] else 'FAIL'}  {ch['check']}  {json.dumps(ch['detail'])}")
        out.append("")
    out.append(f"Inter-service call (orders -> users), in-process and over HTTP: {a.inter_service}")
    out.append("  (POST /orders = jwt check, users GET /users/:id through call_service, then a transaction "
               "inserting the order and one item; price 0, so no payments call)")
    out.append("")
    out.append("Peak RSS (VmHWM at the end of the run): " +
               ", ".join(f"{k} {v / 1024:.1f} MiB" for k, v in rss_kib.items()))
    if int(a.host_log_errors):
        out.append(f"note: the host log had {a.host_log_errors} error/exception lines during the run")
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    out.append(f"results: {a.out}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
