#!/usr/bin/env python3
"""What answering a narrow search from the columns per id saves (app/directory/id_columns.py): the
same URLs timed in one process, caches off, with the matches kept as ids (the app's way below
id_columns.FEW) and as bitmaps (FEW = 0), each alternated with the other so that the machine's
swings cancel out. Medians of the test client's whole request, once the worker's index is built.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/few_matches.py --instance /tmp/bench-p1p4/sqlite-1000000
    PYTHONPATH=$PWD .venv/bin/python benchmarks/few_matches.py --instance /tmp/bench-p1p4/postgresql-1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_p1p4_1m
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.registries import CACHE_MODES  # noqa: E402

URLS = ("/doanh-nghiep?q={q}", "/doanh-nghiep?q={q}&commune=22015", "/api/v1/enterprises?q={q}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", required=True, help="instance folder (its app.db unless --database-url)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--q", default="internet", help="a word in few enterprises (P3's: internet)")
    parser.add_argument("--requests", type=int, default=60, help="per URL and way")
    args = parser.parse_args()
    instance = Path(args.instance)
    os.environ.update(
        INSTANCE_PATH=str(instance),
        DATABASE_URL=args.database_url or f"sqlite:///{instance / 'app.db'}",
        SECRET_KEY="few-matches",
        RATELIMIT_ENABLED="false",
        APP_ENV="development",
        **CACHE_MODES["off"],
    )
    from app import create_app
    from app.directory import id_columns, index_service

    app = create_app()
    client = app.test_client()
    started = time.perf_counter()
    with app.test_request_context():  # the machine's index, built here if none covers the registry
        if index_service.current() is None:
            index_service.build_here(wait=True)
    print(f"{instance.name}: index ready in {time.perf_counter() - started:.1f} s; FEW = {id_columns.FEW:,}")
    few = id_columns.FEW
    for pattern in URLS:
        url = pattern.format(q=args.q)
        times: dict[int, list[float]] = {few: [], 0: []}
        for _ in range(args.requests):
            for way in (few, 0):
                id_columns.FEW = way
                begun = time.perf_counter()
                status = client.get(url).status_code
                times[way].append((time.perf_counter() - begun) * 1000)
                if status != 200:
                    print(f"{url}: {status}")
                    return 1
        id_columns.FEW = few
        ids, bitmaps = statistics.median(times[few]), statistics.median(times[0])
        print(f"  {url:45s} as ids {ids:6.2f} ms   as bitmaps {bitmaps:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
