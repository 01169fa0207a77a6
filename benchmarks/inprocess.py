#!/usr/bin/env python3
"""Where a directory request's time goes, in one process, caches off: the whole request, the SQL it
runs and the template alone, for a stream of distinct realistic requests (benchmarks/requests_stream.py),
each request alternated with the hello-world route so that the machine's swings cancel out.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/inprocess.py --instance /tmp/bench-p1p4/sqlite-20000
    PYTHONPATH=$PWD .venv/bin/python benchmarks/inprocess.py --instance /tmp/bench-p1p4/postgresql-20000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_p1p4_20k

Prints, per kind (directory page, API list, profile): median and p95 milliseconds, the ratio of the
hello median to the route's median (what req/s ÷ hello req/s is for one worker), the median SQL time
and, for the directory page, the median time of rendering its template alone. Budgets (issue 14):
directory template ≤ 3 ms, whole directory request at 20k ≤ 8 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import flask

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", required=True, help="instance folder (its app.db unless --database-url)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=300, help="distinct requests per kind")
    parser.add_argument("--kinds", default="directory,api,profile")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", default=None, help="write the figures to this file")
    parser.add_argument("--slowest", action="store_true", help="list the five slowest requests of each kind")
    parser.add_argument("--rows", default=None, help="write the directory's budgets as make bench's table rows")
    parser.add_argument("--size", type=int, default=0, help="the registry's size, for those rows")
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{Path(args.instance) / 'app.db'}"
    os.environ.update(
        INSTANCE_PATH=str(args.instance),
        DATABASE_URL=url,
        SECRET_KEY="inprocess-benchmark",
        RATELIMIT_ENABLED="false",
        APP_ENV="development",
        PAGE_CACHE_MB="0",
        VALUE_CACHE_ENTRIES="0",
    )
    from sqlalchemy import event

    from app.directory import search
    from app.directory import views as directory_views
    from app.extensions import db
    from benchmarks.bench_app import app
    from benchmarks.requests_stream import Vocabulary, stream

    rng = random.Random(args.seed)
    vocab = Vocabulary.read(url, rng)
    sql = {"seconds": 0.0}
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, _cursor, _statement, _params, _context, _many):
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, _cursor, _statement, _params, _context, _many):
        sql["seconds"] += time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())

    client = app.test_client()
    for _ in range(30):  # warm: imports, templates, connections
        client.get("/_hello")
        client.get("/doanh-nghiep?q=a")
    warm_worker(app)
    figures = {"engine": engine.dialect.name, "database": url.rsplit("/", 1)[-1], "kinds": {}}
    for kind in args.kinds.split(","):
        urls = stream(vocab, rng, kind, args.requests)
        hello, route, sql_ms, statuses = [], [], [], {}
        for path in urls:
            started = time.perf_counter()
            client.get("/_hello")
            hello.append((time.perf_counter() - started) * 1000)
            sql["seconds"] = 0.0
            started = time.perf_counter()
            response = client.get(path)
            route.append((time.perf_counter() - started) * 1000)
            sql_ms.append(sql["seconds"] * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        row = {
            "requests": len(urls),
            "median_ms": statistics.median(route),
            "p95_ms": pct(route, 0.95),
            "max_ms": max(route),
            "hello_median_ms": statistics.median(hello),
            "ratio": statistics.median(hello) / statistics.median(route),
            "sql_median_ms": statistics.median(sql_ms),
            "statuses": statuses,
            "slowest": urls[route.index(max(route))],
            "slowest_five": [(round(ms, 1), url) for ms, url in sorted(zip(route, urls, strict=True))[-5:]],
        }
        if kind == "directory":
            row["template_median_ms"] = statistics.median(_template_times(app, urls, search, directory_views))
        figures["kinds"][kind] = row
        extra = f", template alone {row['template_median_ms']:.2f} ms" if "template_median_ms" in row else ""
        print(
            f"{figures['engine']} {figures['database']} {kind:9} {row['requests']} distinct: "
            f"median {row['median_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms, max {row['max_ms']:.1f} ms "
            f"({row['slowest']}), hello {row['hello_median_ms']:.3f} ms, ratio {row['ratio']:.3f}, "
            f"SQL median {row['sql_median_ms']:.2f} ms{extra}, statuses {statuses}"
        )
        if args.slowest:
            for ms, url in reversed(row["slowest_five"]):
                print(f"    {ms:8.1f} ms  {url}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    directory = figures["kinds"].get("directory")
    if args.rows and directory:
        from benchmarks import figures as table

        detail = f"{directory['requests']} distinct requests in one process, medians; hello {directory['hello_median_ms']:.2f} ms"
        table.write(
            args.rows,
            [
                table.row(
                    "render",
                    "directory template alone ms",
                    directory["template_median_ms"],
                    "<=",
                    3,
                    figures["engine"],
                    args.size,
                    detail,
                ),
                table.row(
                    "request",
                    "whole directory request ms",
                    directory["median_ms"],
                    "<=",
                    8,
                    figures["engine"],
                    args.size,
                    detail + f", SQL {directory['sql_median_ms']:.2f} ms",
                ),
            ],
        )
    return 0


def warm_worker(app, timeout: float = 120) -> None:
    """Wait until the machine's directory index is built (by its builder, in its own process) and opened."""
    from app.directory import index_service

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.test_request_context("/"):
            if index_service.current() is not None:
                return
        time.sleep(0.2)


def _template_times(app, urls, search, directory_views) -> list[float]:
    """Render the directory template alone, its results computed beforehand (untimed)."""
    times = []
    for path in urls:
        with app.test_request_context(path):
            app.preprocess_request()
            query = search.Query.from_args(flask.request.args)
            if query.code:
                continue
            results = search.run(query)
            started = time.perf_counter()
            directory_views.render_results(results)
            times.append((time.perf_counter() - started) * 1000)
    return times


if __name__ == "__main__":
    sys.exit(main())
