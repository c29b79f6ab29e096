#!/usr/bin/env python3
"""Danbao benchmarks, each figure beside a yardstick measured in the same run (see bench/README.md).

Started by bench/run.sh, which passes its arguments through:
  --quick        a shorter run (~2 minutes after the build): fewer rounds, shorter loads, 32 clients only
  --head         build the committed HEAD (a `git archive` snapshot) instead of the working tree
  --work DIR     keep builds, logs and the Postgres cluster in DIR (default: a temp dir, removed at exit)
  --grpc-only    row 1 only, then the table
  --flood-only   the flood row only (GetLoan latency while unknown API keys flood WhoAmI), then the table
  --fund-only N  the fund's rows only (issue 12): reconciliation of icbc-gz holding N guaranteed loans
                 (2N journal lines on its account), the same statement under unknown loans (every line a
                 break), and the server's RSS peak while four banks upload 1,000,000-line statements at once

It builds the server (Release), the load driver and the reference C++ gRPC server, starts its own
durable Postgres cluster (fsync on) and the server, measures, prints a table and writes
bench/results/<UTC timestamp>.json. Every process it starts is stopped by PID at exit.
"""

import argparse
import base64
import datetime
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
NOTES = []  # CPU breakdowns and the like, printed under the table
GRPC_HEADERS = ["-H", "content-type: application/grpc", "-H", "te: trailers"]


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Every process we start, so that exit stops exactly those (by PID), newest first."""

    def __init__(self):
        self.started = []

    def start(self, name, argv, log_path, env=None):
        out = open(log_path, "w")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.started.append((name, p))
        return p

    def stop_all(self):
        for name, p in reversed(self.started):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def wait_for_line(path, pattern, process, timeout_s=180):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if process.poll() is not None:
            break
        with open(path, errors="replace") as f:
            if re.search(pattern, f.read()):
                return
        time.sleep(0.2)
    with open(path, errors="replace") as f:
        sys.stderr.write(f.read()[-4000:])
    raise SystemExit(f"bench: {path}: '{pattern}' not seen (process {'exited' if process.poll() is not None else 'still starting'})")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def memory_breakdown(pid):
    """VmRSS and its parts (RssAnon: heap, stacks, native; RssFile: mapped code; RssShmem: JIT'd code, double-mapped), MB."""
    parts = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name = line.split(":", 1)[0]
            if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                parts[name] = int(line.split()[1]) / 1024
    return parts


def breakdown_text(parts):
    return ", ".join(f"{k} {parts[k]:.0f}" for k in ("RssAnon", "RssFile", "RssShmem") if k in parts)


TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def tree_ticks(pid):
    """CPU ticks of Postgres: the postmaster, its reaped children and its live backends."""
    def fields(p):
        try:
            with open(f"/proc/{p}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
    own = fields(pid)
    total = sum(int(x) for x in own[11:15]) if own else 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = fields(int(entry))
            if f and int(f[1]) == pid:
                total += int(f[11]) + int(f[12])
    return total


def children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv, **kwargs):
    done = subprocess.run(argv, text=True, capture_output=True, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv[:4])}… failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


# --- gRPC layer ------------------------------------------------------------------------------

def grpc_status(url, body, headers):
    """h2load counts any HTTP 200 as a success, so one call first must show grpc-status 0."""
    out = subprocess.run(["nghttp", "-nv", "-d", body, *GRPC_HEADERS, *headers, url], text=True, capture_output=True).stdout
    m = re.search(r"grpc-status: (\d+)", out)
    return m.group(1) if m else "none"


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def h2load(url, body, headers, clients, streams, requests, pid):
    before = cpu_ticks(pid)
    out = run(["h2load", f"-c{clients}", f"-m{streams}", "-t1", "-n", str(requests), "-d", body, *GRPC_HEADERS, *headers, url])
    ticks = cpu_ticks(pid) - before
    m = re.search(r"requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
    if not m or int(m.group(3)) or int(m.group(4)) or int(m.group(2)) != requests:
        raise SystemExit(f"bench: h2load saw failures against {url}:\n{out}")
    rate = float(re.search(r"finished in [^,]+, ([\d.]+) req/s", out).group(1))
    req = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)", out)
    return {
        "calls_per_second": rate,
        "mean_ms": to_ms(req.group(3)),
        "max_ms": to_ms(req.group(2)),
        "cpu_us_per_call": ticks * 1e6 / TICKS_PER_SECOND / requests,
        "rss_mb": rss_mb(pid),
    }


def bench_grpc(ctx, quick):
    body = os.path.join(ctx.work, "empty.bin")
    with open(body, "wb") as f:
        f.write(b"\0\0\0\0\0")  # an empty message: not compressed, length 0
    auth = ["-H", f"authorization: Bearer {ctx.keys['icbc-gz']}"]
    targets = {
        "danbao EmptyCall": (f"{ctx.server_url}/grpc.testing.TestService/EmptyCall", [], ctx.server.pid),
        "C++ EmptyCall": (f"{ctx.ref_url}/grpc.testing.TestService/EmptyCall", [], ctx.ref.pid),
        "danbao WhoAmI (auth)": (f"{ctx.server_url}/danbao.v1.IdentityService/WhoAmI", auth, ctx.server.pid),
        # Diagnostic: the same server binary with the per-call log line off, to show what that line costs.
        "danbao EmptyCall, call log off": (f"{ctx.quiet_url}/grpc.testing.TestService/EmptyCall", [], ctx.quiet.pid),
    }
    for name, (url, headers, _) in targets.items():
        status = grpc_status(url, body, headers)
        if status != "0":
            raise SystemExit(f"bench: {name} answered grpc-status {status}, not 0")
    # Warm-up: tiered JIT and PGO settle over the first 100k+ calls.
    for name, (url, headers, pid) in targets.items():
        h2load(url, body, headers, 16, 32, 30_000 if quick else 150_000, pid)
    configs = [(16, 32, 30_000 if quick else 100_000), (1, 1, 2_000 if quick else 5_000)]
    rounds = 1 if quick else 3
    results = {}
    for clients, streams, requests in configs:
        for r in range(rounds):
            for name, (url, headers, pid) in targets.items():  # alternating, so drift hits all alike
                m = h2load(url, body, headers, clients, streams, requests, pid)
                key = f"c{clients}m{streams}"
                results.setdefault(key, {}).setdefault(name, []).append(m)
                log(f"grpc {key} {name}: {m['calls_per_second']:.0f} calls/s, {m['cpu_us_per_call']:.1f} µs CPU/call")
    rows = []
    for key, by_target in results.items():
        best = {name: max(runs, key=lambda m: m["calls_per_second"]) for name, runs in by_target.items()}
        ref = best["C++ EmptyCall"]
        for name in ("danbao EmptyCall", "danbao WhoAmI (auth)", "danbao EmptyCall, call log off"):
            ours = best[name]
            NOTES.append(f"gRPC {key} {name}: {ours['cpu_us_per_call']:.1f} µs server CPU/call, mean latency {ours['mean_ms']:.2f} ms, "
                         f"RSS {ours['rss_mb']:.0f} MB; C++: {ref['cpu_us_per_call']:.1f} µs/call, {ref['mean_ms']:.2f} ms, RSS {ref['rss_mb']:.0f} MB")
            diagnostic = "log off" in name
            rows.append(row("1", f"gRPC {name} h2load {key}" + (" (diagnostic)" if diagnostic else ""), ours["calls_per_second"],
                            ref["calls_per_second"], "calls/s", "C++ callback EmptyCall",
                            # Issue 10: EmptyCall >= 1.5x and authenticated WhoAmI >= 1.3x at c16m32, c1m1 EmptyCall >= 1.0x.
                            target=None if diagnostic else (">=", 1.5 if "EmptyCall" in name else 1.3) if key == "c16m32"
                            else (">=", 1.0) if name == "danbao EmptyCall" else None, details={
                                "ours": ours, "yardstick": ref, "all_runs": by_target[name], "yardstick_runs": by_target["C++ EmptyCall"]}))
    return rows


# --- rows and table --------------------------------------------------------------------------

def row(number, name, ours, yardstick, unit, yardstick_name, target=None, ratio=None, details=None, absolute_target=None, note=""):
    """ratio: ours / yardstick unless given (for times, the caller passes the right way round)."""
    if ratio is None and ours is not None and yardstick:
        ratio = ours / yardstick
    met = None
    checks = []
    if target is not None and ratio is not None:
        checks.append(ratio >= target[1] if target[0] == ">=" else ratio <= target[1])
    if absolute_target is not None and ours is not None:
        checks.append(ours >= absolute_target[1] if absolute_target[0] == ">=" else ours <= absolute_target[1])
    if checks:
        met = all(checks)
    return {"row": number, "name": name, "ours": ours, "unit": unit, "yardstick": yardstick, "yardstick_name": yardstick_name,
            "ratio": ratio, "target_ratio": target, "target_absolute": absolute_target, "met": met, "note": note,
            "details": details or {}}


def fmt(value):
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def print_table(rows):
    lines = ["| # | measure | ours | yardstick | ratio | target | met |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["ours"] is None:
            lines.append(f"| {r['row']} | {r['name']} | {r['note']} | | | | |")
            continue
        targets = []
        if r["target_ratio"]:
            targets.append(f"ratio {r['target_ratio'][0]} {r['target_ratio'][1]}")
        if r["target_absolute"]:
            targets.append(f"{r['target_absolute'][0]} {fmt(r['target_absolute'][1])} {r['unit']}")
        yard = f"{fmt(r['yardstick'])} ({r['yardstick_name']})" if r["yardstick"] is not None else "-"
        met = {True: "yes", False: "**no**", None: ""}[r["met"]]
        name = r["name"] + (f" — {r['note']}" if r["note"] else "")
        lines.append(f"| {r['row']} | {name} | {fmt(r['ours'])} {r['unit']} | {yard} | {fmt(r['ratio'])} | {', '.join(targets)} | {met} |")
    return "\n".join(lines)


# --- Postgres and the write/read paths -------------------------------------------------------

def psql(ctx, sql, db="danbao"):
    return run(["psql", "-h", "127.0.0.1", "-p", str(ctx.pg_port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql])


def pgbench(ctx, args, db, clients, seconds):
    pg_before, client_before = tree_ticks(ctx.pg_pid), children_cpu_s()
    out = run(["pgbench", "-h", "127.0.0.1", "-p", str(ctx.pg_port), "-U", "postgres", "-n", "-M", "prepared",
               "-c", str(clients), "-j", str(min(2, clients)), "-T", str(seconds), "-r", *args, db])
    pg_ticks, client_s = tree_ticks(ctx.pg_pid) - pg_before, children_cpu_s() - client_before
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    transactions = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    return {"tps": tps, "latency_avg_ms": float(latency.group(1)) if latency else None, "transactions": transactions,
            "postgres_cpu_us_per_call": pg_ticks * 1e6 / TICKS_PER_SECOND / max(1, transactions),
            "client_cpu_us_per_call": client_s * 1e6 / max(1, transactions)}


def statement_profile(ctx, db, per_statement_like):
    """Statements Postgres ran in db since the last reset: per call of the statement matching per_statement_like."""
    rows = psql(ctx, f"""
        select calls, round(total_exec_time::numeric, 1), regexp_replace(query, '\\s+', ' ', 'g')
        from pg_stat_statements s join pg_database d on d.oid = s.dbid
        where d.datname = '{db}' order by total_exec_time desc""").strip().splitlines()
    parsed = [(int(c), float(t), q) for c, t, q in (line.split("|", 2) for line in rows if line)]
    per = sum(c for c, _, q in parsed if per_statement_like.lower() in q.lower()) or 1
    return {
        "statements_per_call": sum(c for c, _, _ in parsed) / per,
        "exec_ms_per_call": sum(t for _, t, _ in parsed) / per,
        "top": [{"calls_per_call": c / per, "exec_ms_per_call": t / per, "query": q[:100]} for c, t, q in parsed[:10]],
    }


def reset_statements(ctx):
    psql(ctx, "select pg_stat_statements_reset()")


# Seconds of load before each write and read measurement. .NET compiles a method quickly first and
# optimised later (tiered JIT), in the background: with 2 s, much of the measured window still ran
# unoptimised code and the JIT itself (11% of the server's samples, 2.5x the per-call CPU of the same
# server a minute later). pgbench has nothing to warm; a server runs for days. The JIT's background
# compilation competes for the same 2 cores: at load ~15, 6 s of warm-up gave GetLoan 2,142 calls/s
# (347 µs server CPU a call) and 30 s gave 7,098 (91 µs), on the same server build and database.
WARMUP_S = 30


def driver(ctx, *args):
    out = run(["dotnet", ctx.driver_dll, *args, "--address", ctx.server_url, "--keys", ctx.keys_file])
    return json.loads(out.strip().splitlines()[-1])


def bench_write(ctx, quick):
    log("pgbench -i -s 32 (TPC-B yardstick tables)")
    psql(ctx, "create database pgbench", db="postgres")
    run(["pgbench", "-h", "127.0.0.1", "-p", str(ctx.pg_port), "-U", "postgres", "-i", "-q", "-s", "32", "pgbench"])
    seconds = 5 if quick else 10
    rows = []
    for clients in ([32] if quick else [1, 8, 32, 128]):
        reset_statements(ctx)
        yard = pgbench(ctx, [], "pgbench", clients, seconds)
        yard_profile = statement_profile(ctx, "pgbench", "insert into pgbench_history")
        reset_statements(ctx)
        metrics_before = metrics_text(ctx)
        groups_before, trips_before = write_groups(metrics_before), round_trips(metrics_before)
        ours = driver(ctx, "repay", "--loans", ctx.loans_file, "--clients", str(clients), "--seconds", str(seconds),
                      "--warmup", str(WARMUP_S), "--pid", str(ctx.server.pid), "--pg-pid", str(ctx.pg_pid))
        metrics_after = metrics_text(ctx)
        groups_after = write_groups(metrics_after)
        ours["round_trips_per_call"] = round_trips_per_call(trips_before, round_trips(metrics_after))
        if groups_after:
            calls, groups, aborted = (a - b for a, b in zip(groups_after, groups_before or (0, 0, 0)))
            ours["write_groups"] = {"calls": calls, "groups": groups, "aborted": aborted}
            NOTES.append(f"RecordRepayment, {clients} clients, warm-up included: {calls / max(1, groups):.1f} calls per committed "
                         f"group ({groups:,.0f} groups), {aborted:,.0f} groups aborted")
        profile = statement_profile(ctx, "danbao", "insert into loan_repayments")
        ours["statements"], yard["statements"] = profile, yard_profile
        if clients == 32:
            NOTES.append(f"Postgres per call, 32 clients: RecordRepayment runs {profile['statements_per_call']:.1f} statements, "
                         f"{profile['exec_ms_per_call']:.2f} ms execution; TPC-B {yard_profile['statements_per_call']:.1f} statements, "
                         f"{yard_profile['exec_ms_per_call']:.2f} ms. RecordRepayment's costliest: "
                         + "; ".join(f"{t['exec_ms_per_call']:.2f} ms {t['query'][:60]}" for t in profile["top"][:5]))
        failed = f", {ours['failures']} FAILED: {ours['first_error']}" if ours["failures"] else ""
        if failed:
            log(f"RecordRepayment at {clients} clients failed {ours['failures']} times: {ours['first_error']}")
        log(f"write c={clients}: ours {ours['calls_per_second']:.0f}/s p99 {ours['p99_ms']:.1f} ms, pgbench TPC-B {yard['tps']:.0f} tps")
        main = clients == 32
        rows.append(row("2" if main else "7", f"RecordRepayment, {clients} clients (p50 {ours['p50_ms']:.1f} ms, p99 {ours['p99_ms']:.1f} ms{failed})",
                        ours["calls_per_second"], yard["tps"], "calls/s", f"pgbench -M prepared TPC-B, {clients} clients, tps",
                        target=(">=", 1.0) if main else ((">=", 0.8) if clients == 128 else None), details={"ours": ours, "yardstick": yard}))
        trips = f", {ours['round_trips_per_call']:.2f} round trips to PostgreSQL a call" if ours["round_trips_per_call"] is not None else ""
        NOTES.append(f"CPU per call, {clients} clients: RecordRepayment = server {ours['server_cpu_us_per_call']:.0f} µs + Postgres "
                     f"{ours['postgres_cpu_us_per_call']:.0f} µs + load driver {ours['driver_cpu_us_per_call']:.0f} µs{trips}; pgbench TPC-B = Postgres "
                     f"{yard['postgres_cpu_us_per_call']:.0f} µs + pgbench client {yard['client_cpu_us_per_call']:.0f} µs")
        if main:
            rows.append(row("2", "RecordRepayment p99 latency, 32 clients", ours["p99_ms"], yard["latency_avg_ms"], "ms",
                            "pgbench TPC-B average latency", absolute_target=("<=", 25), details={"ours": ours}))
            rows.append(row("6", "server RSS peak during the write benchmark (32 clients)", ours["server_rss_peak_mb"], None, "MB", "",
                            absolute_target=("<=", 300)))
    return rows


def bench_read(ctx, quick):
    psql(ctx, "create table bench_ids as select row_number() over (order by id)::int as n, id from loans;"
              "alter table bench_ids add primary key (n); analyze loans; analyze bench_ids")
    count = int(psql(ctx, "select count(*) from bench_ids").strip())
    get_sql = os.path.join(ctx.work, "get.sql")
    with open(get_sql, "w") as f:
        f.write(f"\\set n random(1, {count})\nselect * from loans where id = (select id from bench_ids where n = :n);\n")
    list_sql = os.path.join(ctx.work, "list.sql")
    with open(list_sql, "w") as f:
        f.write("select * from loans where bank_id = 'icbc-gz' order by created_at desc, id desc limit 50;\n")
    seconds = 5 if quick else 10
    rows = []
    for kind, script, label in (("get", get_sql, "GetLoan by id"), ("list", list_sql, "ListLoans first page (50)")):
        yard = pgbench(ctx, ["-f", script], "danbao", 32, seconds)
        reset_statements(ctx)
        trips_before = round_trips(metrics_text(ctx))
        ours = driver(ctx, kind, "--loans", ctx.loans_file, "--clients", "32", "--seconds", str(seconds), "--warmup", str(WARMUP_S),
                      "--pid", str(ctx.server.pid), "--pg-pid", str(ctx.pg_pid))
        ours["round_trips_per_call"] = round_trips_per_call(trips_before, round_trips(metrics_text(ctx)))
        profile = statement_profile(ctx, "danbao", "from loans")
        ours["statements"] = profile
        NOTES.append(f"Postgres per {label}: {profile['statements_per_call']:.1f} statements (per statement that reads from loans), "
                     f"{profile['exec_ms_per_call']:.2f} ms execution; top: "
                     + "; ".join(f"{t['calls_per_call']:.1f}× {t['exec_ms_per_call']:.2f} ms {t['query'][:60]}" for t in profile["top"][:4]))
        if ours["failures"]:
            label += f", {ours['failures']} FAILED: {ours['first_error']}"

        trips = f", {ours['round_trips_per_call']:.2f} round trips to PostgreSQL a call" if ours["round_trips_per_call"] is not None else ""
        NOTES.append(f"CPU per call, {label}: server {ours['server_cpu_us_per_call']:.0f} µs + Postgres {ours['postgres_cpu_us_per_call']:.0f} µs"
                     f" + load driver {ours['driver_cpu_us_per_call']:.0f} µs{trips}; pgbench SELECT = Postgres {yard['postgres_cpu_us_per_call']:.0f} µs"
                     f" + pgbench client {yard['client_cpu_us_per_call']:.0f} µs")
        log(f"read {kind}: ours {ours['calls_per_second']:.0f}/s, pgbench select {yard['tps']:.0f}/s")
        rows.append(row("3", f"{label}, 32 clients (p99 {ours['p99_ms']:.1f} ms, {ours['server_cpu_us_per_call']:.0f} µs server CPU/call)",
                        ours["calls_per_second"], yard["tps"], "calls/s", "pgbench -M prepared, the same SELECT, 32 clients",
                        target=(">=", 0.6 if kind == "get" else 0.5), details={"ours": ours, "yardstick": yard}))
    return rows


# --- flood of unknown API keys (issue 14) ----------------------------------------------------

FLOOD_RATE = 4_000            # calls/s of unknown keys: h2load --rps is per connection
FLOOD_CONNECTIONS = 4
FLOOD_GET_CLIENTS = 2         # the legitimate bank: 2 closed-loop GetLoan workers on one connection


def unknown_api_key():
    """A well-formed API key (ApiKeySecret: dbk_{12 of [a-z0-9]}_{base64url of 32 bytes}) that no one was issued."""
    key_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return f"dbk_{key_id}_{secret}"


GRPC_STATUS_NAMES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                     "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
                     "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]


def metrics_text(ctx):
    """The server's /metrics (Prometheus text), or None when the build has no --metrics-port."""
    if not ctx.metrics_url:
        return None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through an http_proxy
    with opener.open(f"{ctx.metrics_url}/metrics", timeout=10) as response:
        return response.read().decode()


def call_counts(ctx):
    """Calls completed, from the server's /metrics: {(method, code): calls}, e.g. ("/danbao.v1.IdentityService/WhoAmI",
    "UNAUTHENTICATED"); {} when the build has no --metrics-port. Read from the OpenTelemetry histogram rpc.server.duration
    (rpc_server_duration_milliseconds_count, labels rpc_service, rpc_method, rpc_grpc_status_code) or, in a build from
    before it (--rev), from grpc_server_handled_total."""
    text = metrics_text(ctx)
    if text is None:
        return {}
    counts = {}
    for m in re.finditer(r'^(rpc_server_duration_milliseconds_count|grpc_server_handled_total)\{([^}]*)\} (\d+)$', text, re.M):
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
        if m.group(1) == "grpc_server_handled_total":
            key = (labels["grpc_method"], labels["grpc_code"])
        else:
            code = int(labels["rpc_grpc_status_code"])
            key = (f"/{labels['rpc_service']}/{labels['rpc_method']}", GRPC_STATUS_NAMES[code] if code < len(GRPC_STATUS_NAMES) else str(code))
        counts[key] = counts.get(key, 0) + int(m.group(3))
    return counts


def metric_total(text, name):
    """The sum of a Prometheus family's series in /metrics text (every label set)."""
    return sum(float(v) for v in re.findall(rf'^{name}(?:\{{[^}}]*\}})? ([\d.e+]+)$', text, re.M))


def write_groups(text):
    """RecordRepayment's group commit so far, from /metrics text (metrics_text): (calls committed in groups, groups,
    groups aborted); None when the build has no metrics port or no groups (a build from before them, or --write-group-lanes 0)."""
    if text is None:
        return None
    calls, groups = metric_total(text, "danbao_write_group_size_sum"), metric_total(text, "danbao_write_group_size_count")
    return (calls, groups, metric_total(text, "danbao_write_group_aborted_total")) if groups else None


def round_trips(text):
    """(calls of every method completed, PostgreSQL round trips) so far, from /metrics text (metrics_text): a round trip
    is one Npgsql operation (a command or a batch; COMMIT is not one), db_client_operation_duration_seconds_count over
    every pool; None when the build has no metrics port."""
    if text is None:
        return None
    return metric_total(text, "rpc_server_duration_milliseconds_count"), metric_total(text, "db_client_operation_duration_seconds_count")


def round_trips_per_call(before, after):
    """Round trips per call between two round_trips() (warm-up included; the health check's and the reference data's
    few reads too); None when unknown."""
    if not before or not after or after[0] <= before[0]:
        return None
    return (after[1] - before[1]) / (after[0] - before[0])


def calls_since(before, after, method):
    """Calls of method (e.g. "/WhoAmI") completed between two call_counts, by status code."""
    delta = {}
    for (name, code), count in after.items():
        if name.endswith(method) and count - before.get((name, code), 0) > 0:
            delta[code] = count - before.get((name, code), 0)
    return delta


def bench_flood(ctx, quick):
    """GetLoan of a real icbc-gz loan (p50/p99, FLOOD_GET_CLIENTS closed-loop workers), unloaded and then while h2load
    floods /danbao.v1.IdentityService/WhoAmI with an unknown, well-formed API key at ~FLOOD_RATE calls/s. Target: the
    flooded p99 within 2x the unloaded one, with no GetLoan refused. The flood and the bank share the peer address
    127.0.0.1 (the bank behind the attacker's NAT), so the per-peer failure limit applies to both."""
    body = os.path.join(ctx.work, "empty.bin")
    with open(body, "wb") as f:
        f.write(b"\0\0\0\0\0")  # WhoAmIRequest: empty, not compressed
    whoami = f"{ctx.server_url}/danbao.v1.IdentityService/WhoAmI"
    # h2load counts any HTTP 200 as a success: one call each first must show the grpc-status we expect.
    status = grpc_status(whoami, body, ["-H", f"authorization: Bearer {ctx.keys['icbc-gz']}"])
    if status != "0":
        raise SystemExit(f"bench: WhoAmI with icbc-gz's key answered grpc-status {status}, not 0")
    status = grpc_status(whoami, body, ["-H", f"authorization: Bearer {unknown_api_key()}"])
    if status != "16":
        raise SystemExit(f"bench: WhoAmI with an unknown key answered grpc-status {status}, not 16 (UNAUTHENTICATED)")
    seconds = 5 if quick else 10
    rounds = 1 if quick else 2
    unloaded, flooded, floods = [], [], []

    def get_loans():
        return driver(ctx, "get", "--loans", ctx.loans_file, "--clients", str(FLOOD_GET_CLIENTS), "--seconds", str(seconds),
                      "--warmup", "2", "--pid", str(ctx.server.pid), "--pg-pid", str(ctx.pg_pid))

    for r in range(rounds):
        before = call_counts(ctx)
        quiet = get_loans()
        quiet["statuses"] = calls_since(before, call_counts(ctx), "/GetLoan")
        unloaded.append(quiet)
        log(f"flood round {r + 1}: GetLoan unloaded p50 {quiet['p50_ms']:.2f} ms, p99 {quiet['p99_ms']:.2f} ms, "
            f"{quiet['calls_per_second']:.0f} calls/s, {quiet['failures']} failed")

        # The flood outlasts the driver's start (~1 s), warm-up (2 s) and measuring window, with margin; checked below.
        flood_s = seconds + 8
        flood_out = os.path.join(ctx.work, f"flood-{r}.txt")
        before = call_counts(ctx)
        server_before, pg_before, started = cpu_ticks(ctx.server.pid), tree_ticks(ctx.pg_pid), time.perf_counter()
        with open(flood_out, "w") as out:
            flood = subprocess.Popen(["h2load", f"-c{FLOOD_CONNECTIONS}", "-m16", "-t1", f"--rps={FLOOD_RATE // FLOOD_CONNECTIONS}",
                                      "-D", str(flood_s), "-d", body, *GRPC_HEADERS,
                                      "-H", f"authorization: Bearer {unknown_api_key()}", whoami],
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            time.sleep(1)  # the flood at full rate (and the peer's failure budget spent) before the bank starts
            loud = get_loans()
            covered = flood.poll() is None  # the flood still ran when the measuring window ended
            flood.wait(timeout=flood_s + 60)
        finally:
            if flood.poll() is None:
                flood.kill()
                flood.wait()
        elapsed = time.perf_counter() - started
        server_s = (cpu_ticks(ctx.server.pid) - server_before) / TICKS_PER_SECOND
        pg_s = (tree_ticks(ctx.pg_pid) - pg_before) / TICKS_PER_SECOND
        after = call_counts(ctx)
        loud["statuses"] = calls_since(before, after, "/GetLoan")
        flooded.append(loud)
        with open(flood_out) as f:
            text = f.read()
        rate = re.search(r"finished in [^,]+, ([\d.]+) req/s", text)
        requests = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", text)
        if not rate or not requests:
            raise SystemExit(f"bench: the flood's h2load output is not understood (exit {flood.returncode}):\n{text[-3000:]}")
        fl = {"calls_per_second": float(rate.group(1)), "calls": int(requests.group(3)), "http_failed": int(requests.group(5)),
              "errored": int(requests.group(6)), "seconds": flood_s, "covered_measuring_window": covered,
              "statuses": calls_since(before, after, "/WhoAmI"),
              "server_cores_busy": server_s / elapsed, "postgres_cores_busy": pg_s / elapsed}
        floods.append(fl)
        log(f"flood round {r + 1}: GetLoan during the flood p50 {loud['p50_ms']:.2f} ms, p99 {loud['p99_ms']:.2f} ms, "
            f"{loud['calls_per_second']:.0f} calls/s, {loud['failures']} failed ({loud['first_error']}); flood {fl['calls_per_second']:.0f} "
            f"calls/s, statuses {fl['statuses']}, server {fl['server_cores_busy']:.2f} cores busy")
        # The peer's failure budget (50, refilled at 10/s) must be whole again before anything else runs from 127.0.0.1.
        time.sleep(6)

    quiet = min(unloaded, key=lambda m: m["p99_ms"])  # best of the rounds, each side
    loud = min(flooded, key=lambda m: m["p99_ms"])
    fl = floods[flooded.index(loud)]
    failures = sum(m["failures"] for m in flooded)
    errors = {e for e in (m["first_error"] for m in flooded) if e}
    statuses = ", ".join(f"{n:,} {code}" for code, n in sorted(fl["statuses"].items(), key=lambda kv: -kv[1]))
    problems = []
    unloaded_failures = sum(m["failures"] for m in unloaded)
    if unloaded_failures:
        problems.append(f"{unloaded_failures:,} GetLoan calls failed even without the flood")
    if failures:
        problems.append(f"{failures:,} GetLoan calls FAILED during the flood: {'; '.join(sorted(errors))[:200]}")
    if any(not f["covered_measuring_window"] for f in floods):
        problems.append("the flood ended before the measuring window did")
    if fl["calls_per_second"] < 0.9 * FLOOD_RATE:
        problems.append(f"the flood reached only {fl['calls_per_second']:,.0f} of {FLOOD_RATE:,} calls/s")
    result = row("flood", f"GetLoan p99 during a flood of unknown API keys on WhoAmI ({fl['calls_per_second']:,.0f} calls/s achieved, "
                          f"{FLOOD_CONNECTIONS} connections from the bank's address; flood got {statuses or 'no calls counted'}): "
                          f"p50 {loud['p50_ms']:.2f} ms, p99 {loud['p99_ms']:.2f} ms vs unloaded p50 {quiet['p50_ms']:.2f} ms, "
                          f"p99 {quiet['p99_ms']:.2f} ms ({FLOOD_GET_CLIENTS} GetLoan clients)",
                 loud["p99_ms"], quiet["p99_ms"], "ms", "GetLoan p99 unloaded", target=("<=", 2.0),
                 details={"unloaded": unloaded, "flooded": flooded, "floods": floods}, note="; ".join(problems))
    if problems:
        result["met"] = False
    NOTES.append(f"flood: server {fl['server_cores_busy']:.2f} cores and Postgres {fl['postgres_cores_busy']:.2f} cores busy while "
                 f"{fl['calls_per_second']:,.0f} calls/s of an unknown key were refused ({statuses}; h2load: {fl['calls']:,} calls, "
                 f"{fl['http_failed']} HTTP failures, {fl['errored']} errored); GetLoan during the flood {loud['calls_per_second']:.0f} calls/s, "
                 f"statuses {loud['statuses']}; unloaded {quiet['calls_per_second']:.0f} calls/s")
    return [result]


def bench_copy(ctx, rows_count):
    """The yardstick of row 4: COPY of rows_count loan-sized rows into a fresh table."""
    data = os.path.join(ctx.work, "copy.csv")
    with open(data, "w") as f:
        for i in range(rows_count):
            f.write(f"L{i:020d},icbc-gz,CN-GD-GZ,CURRENT,20000000,350,2025-06-20,2027-06-20\n")
    psql(ctx, "create table bench_copy (id text primary key, bank_id text, region_code text, state text, amount_fen bigint,"
              " rate_bp int, disbursement_date date, maturity_date date)")
    start = time.perf_counter()
    run(["psql", "-h", "127.0.0.1", "-p", str(ctx.pg_port), "-U", "postgres", "-d", "danbao", "-v", "ON_ERROR_STOP=1", "-qc",
         f"\\copy bench_copy from '{data}' with (format csv)"])
    elapsed = time.perf_counter() - start
    psql(ctx, "drop table bench_copy")
    os.remove(data)
    return elapsed


def psql_pipe(ctx, copy_out_sql, copy_in_sql):
    """COPY rows out of one query and into a table, psql to psql; returns seconds."""
    base = ["psql", "-h", "127.0.0.1", "-p", str(ctx.pg_port), "-U", "postgres", "-d", "danbao", "-v", "ON_ERROR_STOP=1", "-qc"]
    start = time.perf_counter()
    out = subprocess.Popen(base + [f"copy ({copy_out_sql}) to stdout"], stdout=subprocess.PIPE)
    subprocess.run(base + [f"copy {copy_in_sql} from stdin"], stdin=out.stdout, check=True, capture_output=True)
    out.stdout.close()
    if out.wait() != 0:
        raise SystemExit("bench: copy out failed")
    return time.perf_counter() - start


def bench_settlement(ctx, scales, copy_s, first_prefix=0):
    """Row 4: active loans cloned by COPY from a loan the API disbursed, each with a Q3 2026 interest payment,
    then a claim: lines (one StreamSubsidyClaimLines call, 10,000 a message), submit, approve all, settle (one ledger
    payment with per-loan lines); the server's peak RSS over the whole run is sampled (target ≤ 200 MB)."""
    with open(ctx.loans_file) as f:
        template = f.readline().strip().split("/", 1)[1]
    columns = psql(ctx, "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns "
                        "where table_schema = 'public' and table_name = 'loans'").strip().split(",")
    rows = []
    for k, count in enumerate(scales):
        prefix = "L" + "BCDEFGHJK"[first_prefix + k]
        ident = f"'{prefix}' || lpad(g::text, 14, '0')"
        select = ", ".join(ident if c == "id" else f"t.{c}" for c in columns)
        seed_loans_s = psql_pipe(ctx, f"select {select} from loans t cross join generate_series(1, {count}) g where t.id = '{template}'",
                                 f"loans ({','.join(columns)})")
        # The first year's interest, paid 2026-06-20 for [2025-06-20, 2026-06-20) (without it nothing is paid in full
        # before Q3, and a Q3 line is deferred, NOT_PAYABLE), then the quarter's, paid 2026-09-20 for
        # [2026-06-20, 2026-09-20): each more than the interest due.
        seed_repay_s = psql_pipe(ctx, f"select {ident}, p.paid, p.fen, p.fen, 0, p.since, p.paid, 'bench-' || g || p.tag "
                                      f"from generate_series(1, {count}) g cross join (values (date '2026-06-20', 5000000, date '2025-06-20', '-y'), "
                                      f"(date '2026-09-20', 300000, date '2026-06-20', '-q')) as p(paid, fen, since, tag)",
                                 "loan_repayments (loan_id, paid_date, amount_fen, interest_fen, principal_fen, interest_from_date, "
                                 "interest_to_date, request_id)")
        # The database as a claim finds it: the loans and repayments were written months before, long since vacuumed
        # (hint bits set, pages all-visible) and checkpointed. Without this the claim's reads set the freshly copied
        # rows' hint bits and write the pages out again, and autovacuum and the checkpointer start in the middle of it.
        vacuum_s = time.perf_counter()
        psql(ctx, "vacuum (analyze)")
        psql(ctx, "checkpoint")
        vacuum_s = time.perf_counter() - vacuum_s
        # The DRAFT claim is inserted directly (filed in October, the month after Q3); everything after it goes
        # through the API, on a server whose business date is 2026-10-20.
        claim_id = f"C{prefix}{count:012d}"
        psql(ctx, f"insert into subsidy_claims (id, bank_id, region_code, quarter_start, state, filed_date) "
                  f"values ('{claim_id}', 'icbc-gz', 'CN-GD-GZ', date '2026-07-01', 'DRAFT', date '2026-10-15')")
        try:
            result = driver(ctx, "settle", "--claim", f"subsidyClaims/{claim_id}", "--loans", str(count), "--prefix", prefix,
                            "--timeout-seconds", "900", "--pid", str(ctx.server.pid), "--pg-pid", str(ctx.pg_pid))
        except SystemExit as failed:  # keep the other rows: record this one as failed
            log(str(failed))
            rows.append(row("4" if count == 1_000_000 else "7", f"subsidy settlement, {count:,} active loans", None, copy_s, "s",
                            "COPY 1,000,000 rows", note=f"failed: {str(failed).splitlines()[-1][:200] if str(failed) else 'see log'}"))
            continue
        result.update(seed_loans_seconds=seed_loans_s, seed_repayments_seconds=seed_repay_s)
        # The driver's sampler: RSS at the start, sampled peaks (overall, anonymous, per phase), VmHWM (an older driver: the peak only).
        rss = result.get("server_rss") or {"peak_mb": result["server_rss_peak_mb"]}
        result["server_rss_peak_mb"] = rss["peak_mb"]
        if "vmhwm_mb" in rss:
            log(f"settlement {count:,} loans, server memory: RSS {rss['start_mb']:.0f} MB at the start, sampled peak {rss['peak_mb']:.0f} MB "
                f"(anonymous {rss['anon_peak_mb']:.0f}), VmHWM {rss['vmhwm_mb']:.0f} MB; at the peak {rss.get('at_peak_mb')}; peak per phase "
                + ", ".join(f"{k} {v:.0f}" for k, v in rss["phase_peaks_mb"].items()))
        log(f"settlement {count:,} loans: {result['seconds']:.1f} s {result['phases']} ({result['lines_approved']:,} lines approved, "
            f"{result['lines_not_payable']:,} not payable); seeding by COPY {seed_loans_s:.1f} s loans + {seed_repay_s:.1f} s repayments, vacuum and checkpoint {vacuum_s:.1f} s; "
            f"CPU s per phase (server / Postgres / driver): "
            + ", ".join(f"{k} {v['server_s']:.1f} / {v['postgres_s']:.1f} / {v['driver_s']:.1f}" for k, v in result.get('cpu_seconds', {}).items())
            + f"; load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
        main = count == 1_000_000
        rows.append(row("4" if main else "7", f"subsidy settlement, {count:,} active loans, claim → posted settlement "
                        f"(lines {result['phases']['add_lines']:.1f} s, review {result['phases']['review']:.1f} s, settle {result['phases']['settle']:.1f} s;"
                        f" {result['lines_approved']:,} lines approved; server RSS peak {result['server_rss_peak_mb']:.0f} MB, target ≤ 200)",
                        result["seconds"], copy_s, "s", "COPY 1,000,000 rows, s", absolute_target=("<=", 20) if main else None,
                        ratio=result["seconds"] / copy_s, details=result))
    return rows


def bench_reconciliation(ctx, scales, copy_s):
    """Row 5: icbc-gz's period statement from the journal, whose per-loan lines the settlements of row 4 filled,
    then a loan-level statement upload of every loan of the bank and the break report exported as CSV."""
    journal_lines = int(psql(ctx, "select count(*) from ledger_transaction_lines").strip())
    clones = ",".join(f"L{'BCDEFGHJK'[k]}:{count}" for k, count in enumerate(scales))
    try:
        result = driver(ctx, "reconcile", "--loans", ctx.loans_file, "--clones", clones, "--timeout-seconds", "900")
    except SystemExit as failed:
        log(str(failed))
        return [row("5", f"reconciliation, {journal_lines:,} journal lines", None, None, "s", "", note="failed: see the log")]
    result["journal_lines"] = journal_lines
    log(f"reconciliation: {result}")
    return [row("5", f"reconciliation of icbc-gz, {journal_lines:,} journal lines: period statement {result['reconciliation_seconds']:.1f} s + "
                     f"statement of {result['lines_received']:,} loans uploaded and compared {result['upload_seconds']:.1f} s + "
                     f"break report CSV ({result['breaks']:,} breaks) {result['export_seconds']:.1f} s",
                result["seconds"], copy_s, "s", "COPY 1,000,000 rows, s", ratio=result["seconds"] / copy_s,
                absolute_target=("<=", 2), details=result)]


def bench_fund(ctx, procs, n, copy_s, restart_server):
    """Issue 12's rows at scale N: icbc-gz holds N loans cloned by COPY from one the API made, each with a
    guarantee (200,000) and a release (50,000) planted in the journal by SQL (2N journal lines on the bank's
    guaranteed account, per-loan balances kept by the ledger's trigger); row 5a: the period statement, a
    statement of every loan (one clone in 100 off by 1 fen) uploaded and compared, the breaks exported;
    row 5b: the same lines under loan ids the ledger does not hold (every line a MISSING_HERE break);
    row 8: a fresh server's peak RSS (VmHWM) while four banks upload 1,000,000-line statements at once."""
    with open(ctx.loans_file) as f:
        template = f.readline().strip().split("/", 1)[1]
    columns = psql(ctx, "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns "
                        "where table_schema = 'public' and table_name = 'loans'").strip().split(",")
    ident = "'LB' || lpad(g::text, 14, '0')"
    select = ", ".join(ident if c == "id" else f"t.{c}" for c in columns)
    clone_s = psql_pipe(ctx, f"select {select} from loans t cross join generate_series(1, {n}) g where t.id = '{template}'",
                        f"loans ({','.join(columns)})")
    start = time.perf_counter()
    psql(ctx, f"""
        begin;
        with t as (
            insert into ledger_transactions (kind, cause_type, cause_id, request_id, funding_source, policy_versions, business_date)
            select k, 'loan', {ident}, 'bench-' || k || '-' || g, 'FINANCE_CAPITAL', '{{}}',
                   case k when 'guarantee_issued' then date '2025-06-15' else date '2025-09-20' end
            from generate_series(1, {n}) g, unnest(array['guarantee_issued', 'guarantee_released']) k
            returning id, kind)
        insert into ledger_entries (transaction_id, account_id, side, amount_fen)
        select t.id, a.id, s.side, case t.kind when 'guarantee_issued' then 20000000 else 5000000 end
        from t
        cross join lateral (values ('bank:icbc-gz:guaranteed_outstanding', case t.kind when 'guarantee_issued' then 'D' else 'C' end),
                                   ('fund:gz-fund:guarantees_outstanding', case t.kind when 'guarantee_issued' then 'C' else 'D' end)) s(code, side)
        join ledger_accounts a on a.code = s.code;
        commit;
        analyze ledger_transactions; analyze ledger_entries; analyze ledger_cause_balances;""")
    plant_s = time.perf_counter() - start
    account_lines = int(psql(ctx, "select count(*) from ledger_entries e join ledger_accounts a on a.id = e.account_id "
                                  "where a.code = 'bank:icbc-gz:guaranteed_outstanding'").strip())
    log(f"fund rows: {n:,} clones by COPY in {clone_s:.1f} s, guarantees planted in {plant_s:.1f} s; {account_lines:,} journal lines on icbc-gz's account")
    rows = []
    for label, prefix, fen, differ in (("5a", "LB", 15_000_000, 100), ("5b", "LX", 15_000_000, 0)):
        reset_statements(ctx)
        load = os.getloadavg()[0]
        try:
            result = driver(ctx, "reconcile", "--loans", ctx.loans_file, "--clones", f"{prefix}:{n}", "--clone-fen", str(fen),
                            "--differ-every", str(differ), "--timeout-seconds", "900")
        except SystemExit as failed:
            log(str(failed))
            rows.append(row(label, f"reconciliation, {account_lines:,} journal lines", None, copy_s, "s", "", note="failed: see the log"))
            continue
        log(f"reconciliation {label}: {result}")
        profile = statement_profile(ctx, "danbao", "copy statement_lines")
        NOTES.append(f"row {label}, Postgres' share (pg_stat_statements): " + "; ".join(
            f"{t['exec_ms_per_call']:.0f} ms {t['query'][:70]}" for t in profile["top"][:5]))
        what = "every loan" if prefix == "LB" else "unknown loans (every line a break)"
        rows.append(row(label, f"reconciliation of icbc-gz, {account_lines:,} journal lines on its account: period statement "
                               f"{result['reconciliation_seconds']:.2f} s + statement of {result['lines_received']:,} lines ({what}) "
                               f"uploaded and compared {result['upload_seconds']:.2f} s + break report CSV ({result['breaks']:,} breaks) "
                               f"{result['export_seconds']:.2f} s (load {load:.1f}–{os.getloadavg()[0]:.1f})", result["seconds"], copy_s, "s", "COPY 1,000,000 rows, s",
                        ratio=result["seconds"] / copy_s, absolute_target=("<=", 2), details=result))
    # Row 8 with the packed form (what the CLI sends), then the same uploads in the `lines` form (a StatementLine
    # and a string per line), each on a fresh server.
    for label, form, extra in (("8", "packed_lines", []), ("8 (lines form)", "lines", ["--plain", "1"])):
        rows.append(measure_uploads(ctx, restart_server(), label, form, extra))
    return rows


def measure_uploads(ctx, server, label, form, extra):
    """A fresh server's VmHWM while four banks upload 1,000,000-line statements at once, with what it was made of."""
    import threading
    baseline = rss_mb(server.pid, "VmHWM")
    at_start = memory_breakdown(server.pid)
    peak = [0.0, 0.0]  # VmRSS, RssAnon (the heap and stacks, without mapped files)
    at_peak = {}  # anon / file / shmem when the sampled VmRSS peaked
    done = [False]

    def sample():
        while not done[0]:
            try:
                now = memory_breakdown(server.pid)
            except OSError:
                return
            if now["VmRSS"] > peak[0]:
                peak[0] = now["VmRSS"]
                at_peak.update(now)
            peak[1] = max(peak[1], now["RssAnon"])
            time.sleep(0.05)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load = os.getloadavg()[0]
    try:
        result = driver(ctx, "upload", "--banks", "icbc-gz,ccb-gz,boc-gz,gzrcb", "--lines", "1000000", "--timeout-seconds", "900", *extra)
    finally:
        done[0] = True
        sampler.join()
    hwm = rss_mb(server.pid, "VmHWM")
    load = f"{load:.1f}–{os.getloadavg()[0]:.1f}"
    log(f"four uploads ({form}): {result}; load {load}; VmHWM {hwm:.0f} MB (after start {baseline:.0f} MB: {breakdown_text(at_start)}), "
        f"VmRSS sampled peak {peak[0]:.0f} MB ({breakdown_text(at_peak)}), anonymous peak {peak[1]:.0f} MB")
    return row(label, f"server RSS peak (VmHWM) while 4 banks upload 1,000,000-line statements at once as {form} ({result['seconds']:.1f} s; "
                      f"{baseline:.0f} MB after start; at the sampled peak {breakdown_text(at_peak)}; load {load})", hwm, None, "MB", "",
               absolute_target=("<=", 200) if label == "8" else None,
               details=dict(result, form=form, vmhwm_after_start_mb=baseline, vmrss_sampled_peak_mb=peak[0], rssanon_sampled_peak_mb=peak[1],
                            at_start_mb=at_start, at_peak_mb=at_peak))


# --- main ------------------------------------------------------------------------------------

class Context:
    pass


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory": run(["free", "-h"]).splitlines()[1].split()[1],
        "load_average_at_start": open("/proc/loadavg").read().split()[:3],
        "kernel": os.uname().release,
        "postgres": run(["psql", "--version"]).strip(),
    }


def build(ctx, source, with_ref=True):
    def dotnet_build(project, out):
        start = time.perf_counter()
        done = subprocess.run(["dotnet", "build", os.path.join(source, project), "-c", "Release", "-o", out, "-nologo", "-v", "quiet",
                               "-clp:ErrorsOnly"], text=True, capture_output=True)
        if done.returncode != 0:
            raise SystemExit(f"bench: building {project} failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
        log(f"built {project} in {time.perf_counter() - start:.0f} s")
    dotnet_build("src/Danbao.Server", os.path.join(ctx.work, "server"))
    dotnet_build("bench/Danbao.Bench.Driver", os.path.join(ctx.work, "driver"))
    ctx.server_dll = os.path.join(ctx.work, "server", "Danbao.Server.dll")
    ctx.driver_dll = os.path.join(ctx.work, "driver", "Danbao.Bench.Driver.dll")
    if not with_ref:  # --flood-only: no C++ reference server
        return
    start = time.perf_counter()
    ref_bin = os.path.join(ctx.work, "ref", "ref_server")
    if not (os.path.exists(ref_bin) and os.path.getmtime(ref_bin) > os.path.getmtime(os.path.join(source, "bench/grpc/cpp/server.cc"))):
        run([os.path.join(source, "bench/grpc/cpp/build.sh"), os.path.join(ctx.work, "ref")])
    log(f"built the C++ reference server in {time.perf_counter() - start:.0f} s")
    ctx.ref_bin = os.path.join(ctx.work, "ref", "ref_server")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--head", action="store_true")
    parser.add_argument("--rev", help="measure this commit (git archive) rather than the working tree")
    parser.add_argument("--work")
    parser.add_argument("--grpc-only", action="store_true", help="row 1 only (the gRPC pipeline against the C++ server), then the table")
    parser.add_argument("--flood-only", action="store_true",
                        help="the flood row only (GetLoan p99 while unknown API keys flood WhoAmI at ~4,000 calls/s), then the table")
    parser.add_argument("--loans-only", action="store_true",
                        help="rows 2, 3, 6 and 7 only (the loan write and read paths against pgbench), then the table")
    parser.add_argument("--fund-only", type=int, metavar="N",
                        help="issue 12's rows only: reconciliation with N guaranteed loans (2N journal lines) and the RSS of four 1M-line uploads")
    parser.add_argument("--settlement-only", action="store_true",
                        help="row 4/7 only: the settlement at the --settlement counts (default 1000000) beside the COPY yardstick, then the table")
    parser.add_argument("--settlement", help="comma-separated loan counts for the settlement rows (default 10000 quick, 10000,100000,1000000 full)")
    args = parser.parse_args()
    if sum(1 for x in (args.grpc_only, args.flood_only, args.fund_only, args.settlement_only) if x) > 1:
        parser.error("--grpc-only, --flood-only, --fund-only and --settlement-only are exclusive")
    tools = ("psql", "dotnet") if args.fund_only or args.settlement_only else ("h2load", "nghttp", "psql", "dotnet") if args.flood_only else \
        ("h2load", "nghttp", "pgbench", "psql", "dotnet", "g++", "protoc", "grpc_cpp_plugin")
    for tool in tools:
        if not shutil.which(tool):
            raise SystemExit(f"bench: {tool} is missing (apt-get install nghttp2-client postgresql-client libgrpc++-dev protobuf-compiler-grpc g++)")

    ctx = Context()
    ctx.work = args.work or tempfile.mkdtemp(prefix="danbao-bench-")
    os.makedirs(ctx.work, exist_ok=True)
    os.chmod(ctx.work, 0o755)  # as root, Postgres runs as `postgres` and must reach its data dir inside
    procs = Processes()
    pg_dir = os.path.join(ctx.work, "pg")
    started = time.perf_counter()
    try:
        source = ROOT
        rev = args.rev or ("HEAD" if args.head else None)
        if rev:
            source = os.path.join(ctx.work, "src")
            os.makedirs(source, exist_ok=True)
            sync_snapshot(rev, source)
            commit = run(["git", "-C", ROOT, "rev-parse", "--short", rev]).strip()
        else:
            commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).strip() + "+working-tree"
        build(ctx, source, with_ref=not (args.flood_only or args.fund_only or args.settlement_only))
        build_s = time.perf_counter() - started

        ctx.pg_port = free_port()
        if os.path.exists(pg_dir):  # a kept --work dir from an earlier run: start from an empty cluster, with new keys
            run([os.path.join(ROOT, "scripts/pg.sh"), "destroy", pg_dir])
        for stale in ("demo-keys.txt", "pii.key"):
            if os.path.exists(os.path.join(ctx.work, stale)):
                os.remove(os.path.join(ctx.work, stale))
        run([os.path.join(ROOT, "scripts/pg.sh"), "start", pg_dir, str(ctx.pg_port)])  # durable: fsync and synchronous_commit on
        # pg_stat_statements for the statement profile printed under the table (costs ~1-2%, on both sides alike).
        psql(ctx, "alter system set shared_preload_libraries = 'pg_stat_statements'", db="postgres")
        run([os.path.join(ROOT, "scripts/pg.sh"), "stop", pg_dir])
        run([os.path.join(ROOT, "scripts/pg.sh"), "start", pg_dir, str(ctx.pg_port)])
        psql(ctx, "create database danbao", db="postgres")
        psql(ctx, "create extension pg_stat_statements")
        with open(os.path.join(pg_dir, "postmaster.pid")) as f:
            ctx.pg_pid = int(f.readline())
        ctx.server_port, ref_port = free_port(), free_port()
        ctx.keys_file = os.path.join(ctx.work, "demo-keys.txt")
        env = dict(os.environ, DANBAO_DB=f"Host=127.0.0.1;Port={ctx.pg_port};Username=postgres;Database=danbao",
                   DANBAO_MIGRATIONS=os.path.join(source, "migrations"))
        server_log = os.path.join(ctx.work, "server.log")
        # /metrics (calls by method and status code) tells the flood row which statuses the flood got;
        # only where this build has the option (--rev of an older commit may not).
        metrics = []
        ctx.metrics_url = None
        settings_cs = os.path.join(source, "src/Danbao.Server/Hosting/ServerSettings.cs")
        if os.path.exists(settings_cs) and "--metrics-port" in open(settings_cs).read():
            metrics_port = free_port()
            metrics = ["--metrics-port", str(metrics_port)]
            ctx.metrics_url = f"http://127.0.0.1:{metrics_port}"
        server_argv = ["dotnet", ctx.server_dll, "--port", str(ctx.server_port), "--interop", "--migrate",
                       "--demo-keys", ctx.keys_file, "--pii-key-file", os.path.join(ctx.work, "pii.key"), *metrics]
        if args.settlement_only:
            # The driver's claim is for 2026-Q3, filed and settled on 2026-10-20: on the real clock after October 2026
            # every line would be late (a reason each, and each named in review), so this server runs on that date.
            server_argv += ["--environment", "sandbox", "--business-date", "2026-10-20"]
        ctx.server = procs.start("server", server_argv, server_log, env=env)
        wait_for_line(server_log, r"serving gRPC", ctx.server)
        ctx.server_url = f"http://127.0.0.1:{ctx.server_port}"
        with open(ctx.keys_file) as f:
            ctx.keys = dict(line.strip().split("=", 1) for line in f if "=" in line)

        if args.fund_only:
            ctx.loans_file = os.path.join(ctx.work, "loans.txt")
            seeded = driver(ctx, "seed", "--loans", "64", "--clients", "8", "--out", ctx.loans_file)
            log(f"seeded {seeded['loans']} loans in {seeded['seconds']:.0f} s")
            copy_s = bench_copy(ctx, 1_000_000)

            def restart_server():
                ctx.server.send_signal(signal.SIGTERM)
                ctx.server.wait(timeout=30)
                restarted_log = os.path.join(ctx.work, "server-restarted.log")
                ctx.server = procs.start("server-restarted", server_argv, restarted_log, env=env)
                wait_for_line(restarted_log, r"serving gRPC", ctx.server)
                return ctx.server
            rows = bench_fund(ctx, procs, args.fund_only, copy_s, restart_server)
            print(print_table(rows))
            for note in NOTES:
                print(f"- {note}")
            print(f"\nmachine: {machine()}; commit {commit}; fund rows only, {time.perf_counter() - started:.0f} s of which build {build_s:.0f} s")
            return
        if args.settlement_only:
            ctx.loans_file = os.path.join(ctx.work, "loans.txt")
            seeded = driver(ctx, "seed", "--loans", "8", "--clients", "4", "--out", ctx.loans_file)
            log(f"seeded {seeded['loans']} loans in {seeded['seconds']:.0f} s (the template of the clones)")
            log("row 4 yardstick: COPY 1,000,000 rows")
            copy_s = bench_copy(ctx, 1_000_000)
            scales = [int(x) for x in args.settlement.split(",")] if args.settlement else [1_000_000]
            log(f"row 4: subsidy settlement at {scales}")
            rows = bench_settlement(ctx, scales, copy_s)
            print(print_table(rows))
            for note in NOTES:
                print(f"- {note}")
            print(f"\nmachine: {machine()}; commit {commit}; settlement rows only, {time.perf_counter() - started:.0f} s of which build {build_s:.0f} s")
            return
        if args.flood_only:
            loans = 16
            log(f"seeding {loans} disbursed loans through the API")
            ctx.loans_file = os.path.join(ctx.work, "loans.txt")
            seeded = driver(ctx, "seed", "--loans", str(loans), "--clients", "4", "--out", ctx.loans_file)
            log(f"seeded {seeded['loans']} loans in {seeded['seconds']:.0f} s")
            log(f"flood row: GetLoan unloaded, then during a flood of unknown API keys (~{FLOOD_RATE:,} calls/s)")
            rows = bench_flood(ctx, args.quick)
            print(print_table(rows))
            for note in NOTES:
                print(f"- {note}")
            print(f"\nmachine: {machine()}; commit {commit}; flood row only, {time.perf_counter() - started:.0f} s of which build {build_s:.0f} s")
            return
        quiet_port = free_port()
        quiet_log = os.path.join(ctx.work, "server-quiet.log")
        ctx.quiet = procs.start("server-quiet", ["dotnet", ctx.server_dll, "--port", str(quiet_port), "--interop", "--demo-keys", ctx.keys_file,
                                                 "--pii-key-file", os.path.join(ctx.work, "pii.key")],
                                quiet_log, env=dict(env, Logging__LogLevel__Default="Warning"))
        wait_for_line(quiet_log, r"serving gRPC", ctx.quiet)
        ctx.quiet_url = f"http://127.0.0.1:{quiet_port}"
        ref_log = os.path.join(ctx.work, "ref.log")
        ctx.ref = procs.start("ref", [ctx.ref_bin, str(ref_port)], ref_log)
        wait_for_line(ref_log, r"listening", ctx.ref)
        ctx.ref_url = f"http://127.0.0.1:{ref_port}"

        rows = []
        if not args.loans_only:
            log("row 1: gRPC layer (h2load, alternating with the C++ server)")
            rows += bench_grpc(ctx, args.quick)

        if args.grpc_only:
            seeded = {}
            table = print_table(rows)
            print(table)
            print(f"\nmachine: {machine()}; commit {commit}; row 1 only, {time.perf_counter() - started:.0f} s of which build {build_s:.0f} s")
            return
        loans = 256 if args.quick else 1024
        log(f"seeding {loans} disbursed loans through the API")
        ctx.loans_file = os.path.join(ctx.work, "loans.txt")
        seeded = driver(ctx, "seed", "--loans", str(loans), "--clients", "32", "--out", ctx.loans_file)
        log(f"seeded {seeded['loans']} loans in {seeded['seconds']:.0f} s")

        log("rows 2, 6, 7: write path (RecordRepayment) against pgbench TPC-B")
        rows += bench_write(ctx, args.quick)
        log("row 3: read path")
        rows += bench_read(ctx, args.quick)
        if args.loans_only:
            print(print_table(rows))
            for note in NOTES:
                print(f"- {note}")
            print(f"\nmachine: {machine()}; commit {commit}; loan rows only, {time.perf_counter() - started:.0f} s of which build {build_s:.0f} s")
            return
        log("flood row: GetLoan during a flood of unknown API keys")
        try:
            rows += bench_flood(ctx, args.quick)
        except SystemExit as failed:  # keep the other rows
            log(str(failed))
            rows.append(row("flood", "GetLoan p99 during a flood of unknown API keys", None, None, "ms", "",
                            note=f"failed: {str(failed).splitlines()[0][:200] if str(failed) else 'see the log'}"))

        log("row 4 yardstick: COPY 1,000,000 rows")
        copy_s = bench_copy(ctx, 1_000_000)
        scales = [int(x) for x in args.settlement.split(",")] if args.settlement else ([10_000] if args.quick else [10_000, 100_000, 1_000_000])
        if not os.path.exists(os.path.join(source, "protos/danbao/v1/subsidy.proto")):
            rows.append(row("4", "subsidy settlement, 1,000,000 active loans", None, copy_s, "s", "COPY 1,000,000 rows",
                            note=f"not measured: {settlement_missing(source)} (COPY 1,000,000 rows took {copy_s:.1f} s)"))
        else:
            # The claim is for 2026-Q3, filed and settled on 2026-10-20 (as --settlement-only does): on the real clock
            # every line would be late, so row 4 runs on a second server, a sandbox on that date, over the same database.
            settle_port = free_port()
            settle_argv = ["dotnet", ctx.server_dll, "--port", str(settle_port), "--interop", "--demo-keys", ctx.keys_file,
                           "--pii-key-file", os.path.join(ctx.work, "pii.key"), "--environment", "sandbox", "--business-date", "2026-10-20"]
            settle_log = os.path.join(ctx.work, "server-settlement.log")
            main_server, main_url = ctx.server, ctx.server_url
            ctx.server = procs.start("server-settlement", settle_argv, settle_log, env=env)
            ctx.server_url = f"http://127.0.0.1:{settle_port}"
            try:
                wait_for_line(settle_log, r"serving gRPC", ctx.server)
                log(f"row 4: subsidy settlement at {scales} (a sandbox server on 2026-10-20)")
                rows += bench_settlement(ctx, scales, copy_s)
            finally:
                ctx.server.send_signal(signal.SIGTERM)
                ctx.server.wait(timeout=30)
                ctx.server, ctx.server_url = main_server, main_url
            if 1_000_000 not in scales:
                rows.append(row("4", "subsidy settlement, 1,000,000 active loans", None, copy_s, "s", "COPY 1,000,000 rows",
                                note=f"not measured in this run (scales {scales}; the full run does 1,000,000); COPY 1,000,000 rows took {copy_s:.1f} s"))
        if not os.path.exists(os.path.join(source, "protos/danbao/v1/fund.proto")):
            rows.append(row("5", "reconciliation: statement + break report, 1,000,000 journal lines", None, None, "s", "",
                            note=f"not measured: {reconciliation_missing(source)}"))
        else:
            log("row 5: reconciliation")
            rows += bench_reconciliation(ctx, scales, copy_s)

        table = print_table(rows)
        total_s = time.perf_counter() - started
        info = machine()
        print(table)
        for note in NOTES:
            print(f"- {note}")
        print(f"\nmachine: {info['nproc']} cores ({info['cpu_model']}), {info['memory']} RAM, load average at start "
              f"{' '.join(info['load_average_at_start'])}; commit {commit}; {'quick' if args.quick else 'full'} run "
              f"{total_s:.0f} s of which build {build_s:.0f} s")
        os.makedirs(RESULTS, exist_ok=True)
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = os.path.join(RESULTS, f"{stamp}{'-quick' if args.quick else ''}.json")
        with open(path, "w") as f:
            json.dump({"time_utc": stamp, "commit": commit, "quick": args.quick, "machine": info, "seconds": total_s,
                       "build_seconds": build_s, "seeded": seeded, "rows": rows, "notes": NOTES, "table_markdown": table}, f, indent=2)
        print(f"results: {os.path.relpath(path, ROOT)}")
    finally:
        procs.stop_all()
        subprocess.run([os.path.join(ROOT, "scripts/pg.sh"), "stop", pg_dir], check=False)
        if not args.work:
            shutil.rmtree(ctx.work, ignore_errors=True)


def sync_snapshot(rev, source):
    """Writes rev's files into source, touching only files whose content changed, so that a kept --work dir
    rebuilds incrementally (git archive would stamp every file with the commit time)."""
    import io
    import tarfile
    data = subprocess.run(["git", "-C", ROOT, "archive", rev], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            path = os.path.join(source, member.name)
            if member.isdir():
                os.makedirs(path, exist_ok=True)
            elif member.isfile():
                content = archive.extractfile(member).read()
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        if f.read() == content:
                            continue
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(content)
                os.chmod(path, member.mode)


def settlement_missing(source):
    if not os.path.exists(os.path.join(source, "protos/danbao/v1/subsidy.proto")):
        return "the subsidy API (protos/danbao/v1/subsidy.proto, issue 5) is not in this build"
    return "the subsidy API is in this build but bench/run.sh does not drive it yet"


def reconciliation_missing(source):
    if not os.path.exists(os.path.join(source, "protos/danbao/v1/fund.proto")):
        return "the fund-ledger/reconciliation API (protos/danbao/v1/fund.proto, issue 4) is not in this build"
    return "the fund-ledger API is in this build but bench/run.sh does not drive it yet"


if __name__ == "__main__":
    main()
