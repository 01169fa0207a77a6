#!/usr/bin/env python3
"""P1–P4 (SPEC §6): the directory — search page with facets, profile, selective and broad search.

Builds scale databases with the app's own generator (`flask db upgrade`, `flask reference load`,
`flask demo generate --enterprises N`) once under --dir (default /tmp/bench-p1p4), one instance
folder per engine and size, and reuses them with --reuse. Each database is served by gunicorn
(2 sync workers, rate limits off, free port of 127.0.0.1) running `benchmarks.bench_app:app`: the app
of `create_app()` plus a hello-world route `/_hello`. Load comes from a second process on the same
machine: `wrk` (fixed duration, N connections; falls back to a Python thread pool when wrk is
missing). Every URL is checked for a 200 and warmed up before it is measured.

  P1  /doanh-nghiep and /doanh-nghiep?q=thuy+san at 20k, one URL repeated with the page cache on:
      req/s ÷ /_hello req/s                                                        ≥ 0.50
  P2  /doanh-nghiep/<public_key> at 20k: req/s ÷ /_hello req/s                   ≥ 0.30
  P3  /doanh-nghiep?q=<rare word> at 1M ÷ the same at 10k (req/s)                ≥ 0.25
  P4  at 1M, p50 latency of /doanh-nghiep?q=<word in > 50 %> ÷ of the rare word  ≤ 5

The rare and the broad words are picked from the 1M database's search_text (a word in 0.002–0.1 %
of the enterprises, present at 10k; a word — or failing that a prefix — in more than half), and
the counts are confirmed with the API's `total`. Exit status 1 when a budget is not met.

    .venv/bin/python benchmarks/p1_p4_directory.py --reuse                  # SQLite, 15 s per URL
    .venv/bin/python benchmarks/p1_p4_directory.py --reuse --engine postgresql
    .venv/bin/python benchmarks/p1_p4_directory.py --reuse --only P1,P2 --seconds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import Load, Measure  # noqa: E402
from benchmarks.registries import (  # noqa: E402
    CACHE_MODES,
    Dataset,
    Server,
    Words,
    label,
    pick_broad,
    pick_selective,
    totals,
)

BUDGETS = {"P1": (">=", 0.50), "P2": (">=", 0.30), "P3": (">=", 0.25), "P4": ("<=", 5.0)}
P1_QUERY = "thuy san"


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


@dataclass
class Row:
    id: str
    what: str
    value: float
    detail: str

    @property
    def passed(self) -> bool:
        op, budget = BUDGETS[self.id]
        return self.value >= budget if op == ">=" else self.value <= budget


def hello_rate(load: Load, port: int, before: Measure) -> tuple[float, str]:
    after = load.measure(port, "/_hello")
    mean = (before.rps + after.rps) / 2
    return mean, f"hello {before.rps:.0f}/{after.rps:.0f} req/s (before/after, mean {mean:.0f})"


def run_p1_p2(engine: str, args, datasets, load: Load, log, only: set[str]) -> list[Row]:
    rows: list[Row] = []
    d = datasets[(engine, args.mid)]
    with Server(d, args.workers, log, args.request_timeout) as server:
        hello = load.measure(server.port, "/_hello")
        pages: list[tuple[str, str, str]] = []
        if "P1" in only:
            pages += [
                ("P1", "/doanh-nghiep", "directory page, no query"),
                ("P1", f"/doanh-nghiep?q={quote_plus(P1_QUERY)}", f"directory page, q={P1_QUERY}"),
            ]
        if "P2" in only:
            items = (
                server.json("/api/v1/enterprises?per_page=20&q=" + quote_plus(P1_QUERY))["items"]
                or server.json("/api/v1/enterprises?per_page=20")["items"]
            )
            key = items[len(items) // 2]["code"]
            pages.append(("P2", f"/doanh-nghiep/{key}", "profile page"))
        measured = [(pid, what, load.measure(server.port, path)) for pid, path, what in pages]
        hello_mean, hello_note = hello_rate(load, server.port, hello)
        for pid, what, m in measured:
            rows.append(
                Row(
                    pid,
                    f"{engine} {label(args.mid)}: {what} ÷ hello",
                    0.0 if m.timed_out else ratio(m.rps, hello_mean),
                    ("timed out: " if m.timed_out else "")
                    + f"{m.rps:.1f} req/s ÷ {hello_note}; p50 {m.p50 * 1000:.0f} ms",
                )
            )
    return rows


def run_p3_p4(engine: str, args, datasets, load: Load, log, only: set[str]) -> list[Row]:
    small, large = datasets[(engine, args.small)], datasets[(engine, args.large)]
    log(f"picking words from {large.folder} search_text …")
    large_words, small_words = Words.of(large), Words.of(small)
    selective_candidates = pick_selective(large_words, small_words)
    broad_candidates = pick_broad(large_words)
    if not selective_candidates:
        sys.exit("no rare word found for the selective query")
    counted = totals(large, ["", *selective_candidates, *broad_candidates])
    everything = counted[""]
    selective = next((w for w in selective_candidates if 0 < counted[w] <= max(5, everything * 0.001)), None)
    if selective is None:
        sys.exit(f"none of {selective_candidates} is selective: {counted}")
    broad = next((w for w in broad_candidates if counted[w] > everything * 0.5), None)
    sel_total, broad_total = counted[selective], counted.get(broad)
    log(
        f"  listed {everything:,}; selective q={selective!r}: {sel_total:,} ({sel_total / everything:.4%}); "
        f"broad q={broad!r}: " + (f"{broad_total:,} ({broad_total / everything:.1%})" if broad else "none found")
    )
    rows: list[Row] = []
    with Server(large, args.workers, log, args.request_timeout) as server:
        sel_path = f"/doanh-nghiep?q={quote_plus(selective)}"
        sel_large = load.measure(server.port, sel_path)
        if "P4" in only:
            if broad is None:
                sys.exit(f"no word or prefix matches > 50 % (tried {broad_candidates}: {counted})")
            broad_m = load.measure(server.port, f"/doanh-nghiep?q={quote_plus(broad)}")
            rows.append(
                Row(
                    "P4",
                    f"{engine} {label(args.large)}: broad q={broad} ({broad_total / everything:.0%}) "
                    f"÷ selective q={selective} ({sel_total}) p50 latency",
                    # a timed-out broad query has no latency to compare: a failure, whatever the ratio
                    float("inf") if broad_m.timed_out else ratio(broad_m.p50, sel_large.p50),
                    (
                        f"broad query timed out; a lower bound would be {ratio(broad_m.p50, sel_large.p50):.2f}: "
                        if broad_m.timed_out
                        else ""
                    )
                    + f"p50 {broad_m.p50 * 1000:.0f} ms ÷ {sel_large.p50 * 1000:.0f} ms "
                    f"(mean {broad_m.mean * 1000:.0f} ÷ {sel_large.mean * 1000:.0f} ms; "
                    f"{broad_m.rps:.2f} vs {sel_large.rps:.1f} req/s, {args.connections} connections)",
                )
            )
    if "P3" in only:
        with Server(small, args.workers, log, args.request_timeout) as server:
            total_small = totals(small, [selective])[selective]
            log(f"  selective q={selective!r} at {label(args.small)}: {total_small} enterprises")
            sel_small = load.measure(server.port, sel_path)
        rows.append(
            Row(
                "P3",
                f"{engine}: q={selective} at {label(args.large)} ({sel_total}) ÷ at "
                f"{label(args.small)} ({total_small}), req/s",
                ratio(sel_large.rps, sel_small.rps),
                f"{sel_large.rps:.1f} ÷ {sel_small.rps:.1f} req/s; p50 {sel_large.p50 * 1000:.0f} ms "
                f"vs {sel_small.p50 * 1000:.0f} ms",
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="duration of each measurement (15)")
    parser.add_argument(
        "--min-rounds",
        type=int,
        default=5,
        help="a slow URL is measured long enough for every connection to finish this many requests (5)",
    )
    parser.add_argument("--max-seconds", type=float, default=240, help="upper bound of that longer duration (240)")
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=120,
        help="a URL whose first request takes longer is recorded as timed out, not loaded (120)",
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2, as SPEC §6 says)")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--only", default="P1,P2,P3,P4", help="budgets to measure (P1,P2,P3,P4)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench-p1p4",
        help="where the databases live (/tmp/bench-p1p4)",
    )
    parser.add_argument("--reuse", action="store_true", help="reuse databases already built under --dir")
    parser.add_argument("--small", type=int, default=10_000, help="P3's small database (10000)")
    parser.add_argument("--mid", type=int, default=20_000, help="P1/P2's database (20000)")
    parser.add_argument("--large", type=int, default=1_000_000, help="P3/P4's large database (1000000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--cache",
        choices=tuple(CACHE_MODES),
        default="on",
        help="on: the app's caches (default); values: no page cache (each request renders, "
        "totals and facet counts cached per registry version); off: no cache at all",
    )
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument(
        "--keep-pg",
        action="store_true",
        help="keep the PostgreSQL databases bench_p1p4_* (dropped at the end otherwise)",
    )
    args = parser.parse_args()
    only = {x.strip().upper() for x in args.only.split(",") if x.strip()}
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    pg = {"host": args.pg_host, "port": args.pg_port, "user": args.pg_user}
    args.dir.mkdir(parents=True, exist_ok=True)

    lines: list[str] = []

    def log(message: str) -> None:
        print(message, flush=True)
        lines.append(message)

    load = Load(args, args.dir, log)
    log("command:  " + shlex.join([sys.executable, *sys.argv]))
    log(
        f"machine:  {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load generator on the same machine (127.0.0.1)"
    )
    log(f"load:     {load.describe()}")
    log(
        f"cache:    {args.cache} ({' '.join(f'{k}={v}' for k, v in CACHE_MODES[args.cache].items()) or 'app defaults'})"
    )

    sizes = set()
    if only & {"P1", "P2"}:
        sizes.add(args.mid)
    if only & {"P3", "P4"}:
        sizes |= {args.small, args.large}
    datasets = {(e, s): Dataset(e, s, args.dir, pg, args.cache) for e in engines for s in sorted(sizes)}
    rows: list[Row] = []
    try:
        for d in datasets.values():
            if args.reuse and d.ready():
                log(f"reusing {d.engine} {d.size:,}: {d.url}")
            else:
                d.build(args.seed, log)
        for engine in engines:
            if only & {"P1", "P2"}:
                rows += run_p1_p2(engine, args, datasets, load, log, only)
            if only & {"P3", "P4"}:
                rows += run_p3_p4(engine, args, datasets, load, log, only)
    finally:
        if not args.keep_pg:
            for d in datasets.values():
                d.drop(log)

    print()
    print(f"{'id':<4} {'what':<78} {'measured':>9} {'budget':>8}  result")
    for r in rows:
        op, budget = BUDGETS[r.id]
        print(f"{r.id:<4} {r.what:<78} {r.value:9.3f} {op + format(budget, 'g'):>8}  {'PASS' if r.passed else 'FAIL'}")
        print(f"     {r.detail}")
    print()
    print("load commands:")
    for m in load.measures:
        print(f"  {m.command}")
    failed = [r for r in rows if not r.passed]
    print()
    print(f"{'FAIL' if failed else 'PASS'}: {len(rows) - len(failed)} of {len(rows)} within budget")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
