#!/usr/bin/env python3
"""Issue 14: a broad export streams its first byte within 1 s. In one process (Flask's test client,
unbuffered, caches off), once the worker holds the directory's bitmaps: the time to the first chunk
and to the whole file of public CSV exports of broad queries.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/export_first_byte.py --instance /tmp/bench-p1p4/sqlite-1000000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATHS = ("/doanh-nghiep/xuat.csv?q=t", "/doanh-nghiep/xuat.csv?q=t&sort=size", "/doanh-nghiep/xuat.csv?q=h%C3%B2a")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", required=True, help="instance folder (its app.db unless --database-url)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", default=None, help="write the figure as make bench's table row to this file")
    parser.add_argument("--size", type=int, default=0, help="the registry's size, for that row")
    args = parser.parse_args()
    os.environ.update(
        INSTANCE_PATH=str(args.instance),
        DATABASE_URL=args.database_url or f"sqlite:///{Path(args.instance) / 'app.db'}",
        SECRET_KEY="export-benchmark",
        RATELIMIT_ENABLED="false",
        APP_ENV="development",
        PAGE_CACHE_MB="0",
        VALUE_CACHE_ENTRIES="0",
    )
    from benchmarks.bench_app import app
    from benchmarks.inprocess import warm_worker

    client = app.test_client()
    client.get("/doanh-nghiep?q=a")
    warm_worker(app, 600)
    slowest, lines = 0.0, []
    for path in PATHS:
        started = time.perf_counter()
        chunks = iter(client.get(path, buffered=False).response)
        size = len(next(chunks))
        first = time.perf_counter() - started
        size += sum(len(chunk) for chunk in chunks)
        slowest = max(slowest, first)
        lines.append(f"{path}: first byte {first * 1000:.0f} ms, whole {time.perf_counter() - started:.1f} s")
        print(f"{lines[-1]}, {size:,} bytes")
    print(f"slowest first byte {slowest * 1000:.0f} ms (budget 1000 ms)")
    from app.extensions import db
    from benchmarks import figures

    with app.app_context():
        engine = db.engine.dialect.name
    detail = "public CSV: " + "; ".join(line.replace("/doanh-nghiep/xuat.csv?", "") for line in lines)
    figures.write(
        args.json,
        [figures.row("export", "export first byte ms", slowest * 1000, "<=", 1000, engine, args.size, detail)],
    )
    return 0 if slowest <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
