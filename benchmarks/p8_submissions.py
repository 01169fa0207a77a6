#!/usr/bin/env python3
"""P8 (SPEC §6): concurrent clients submitting assessments — lost or duplicated submissions: 0.

Makes a fresh SQLite database in a temporary instance folder, serves the app with gunicorn
(2 sync workers, rate limits off) on a free port of 127.0.0.1, and runs N simulated browsers
(threads, one cookie jar each) for a fixed time. Each client loops: open /danh-gia, start an
attempt, GET and POST every page (CSRF token and shown questions scraped from the HTML; a 422
that reveals a new question is answered and posted again), GET the review page, POST it, then
GET the results page. Some clients POST the submission twice — concurrently (two threads, same
cookie) or back to back. An attempt in progress when the time is up is finished; no new one
is started.

At the end the server is stopped and the database is read directly. Exit status 1 when any
submission a client saw succeed is not submitted in the database, any assessment has more
than one `submit` audit event, a submitted one has none, stored answers or the level shown
differ from what the client sent or saw, or any request got a 5xx or no HTTP answer at all.

    .venv/bin/python benchmarks/p8_submissions.py                      # 16 clients, 60 s, quick-check
    .venv/bin/python benchmarks/p8_submissions.py --instrument dbi-sme --seconds 60 --clients 16
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import figures  # noqa: E402
from benchmarks.p8_clients import Attempt, Client, Stats, load_instrument  # noqa: E402

BIN = Path(sys.executable).parent  # the venv's bin/ when run with .venv/bin/python
if not (BIN / "gunicorn").exists():
    BIN = ROOT / ".venv" / "bin"


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(instance: Path, env: dict) -> None:
    for args in (["db", "upgrade"], ["reference", "load"]):
        command = [str(BIN / "flask"), "--app", "app", *args]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def wait_until_up(server: subprocess.Popen, port: int, log: Path, seconds: float = 60) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/danh-gia")
            if connection.getresponse().status == 200:
                connection.close()
                return
            connection.close()
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer within {seconds} s:\n{log.read_text()[-4000:]}")


def warm_up(port: int, workers: int) -> None:
    """A few GETs so that the first measured requests do not pay for each worker's first request."""
    for _ in range(workers * 4):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/danh-gia")
        connection.getresponse().read()
        connection.close()


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of the master and its workers
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --------------------------------------------------------------------------- report


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def same_answers(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        if isinstance(value, int | float) and isinstance(other, int | float):
            if abs(float(value) - float(other)) > 1e-9:
                return False
        elif value != other:
            return False
    return True


def check_database(db_path: Path, attempts: list[Attempt]) -> dict:
    con = sqlite3.connect(db_path)
    try:
        rows = {r[0]: r for r in con.execute("SELECT public_id, id, status, answers, overall_level FROM assessment")}
        duplicated = con.execute(
            "SELECT entity_id, count(*) FROM audit_event WHERE action = 'submit' AND entity_type = 'assessment' "
            "GROUP BY entity_id HAVING count(*) > 1"
        ).fetchall()
        unaudited = con.execute(
            "SELECT a.public_id FROM assessment a WHERE a.status = 'submitted' AND NOT EXISTS ("
            " SELECT 1 FROM audit_event e WHERE e.action = 'submit' AND e.entity_type = 'assessment'"
            " AND e.entity_id = CAST(a.id AS TEXT))"
        ).fetchall()
        submit_events = con.execute("SELECT count(*) FROM audit_event WHERE action = 'submit'").fetchone()[0]
    finally:
        con.close()
    confirmed = [a for a in attempts if a.confirmed]
    confirmed_ids = {a.public_id for a in confirmed}
    lost = [a.public_id for a in confirmed if a.public_id not in rows or rows[a.public_id][2] != "submitted"]
    answers_differ, level_differs = [], []
    for a in confirmed:
        row = rows.get(a.public_id)
        if row is None or row[2] != "submitted":
            continue
        if not same_answers(a.expected, json.loads(row[3])):
            answers_differ.append(a.public_id)
        if a.level_shown != row[4]:
            level_differs.append(a.public_id)
    submitted = [pid for pid, r in rows.items() if r[2] == "submitted"]
    return {
        "rows": len(rows),
        "submitted": len(submitted),
        "in_progress": len(rows) - len(submitted),
        "submit_events": submit_events,
        "confirmed": len(confirmed),
        "lost": lost,
        "duplicated": duplicated,
        "unaudited": [r[0] for r in unaudited],
        "submitted_unconfirmed": [pid for pid in submitted if pid not in confirmed_ids],
        "answers_differ": answers_differ,
        "level_differs": level_differs,
        "unknown_to_clients": [pid for pid in rows if pid not in {a.public_id for a in attempts}],
    }


def server_log_summary(log: Path) -> list[str]:
    text = log.read_text(errors="replace") if log.exists() else ""
    lines = text.splitlines()
    interesting = re.compile(r"Traceback|Error|error|locked|WORKER TIMEOUT|CRITICAL|Exception|exited")
    found = [line for line in lines if interesting.search(line)]
    out = [
        f"server log {log}: {len(lines)} lines, {len(found)} of errors; "
        f"'database is locked': {text.count('database is locked')}, "
        f"'WORKER TIMEOUT': {text.count('WORKER TIMEOUT')}, 'Traceback': {text.count('Traceback')}"
    ]
    first = text.find("Traceback")
    if first >= 0:
        start = text.rfind("\n", 0, max(0, first - 400)) + 1
        out.append("first traceback:\n" + text[start : first + 6000].rstrip())
    out += found[-20:]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long clients keep starting attempts (60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent simulated browsers (16)")
    parser.add_argument("--instrument", default="quick-check", help="quick-check (default) or dbi-sme")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2, as SPEC §6 says)")
    parser.add_argument(
        "--double-every",
        type=int,
        default=4,
        help="of every N clients, one double-submits concurrently and one back to back (4; 0: none)",
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds a client waits for one response (60)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random answers (1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder (database, log)")
    parser.add_argument("--json", default=None, help="write the figure as make bench's table row to this file")
    args = parser.parse_args()

    instrument = load_instrument(args.instrument)
    instance = Path(tempfile.mkdtemp(prefix="p8-"))
    db_path = instance / "app.db"
    log = instance / "gunicorn.log"
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": "p8-benchmark-" + os.urandom(8).hex(),
        "RATELIMIT_ENABLED": "false",
        "APP_ENV": "development",
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    gunicorn = [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "app:create_app()"]
    if "--no-control-socket" in subprocess.run([gunicorn[0], "--help"], capture_output=True, text=True).stdout:
        # gunicorn ≥ 27 otherwise opens ~/.gunicorn/gunicorn.ctl, shared with any other gunicorn running
        gunicorn.insert(1, "--no-control-socket")

    print("command:  " + shlex.join([sys.executable, *sys.argv]))
    print(
        f"server:   {shlex.join(gunicorn)}  (cwd {ROOT}; INSTANCE_PATH={instance}, "
        f"DATABASE_URL=sqlite:///{db_path}, RATELIMIT_ENABLED=false)"
    )
    print(
        f"machine:  {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"load:     {args.clients} clients × {args.seconds:g} s, {instrument.id} v{instrument.version} "
        f"({sum(len(p.questions) for p in instrument.pillars)} questions, {len(instrument.pillars)} pages)"
    )

    prepare(instance, env)
    server = None
    stats = Stats()
    clients: list[Client] = []
    try:
        with log.open("w") as log_file:
            server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        wait_until_up(server, port, log)
        warm_up(port, args.workers)
        modes = []
        for i in range(args.clients):
            slot = i % args.double_every if args.double_every else -1
            modes.append({0: "concurrent", 1: "sequential"}.get(slot, "single"))
        began = time.monotonic()
        deadline = began + args.seconds
        clients = [
            Client(i, modes[i], port, instrument, deadline, stats, args.timeout, args.seed) for i in range(args.clients)
        ]
        for c in clients:
            c.start()
        for c in clients:
            c.join(args.seconds + 10 * args.timeout)
        elapsed = time.monotonic() - began
        stuck = [c.name for c in clients if c.is_alive()]
    finally:
        if server is not None:
            stop(server)

    attempts = [a for c in clients for a in c.attempts]
    failures = [f for c in clients for f in c.failures]
    result = check_database(db_path, attempts)
    status_totals = Counter()
    for (_kind, status), n in stats.status.items():
        status_totals[status] += n
    server_errors = sum(n for (_kind, status), n in stats.status.items() if status >= 500)
    transport_errors = sum(stats.transport.values())
    by_mode = Counter(a.mode for a in attempts if a.confirmed)

    print()
    print(f"elapsed:                 {elapsed:.1f} s (clients stop starting attempts at {args.seconds:g} s)")
    print(f"attempts started:        {len(attempts)}")
    print(
        f"submissions confirmed by clients (302 → results page, level shown): {result['confirmed']}"
        f"  [single {by_mode['single']}, double concurrent {by_mode['concurrent']}, "
        f"double back-to-back {by_mode['sequential']}]"
    )
    print(
        f"rows in assessment:      {result['rows']} ({result['submitted']} submitted, "
        f"{result['in_progress']} in progress)"
    )
    print(f"submit audit events:     {result['submit_events']}")
    print(f"LOST (confirmed, not submitted in DB):           {len(result['lost'])}")
    print(f"DUPLICATED (>1 submit audit event per assessment): {len(result['duplicated'])}")
    print(f"submitted without a submit audit event:          {len(result['unaudited'])}")
    print(f"stored answers differ from those sent:           {len(result['answers_differ'])}")
    print(f"level on results page differs from DB:           {len(result['level_differs'])}")
    print(f"submitted in DB but not confirmed to a client:   {len(result['submitted_unconfirmed'])}")
    print(f"HTTP status counts:      {dict(sorted(status_totals.items()))}")
    print(
        f"5xx responses:           {server_errors}"
        + (f"  {dict((f'{k} {s}', n) for (k, s), n in stats.status.items() if s >= 500)}" if server_errors else "")
    )
    print(f"no HTTP answer:          {transport_errors}" + (f"  {dict(stats.transport)}" if transport_errors else ""))
    print(f"client-side failures:    {len(failures)}")
    for f in failures[:10]:
        print(f"    {f}")
    if stuck:
        print(f"clients still running after the wait: {stuck}")
    print(
        f"throughput:              {result['confirmed'] / elapsed:.2f} submissions/s, "
        f"{stats.requests / elapsed:.1f} requests/s ({stats.requests} requests)"
    )
    print("latency by request (s):  kind          n     p50     p95     p99     max")
    for kind in ("index", "start", "page_get", "page_post", "review_get", "submit", "submit_again", "result_get"):
        values = stats.latency.get(kind, [])
        if values:
            print(
                f"                         {kind:<12} {len(values):>5} {percentile(values, 0.5):7.3f} "
                f"{percentile(values, 0.95):7.3f} {percentile(values, 0.99):7.3f} {max(values):7.3f}"
            )
    for key in ("lost", "duplicated", "unaudited", "answers_differ", "level_differs"):
        if result[key]:
            print(f"{key}: {result[key][:20]}")

    failed = bool(
        result["lost"]
        or result["duplicated"]
        or result["unaudited"]
        or result["answers_differ"]
        or result["level_differs"]
        or server_errors
        or transport_errors
        or stuck
        or failures
    )
    if failed or failures or result["submitted_unconfirmed"]:
        print()
        print("\n".join(server_log_summary(log)))
    print()
    print(
        f"P8 {'FAIL' if failed else 'PASS'}: lost {len(result['lost'])}, duplicated {len(result['duplicated'])}, "
        f"5xx {server_errors} (budget: 0, 0, 0)"
    )
    problems = len(result["lost"]) + len(result["duplicated"]) + server_errors
    detail = (
        f"{args.clients} clients × {args.seconds:g} s: {result['confirmed']} submissions confirmed, "
        f"lost {len(result['lost'])}, duplicated {len(result['duplicated'])}, 5xx {server_errors}"
    )
    row = figures.row("P8", "lost or duplicated submissions", problems, "<=", 0, "sqlite", 0, detail)
    row["pass"] = not failed
    figures.write(args.json, [row])
    if args.keep or failed:
        print(f"kept {instance} (app.db, gunicorn.log)")
    else:
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
