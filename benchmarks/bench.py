#!/usr/bin/env python3
"""`make bench`: the directory's budgets for a first visitor (issue 14, SPEC §6 P1, P2, P9, P10).

For each engine and size: builds the data if missing (`flask demo generate`, via p1_p4_directory's
Dataset, under --dir), serves `benchmarks.bench_app:app` with gunicorn (2 workers, caches off,
rate limits off), and drives it with generated streams of distinct realistic requests
(benchmarks/requests_stream.py) from a Python client (threads with keep-alive connections on
127.0.0.1), alternating every measured route with the hello-world route over several rounds:
hello, directory, hello, API list, hello, profile, … Each ratio is the route's req/s over the mean
of the hello runs on either side; the table gives the median over the rounds, with p50/p95/p99/max
of the route's latencies. Writes benchmarks/results.json and exits 1 when a budget is missed.

    .venv/bin/python benchmarks/bench.py                       # SQLite 20k and 1M
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench.py
    .venv/bin/python benchmarks/bench.py --quick               # 2,000 enterprises, short rounds (make bench-quick)

With BENCH_DATABASE_URL the same runs on PostgreSQL, in databases bench_p1p4_<size> of that server.
The client shares the machine with the server: req/s of hello is bounded by the client too, so the
ratios are conservative. P3–P8 have their own scripts (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.p1_p4_directory import Dataset, Server  # noqa: E402
from benchmarks.requests_stream import Vocabulary, stream  # noqa: E402

KINDS = ("directory", "api", "profile")
# (figure, kind, what, comparison, budget, sizes it applies to: None for every size)
BUDGETS = [
    ("P1", "directory", "directory page ÷ hello", ">=", 0.10, {20_000}),
    ("P10", "api", "API list ÷ hello", ">=", 0.15, {20_000}),
    ("P2", "profile", "profile ÷ hello", ">=", 0.30, {20_000, 1_000_000}),
    ("P9 p95", "directory", "directory p95 ms", "<=", 300, {1_000_000}),
    ("P9 p99", "directory", "directory p99 ms", "<=", 600, {1_000_000}),
    ("P9 max", "directory", "directory slowest ms", "<=", 1500, {1_000_000}),
    ("API p95", "api", "API list p95 ms", "<=", 300, {1_000_000}),
]


def drive(port: int, urls: list[str], seconds: float, connections: int) -> dict:
    """GET the URLs (each once, in order, shared by the connections) for `seconds`: req/s and latencies."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    position = [0]
    deadline = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            with lock:
                if position[0] >= len(urls):
                    return
                url = urls[position[0]]
                position[0] += 1
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers={"Accept-Language": "vi", "User-Agent": "bench"})
                response = connection.getresponse()
                response.read()
                ok = response.status in (200, 301, 302)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def pct(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": ordered[-1] * 1000,
        "errors": errors[0],
    }


def wait_until_ready(port: int, log, timeout: float = 600) -> None:
    """Until every worker holds the directory's bitmaps: /_ready answers 200 twenty times in a row
    (requests land on either worker), so that the rounds measure searches, not the building."""
    started, in_a_row = time.perf_counter(), 0
    while in_a_row < 20 and time.perf_counter() - started < timeout:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", "/_ready")
            response = connection.getresponse()
            response.read()
            in_a_row = in_a_row + 1 if response.status == 200 else 0
        except (OSError, http.client.HTTPException):
            in_a_row = 0
        finally:
            connection.close()
        if in_a_row == 0:
            time.sleep(0.5)
    log(f"  workers ready in {time.perf_counter() - started:.0f} s")


def measure(dataset: Dataset, args, log) -> dict:
    """Rounds of hello / route alternation on one served dataset; medians per kind."""
    rng = random.Random(14)
    vocab = Vocabulary.read(dataset.url, rng)
    per_phase = int(args.seconds * 400) + 50  # more distinct URLs than a phase can use
    with Server(dataset, 2, log, 120) as server:
        wait_until_ready(server.port, log)
        warm = stream(vocab, random.Random(1), "directory", 400)
        drive(server.port, warm, args.warm, args.connections)  # imports, connections, caches of labels
        hello_urls = ["/_hello"] * 1_000_000
        rounds: dict[str, list[dict]] = {kind: [] for kind in KINDS}
        for r in range(args.rounds):
            before = drive(server.port, hello_urls, args.seconds, args.connections)
            for kind in KINDS:
                urls = stream(vocab, random.Random(f"{r}:{kind}"), kind, per_phase)
                route = drive(server.port, urls, args.seconds, args.connections)
                after = drive(server.port, hello_urls, args.seconds, args.connections)
                route["hello_rps"] = (before["rps"] + after["rps"]) / 2
                route["ratio"] = route["rps"] / route["hello_rps"] if route["hello_rps"] else 0.0
                rounds[kind].append(route)
                log(
                    f"  round {r + 1} {kind:9} {route['rps']:8.1f} req/s ÷ hello {route['hello_rps']:8.1f} = "
                    f"{route['ratio']:.3f}  p50 {route['p50']:.1f} p95 {route['p95']:.1f} "
                    f"max {route['max']:.1f} ms  n={route['requests']} errors {route['errors']}"
                )
                before = after
    summary = {}
    for kind, runs in rounds.items():
        summary[kind] = {
            key: statistics.median(run[key] for run in runs)
            for key in ("ratio", "rps", "hello_rps", "p50", "p95", "p99", "max")
        }
        summary[kind]["max"] = max(run["max"] for run in runs)
        summary[kind]["errors"] = sum(run["errors"] for run in runs)
        summary[kind]["requests"] = sum(run["requests"] for run in runs)
    return summary


def table(results: list[dict], quick: bool) -> tuple[list[dict], bool]:
    rows, passed = [], True
    for result in results:
        size, engine, summary = result["size"], result["engine"], result["summary"]
        for figure, kind, what, op, budget, sizes in BUDGETS:
            if not quick and size not in sizes:
                continue
            if quick and op == "<=":  # latency budgets are for a million enterprises
                continue
            s = summary[kind]
            value = s["ratio"] if op == ">=" else {"P9 p99": s["p99"], "P9 max": s["max"]}.get(figure, s["p95"])
            ok = (value >= budget if op == ">=" else value <= budget) and s["errors"] == 0
            passed &= ok
            rows.append(
                {
                    "figure": figure,
                    "what": what,
                    "measured": round(value, 3),
                    "budget": f"{op} {budget}",
                    "pass": ok,
                    "engine": engine,
                    "size": size,
                    "detail": f"{s['rps']:.0f} ÷ {s['hello_rps']:.0f} req/s, p50 {s['p50']:.0f} p95 {s['p95']:.0f} "
                    f"p99 {s['p99']:.0f} max {s['max']:.0f} ms, {s['requests']} requests, {s['errors']} errors",
                }
            )
    return rows, passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--quick", action="store_true", help="2,000 enterprises, 2 rounds of 2 s: the harness's own test"
    )
    parser.add_argument("--sizes", default=None, help="comma-separated (default 20000,1000000; quick: 2000)")
    parser.add_argument("--dir", default="/tmp/bench-p1p4", help="where the instance folders live")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="per phase")
    parser.add_argument("--warm", type=float, default=None, help="seconds of warm-up per server")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--output", default=None, help="default benchmarks/results.json (quick: in the temp folder)")
    args = parser.parse_args()
    if args.output is None:
        quick_output = Path(tempfile.gettempdir()) / "bench-quick-results.json"
        args.output = str(quick_output if args.quick else ROOT / "benchmarks" / "results.json")
    sizes = [int(s) for s in (args.sizes or ("2000" if args.quick else "20000,1000000")).split(",")]
    args.rounds = args.rounds or (2 if args.quick else 3)
    args.seconds = args.seconds or (2.0 if args.quick else 10.0)
    args.warm = args.warm if args.warm is not None else (2.0 if args.quick else 15.0)
    engines = ["sqlite"]
    pg = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
    if os.environ.get("BENCH_DATABASE_URL"):
        url = urlparse(os.environ["BENCH_DATABASE_URL"].replace("postgresql+psycopg", "postgresql"))
        pg = {"host": url.hostname or "127.0.0.1", "port": url.port or 5432, "user": url.username or "postgres"}
        engines.append("postgresql")

    def log(message: str) -> None:
        print(message, flush=True)

    started = time.monotonic()
    results = []
    for engine in engines:
        for size in sizes:
            dataset = Dataset(engine, size, Path(args.dir), pg, cache="off")
            if not dataset.ready():
                dataset.build(1, log)
            log(f"{engine} {size:,}: caches off, {args.rounds} rounds of {args.seconds:g} s per phase")
            results.append({"engine": engine, "size": size, "summary": measure(dataset, args, log)})
    rows, passed = table(results, args.quick)
    print(f"\n{'figure':8} {'what':24} {'measured':>9} {'budget':>8}  {'':4} {'engine':10} {'size':>9}  detail")
    for row in rows:
        verdict = "PASS" if row["pass"] else "FAIL"
        print(
            f"{row['figure']:8} {row['what']:24} {row['measured']:9.3f} {row['budget']:>8}  {verdict:4} "
            f"{row['engine']:10} {row['size']:9,}  {row['detail']}"
        )
    Path(args.output).write_text(
        json.dumps(
            {
                "command": " ".join(sys.argv),
                "machine": f"{platform.node()} {os.cpu_count()} CPUs {platform.platform()}",
                "seconds": round(time.monotonic() - started, 1),
                "rows": rows,
                "runs": results,
            },
            indent=2,
        )
    )
    print(f"\n{len(rows)} figures, {sum(not r['pass'] for r in rows)} missed; written to {args.output}")
    if args.quick:  # the harness's own test: every kind answered, without errors (small-scale ratios are noise)
        runs = [r["summary"][kind] for r in results for kind in KINDS]
        return 0 if all(s["requests"] > 0 and s["errors"] == 0 for s in runs) else 1
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
