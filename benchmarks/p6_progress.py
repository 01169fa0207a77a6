#!/usr/bin/env python3
"""P6 (SPEC §6): the progress pages at scale, caches off, against a page that counts the enterprises.

Builds (or, with --reuse, reuses) a database under --dir with the app's own commands:
`flask db upgrade`, `flask reference load`, `flask demo generate --enterprises N --assessments M`,
`flask progress rebuild` (the monthly snapshots since the plan began, timed). Then, in one warm
process with the page cache off (PAGE_CACHE_MB=0, VALUE_CACHE_ENTRIES=0), it alternates each
measured page with the baseline page — `/_count`, the site's layout around one
`SELECT count(*) FROM enterprise` — and reports medians over --rounds rounds:

  /tien-do                          the dashboard, today
  /tien-do/T5?theo=commune          an indicator page with a breakdown, today
  /tien-do/T5?theo=size&ngay=…      the same as of 31/12/2025 (a month end: its snapshot stands)
  /tien-do/T5?theo=section&ngay=…   as of a distinct past day each round, not a month end: the
                                    public sees the last month end before it (a stored snapshot);
                                    staff would have the day computed from the dated records
  today's figures computed afresh   indicators.compute for T4, T5, T6 as of today (what a refresh
                                    after a write costs, on a thread of the worker or in `flask
                                    progress refresh`; also what a staff member's arbitrary day costs)

Budget: each page's median latency ÷ the baseline's ≤ 10 (the dashboard, the indicator page and the
month-end past day; the two "computed" rows are reported for what they cost).

    .venv/bin/python benchmarks/p6_progress.py --enterprises 20000 --assessments 60000    # small, quick
    .venv/bin/python benchmarks/p6_progress.py --reuse                                     # 1M / 3M
    .venv/bin/python benchmarks/p6_progress.py --reuse --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def flask(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def build(env: dict, enterprises: int, assessments: int) -> None:
    flask(env, "db", "upgrade")
    flask(env, "reference", "load")
    seconds = flask(env, "demo", "generate", "--enterprises", str(enterprises), "--assessments", str(assessments))
    print(f"generate: {seconds:.0f} s", flush=True)


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/bench-p6")
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--assessments", type=int, default=3_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in --dir)")
    parser.add_argument("--reuse", action="store_true", help="use the database already in --dir")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--keep-snapshots",
        action="store_true",
        help="with --reuse: do not run `flask progress rebuild` first (the database has its snapshots)",
    )
    parser.add_argument("--json", default=None, help="write the figures as make bench's table rows to this file")
    args = parser.parse_args()

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "INSTANCE_PATH": str(folder),
        "PAGE_CACHE_MB": "0",
        "VALUE_CACHE_ENTRIES": "0",
        "RATELIMIT_ENABLED": "false",
        "FLASK_APP": "app",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if not args.reuse:
        build(env, args.enterprises, args.assessments)
    if not (args.reuse and args.keep_snapshots):
        print(f"progress rebuild: {flask(env, 'progress', 'rebuild'):.0f} s", flush=True)

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from flask import render_template_string
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.i18n import local_today
    from app.models import Enterprise
    from app.progress import indicators, services
    from benchmarks import figures

    app = create_app()

    @app.get("/_count")
    def _count():
        count = db.session.scalar(select(func.count()).select_from(Enterprise))
        return render_template_string(
            '{% extends "base.html" %}{% block content %}<p>{{ n }}</p>{% endblock %}', n=count
        )

    client = app.test_client()
    with app.app_context():
        today = local_today()
        size = db.session.scalar(select(func.count()).select_from(Enterprise))
        engine = db.engine.dialect.name
    pages = {
        "dashboard /tien-do": lambda i: "/tien-do",
        "indicator /tien-do/T5?theo=commune": lambda i: "/tien-do/T5?theo=commune",
        "month end 31/12/2025, by size": lambda i: "/tien-do/T5?theo=size&ngay=2025-12-31",
        "distinct past day, by section (public)": lambda i: (
            f"/tien-do/T5?theo=section&ngay={date(2025, 6, 2) + timedelta(days=i)}"
        ),
    }
    for url in ("/_count", "/tien-do", "/tien-do/T5?theo=commune", "/tien-do/T5?theo=size&ngay=2025-12-31"):
        timed(client, url)  # warm: templates, statement caches, snapshots of today
    results = {name: [] for name in pages}
    baseline = []
    for i in range(args.rounds):
        for name, url in pages.items():
            baseline.append(timed(client, "/_count"))
            results[name].append(timed(client, url(i)))
    with app.app_context():
        s = services.current_settings()
        fresh = []
        for _ in range(max(3, args.rounds // 5)):
            started = time.perf_counter()
            for code in indicators.DEFINITIONS:
                indicators.compute(code, today, s)
            fresh.append(time.perf_counter() - started)

    base = statistics.median(baseline)
    print(
        f"\nP6 — {engine}, {size:,} enterprises, {args.rounds} rounds, page cache off; baseline /_count "
        f"median {base * 1000:.1f} ms"
    )
    print(f"{'page':45} {'median ms':>10} {'÷ baseline':>11}  budget ≤ 10")
    failed = False
    table = []
    for name, times in results.items():
        ratio = statistics.median(times) / base
        budgeted = "computed" not in name
        failed |= budgeted and ratio > 10
        detail = f"{statistics.median(times) * 1000:.1f} ÷ {base * 1000:.1f} ms (/_count), {args.rounds} rounds"
        table.append(figures.row("P6", name, ratio, "<=", 10, engine, size, detail))
        print(
            f"{name:45} {statistics.median(times) * 1000:10.1f} {ratio:11.2f}  "
            f"{('PASS' if ratio <= 10 else 'FAIL') if budgeted else '(reported)'}"
        )
    print(
        f"{'today computed afresh (T4+T5+T6)':45} {statistics.median(fresh) * 1000:10.1f} "
        f"{statistics.median(fresh) / base:11.2f}  (reported)"
    )
    figures.write(args.json, table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
