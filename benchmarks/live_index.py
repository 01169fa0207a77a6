"""What the changes held beside the directory's build cost a search (app/directory/recent.py).

In one process, caches off, on a registry made by `flask demo generate`: the machine's build is made
(or the current one opened), then K enterprises are changed through the registry's service (a staff
correction, audited, as the site writes it) — so K records are held apart — and a stream of distinct
directory queries is answered at each K. Prints the median and p95 per query, the time to read the
changes in, and the build's size on disk and time.

    PYTHONPATH=. .venv/bin/python benchmarks/live_index.py --database-url sqlite:////tmp/live100k/app.db \
        --instance /tmp/live100k/instance --held 0 100 1000 5000
"""

from __future__ import annotations

import argparse
import random
import time

from sqlalchemy import select

from app import audit, create_app
from app.database import write_intent
from app.directory import index_files, index_service, search
from app.extensions import db
from app.models import Enterprise
from app.registry.services import update_enterprise
from benchmarks.requests_stream import Vocabulary, directory_args


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--held", type=int, nargs="+", default=[0, 100, 1000, 5000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    app = create_app(
        {
            "DATABASE_URL": args.database_url,
            "INSTANCE_PATH": args.instance,
            "VALUE_CACHE_ENTRIES": 0,
            "PAGE_CACHE_MB": 0,
            "DIRECTORY_INDEX_BUILD": "inline",
        }
    )
    index_service.COMPACT_AT = max(args.held) + 1  # measure the held records, not a new build
    rng = random.Random(7)
    vocab = Vocabulary.read(args.database_url, rng)
    queries = [search.Query.from_args(directory_args(vocab, rng)) for _ in range(args.queries)]
    with app.test_request_context():
        started = time.monotonic()
        made = index_service.build_here(wait=True)
        db.session.rollback()
        print(
            f"build: {time.monotonic() - started:.1f} s, {index_files.size_on_disk(made.parent, made.name) / 2**20:.0f} MB"
        )
        ids = db.session.scalars(select(Enterprise.id).where(*search.listed())).all()
    rng.shuffle(ids)
    held = 0
    print("held | read in (s) | median (ms) | p95 (ms) | max (ms)")
    for target in args.held:
        with app.app_context(), write_intent():
            for enterprise_id in ids[held:target]:
                firm = db.session.get(Enterprise, enterprise_id)
                update_enterprise(firm, audit.CLI, "staff", employees=(firm.employees or 0) + 1)
            db.session.commit()
        held = max(held, target)
        with app.test_request_context():
            app.extensions.pop("directory_index", None)  # opened afresh: every held change read in
            started = time.monotonic()
            view = index_service.current()
            read_in = time.monotonic() - started
        times = []
        for query in queries:
            with app.test_request_context():
                started = time.monotonic()
                search.run(query)
                times.append((time.monotonic() - started) * 1000)
        print(
            f"{len(view.recent.docs):>5} | {read_in:.2f} | {pct(times, 0.5):.1f} | {pct(times, 0.95):.1f} | {max(times):.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
