#!/usr/bin/env python3
"""P11–P14 (SPEC §6, issue 24): the directory while the registry is written, measured from outside.

On a generated registry (`registries.Dataset`, purpose p9: its own folder under --dir and, on
PostgreSQL, its own database, since the writes change it), served by gunicorn (2 workers, production
mode, caches off, rate limits off: `benchmarks.bench_app:app`), and a writer process with the app's
context (benchmarks/p9_writer.py: the site's own services, each write committed as the site does):

- P11: wrk with a stream of distinct realistic directory queries (requests_stream.py), --connections
  (8), --seconds (30) without writes and as long while the writer commits one write a second, in turn
  an owner's edit, the approval of a pending review and an import of a small registry file of
  updates committed in steps; split into --rounds (3) runs with writes, each between two without
  (on a shared machine the others' load then weighs on both): req/s, p50/p95/p99/max (the worst
  run's); budgets p95 ≤ 300 ms, p99 ≤ 600 ms, max ≤ 1.5 s and req/s ≥ 0.8 × without writes (the
  median of the rounds' ratios, each to the mean of the runs on either side).
- P12 (freshness): the writer renames a firm with a word no firm holds (every third sample instead
  approves a listing an owner registered under such a word) and the directory page and the API are
  asked for the word until every worker finds the firm (X-Bench-Worker says which answered): seconds
  from the commit to the first answer of that unbroken run of finds, ≤ 5 s.
- P13 (restart): the server is stopped and started; a broad and a narrow query are asked in turn
  until both answer within 300 ms on every worker and keep doing so: seconds from the start, ≤ 5 s.
- P14 (memory): the PSS of every process of the app (p9_probes.py) at rest once warm, and its peak
  during the writes (every 250 ms, SQLite's mapped database left out of each reading), less the same app before its first search (the index not yet
  loaded: the app has no setting that turns the index off; --no-index-env names one when it has);
  ≤ 500 MB at 1M, and the peak ≤ 1.5 × at rest. The index's files under the instance folder
  (`directory-index*`), if any, are listed.

Prints the rows in bench.py's table format, writes them with --json, exits 1 when a budget is missed
(--quick: only when a request or a write failed).

    .venv/bin/python benchmarks/p9_writes.py --size 100000
    .venv/bin/python benchmarks/p9_writes.py --size 100000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_d
    .venv/bin/python benchmarks/p9_writes.py --quick          # 2,000 enterprises, 3 s phases: make bench-quick
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.production import DEPARTMENT_SETTINGS  # noqa: E402
from benchmarks import figures  # noqa: E402
from benchmarks.load import client_of, drive, wait_until_ready  # noqa: E402
from benchmarks.p9_probes import Sampler, WriterProcess, ask, index_files, settled_pss, workers  # noqa: E402
from benchmarks.registries import (  # noqa: E402
    Dataset,
    Server,
    Words,
    pg_server,
    pick_broad,
    pick_selective,
    stop_on_terminate,
)
from benchmarks.requests_stream import Vocabulary, stream  # noqa: E402

STREAM = ("owner", "approve", "import")  # the writes of P11, in turn


def production(dataset: Dataset, extra: dict) -> dict:
    """The dataset's settings in production mode, with what production requires of a deployment."""
    env = dataset.env() | {name: f"Benchmark p9 ({name})" for name in DEPARTMENT_SETTINGS}
    return env | {
        "APP_ENV": "production",
        "SECRET_KEY": "p9-benchmark-secret-" + "k" * 44,
        "PUBLIC_BASE_URL": "https://bench.invalid",
        "TRUSTED_HOSTS": "127.0.0.1,bench.invalid",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",  # required in production, unused: limits are off
        "REDIS_IS_PRIVATE": "1",
        "DEPARTMENT_EMAIL": "p9@example.com",
        **extra,
    }


def load(port: int, args, phase: str, vocab: Vocabulary) -> dict:
    seconds = args.seconds / args.rounds
    urls = stream(vocab, random.Random(f"p9:{phase}:{time.time()}"), "directory", int(seconds * 1500) + 100)
    return drive(port, urls, seconds, args.connections, args.client)


def alternated(port: int, args, vocab: Vocabulary, writer: WriterProcess, sampler: Sampler, log) -> dict:
    """P11's phases in --rounds alternated runs, without writes on either side of each run with
    writes (the other load of a shared machine then weighs on both alike): the runs with writes and
    the ratio of each to the mean of its neighbours without. The memory is sampled during the writes."""
    base, writes, done = [load(port, args, "base 0", vocab)], [], []
    sampler.start()
    for r in range(args.rounds):
        stop = threading.Event()
        thread = threading.Thread(target=write_stream, args=(writer, args.rate, stop, done))
        thread.start()
        writes.append(load(port, args, f"writes {r}", vocab))
        stop.set()
        thread.join()
        base.append(load(port, args, f"base {r + 1}", vocab))
        log(f"  round {r + 1}: without {line(base[r])}; with writes {line(writes[r])}; without {line(base[r + 1])}")
    ratios = [w["rps"] / ((b["rps"] + a["rps"]) / 2) for w, b, a in zip(writes, base, base[1:], strict=False)]
    found = {"base": combined(base), "writes": combined(writes), "ratios": ratios, "written": done}
    found["peak_pss"], found["processes"] = sampler.stop(), sampler.most
    log(f"  without writes: {line(found['base'])}")
    log(f"  with writes:    {line(found['writes'])}; {summary(done, args.seconds)}")
    log("  req/s with ÷ without writes, by round: " + ", ".join(f"{x:.2f}" for x in ratios))
    return found


def combined(runs: list[dict]) -> dict:
    """Runs of one kind as one: req/s over their whole time, the worst of their percentiles."""
    wall = sum(run["requests"] / run["rps"] for run in runs if run["rps"])
    requests = sum(run["requests"] for run in runs)
    return {
        "requests": requests,
        "rps": requests / wall if wall else 0.0,
        **{key: max(run[key] for run in runs) for key in ("p50", "p95", "p99", "max")},
        "errors": sum(run["errors"] for run in runs),
        "client": runs[0]["client"],
    }


def write_stream(writer: WriterProcess, rate: float, stop: threading.Event, done: list[dict]) -> None:
    """One write every 1/rate seconds, in turn of STREAM, until stopped (never two at once)."""
    due, n = time.monotonic(), 0
    while not stop.is_set():
        stop.wait(max(0.0, due - time.monotonic()))
        if stop.is_set():
            break
        done.append(writer.send(STREAM[n % len(STREAM)] + (" 20" if STREAM[n % len(STREAM)] == "import" else "")))
        n, due = n + 1, max(due + 1 / rate, time.monotonic())


def freshness(port: int, writer: WriterProcess, leader: int, kind: str, timeout: float) -> dict:
    """Seconds from a write's commit until every worker finds it, on both the page and the API."""
    wrote = writer.send(kind)
    word, key, committed = wrote["word"].lower(), wrote["key"], wrote["committed"]
    paths = [f"/doanh-nghiep?q={quote_plus(word)}", f"/api/v1/enterprises?q={quote_plus(word)}"]
    serving, since, finders, n, polls = workers(leader), None, set(), 0, 0
    while time.time() - committed < timeout:
        status, body, _s, worker = ask(port, paths[n % 2])
        n, polls = n + 1, polls + 1
        if status == 200 and key.encode() in body:
            since = since or time.time()
            finders.add(worker)
            if finders >= serving and n >= 4:
                return {"seconds": since - committed, "kind": kind, "polls": polls, "write": wrote["seconds"]}
        else:
            since, finders, n = None, set(), 0
        time.sleep(0.02)
    return {"seconds": timeout, "kind": kind, "polls": polls, "write": wrote["seconds"], "timed_out": True}


def restart(server: Server, broad: str, narrow: str, timeout: float, log) -> dict:
    """Stop the server, start it, and ask the two queries in turn until both answer within 300 ms
    on every worker: seconds from the start to the first answer of that unbroken run."""
    server.stop()
    started = time.monotonic()
    server.start(wait=False)
    paths, first, since, good, n, slowest = [broad, narrow], None, None, set(), 0, 0.0
    while time.monotonic() - started < timeout:
        path = paths[n % 2]
        try:
            status, _b, seconds, worker = ask(server.port, path)
        except OSError:
            time.sleep(0.05)
            continue
        n += 1
        first = first or time.monotonic() - started
        slowest = max(slowest, seconds)
        if status == 200 and seconds <= 0.3:
            since = since or time.monotonic() - started
            good.add((worker, path))
            if len(good) == 2 * server.workers:  # both queries on every worker, each within 300 ms
                return {"seconds": since, "first_answer": first, "slowest": slowest, "requests": n}
        else:
            since, good = None, set()
    log(f"  restart: not within 300 ms on every worker after {timeout:.0f} s")
    return {"seconds": timeout, "first_answer": first or timeout, "slowest": slowest, "requests": n}


def every_worker(server: Server, timeout: float = 60) -> None:
    """Until each worker has answered the hello-world route (they boot one after the other)."""
    seen, until = set(), time.monotonic() + timeout
    while len(seen) < server.workers and time.monotonic() < until:
        seen.add(ask(server.port, "/_hello")[3])
    for _ in range(10):
        ask(server.port, "/_hello")


def queries(dataset: Dataset) -> tuple[str, str]:
    """P13's broad (more than half the registry) and narrow (a rare word) queries."""
    words = Words.of(dataset)
    broad = pick_broad(words)[:1] or ["t"]
    narrow = pick_selective(words, words)[:1] or [min(words.frequency, key=lambda w: (words.frequency[w], w))]
    return f"/doanh-nghiep?q={quote_plus(broad[0])}", f"/doanh-nghiep?q={quote_plus(narrow[0])}"


def measure(dataset: Dataset, args, log) -> list[dict]:
    env = production(dataset, {})
    broad, narrow = queries(dataset)
    vocab = Vocabulary.read(dataset.url, random.Random(24))
    writer = WriterProcess(env, log)  # loads the app while the server starts
    server = Server(dataset, 2, log, 120, env=env).start(wait=False)
    f, size, samples = {}, dataset.size, args.freshness
    # its pages are not the index's; a mapping names the file a symbolic link leads to
    database = (os.path.realpath(dataset.folder / "app.db"),) if dataset.engine == "sqlite" else ()
    try:
        with server:
            prepared = writer.send(f"prepare {int(args.seconds * args.rate / len(STREAM)) + samples + 2}")
            log(f"  writer ready: {prepared['reviews']} pending reviews, {prepared['registrations']} registrations")
            leader = server.answering().process.pid
            every_worker(server)  # up, and no search asked yet
            f["fresh_pss"], f["fresh_db"] = settled_pss(leader, 1 + server.workers, database)
            wait_until_ready(server.port, log)
            drive(
                server.port,
                stream(vocab, random.Random(1), "directory", 2000),
                args.warm,
                args.connections,
                args.client,
            )
            f["rest_pss"], f["rest_db"] = settled_pss(leader, 1 + server.workers, database)
            log(f"  memory: {f['fresh_pss']:.0f} MB before the first search, {f['rest_pss']:.0f} MB warm")
            f |= alternated(server.port, args, vocab, writer, Sampler(leader, database), log)
            f["fresh"] = [
                freshness(server.port, writer, leader, "create" if n % 3 == 2 else "rename", args.fresh_timeout)
                for n in range(samples)
            ]
            log("  freshness: " + ", ".join(f"{s['kind']} {s['seconds']:.2f} s" for s in f["fresh"]))
            f["restart"] = restart(server, broad, narrow, args.restart_timeout, log)
            log(f"  restart: {f['restart']}")
    finally:
        writer.close()
    files = index_files(dataset.folder)
    log(
        f"  index files: {sum(n for _p, n in files) / 2**20:.1f} MB in {len(files)} files"
        if files
        else "  index files: none"
    )
    for name, bytes_ in sorted(files, key=lambda f: -f[1])[:8]:
        log(f"    {bytes_ / 2**20:10.1f} MB  {name}")
    return rows(f, dataset.engine, size, args)


def line(m: dict) -> str:
    return (
        f"{m['rps']:.0f} req/s, p50 {m['p50']:.0f} p95 {m['p95']:.0f} p99 {m['p99']:.0f} max {m['max']:.0f} ms, "
        f"{m['requests']} requests, {m['errors']} errors ({m['client']})"
    )


def summary(done: list[dict], seconds: float) -> str:
    kinds = {kind: [d["seconds"] for d in done if d["kind"] == kind] for kind in STREAM}
    audited = sum(d.get("audited", 0) for d in done)
    return f"{len(done)} writes ({audited} audit events) in {seconds:g} s: " + ", ".join(
        f"{kind} {len(s)} × median {statistics.median(s):.2f} s max {max(s):.2f} s" for kind, s in kinds.items() if s
    )


def rows(f: dict, engine: str, size: int, args) -> list[dict]:
    base, writes, budget = f["base"], f["writes"], figures.WRITE_BUDGETS
    detail = f"with writes {line(writes)}; without {line(base)}; {summary(f['written'], args.seconds)}"
    out = [
        figures.row(name, what, writes[key], *budget[name], engine, size, detail)
        for name, what, key in (
            ("P11 p95", "directory p95 ms, 1 write/s", "p95"),
            ("P11 p99", "directory p99 ms, 1 write/s", "p99"),
            ("P11 max", "directory slowest ms, 1 write/s", "max"),
        )
    ]
    ratio = statistics.median(f["ratios"])
    rounds = f"median of {len(f['ratios'])} rounds: " + ", ".join(f"{x:.2f}" for x in f["ratios"])
    out.append(
        figures.row(
            "P11 ratio", "req/s with ÷ without writes", ratio, *budget["P11 ratio"], engine, size, f"{rounds}; {detail}"
        )
    )
    fresh = [s["seconds"] for s in f["fresh"]]
    out.append(
        figures.row(
            "P12", "freshness s, slowest sample", max(fresh), *budget["P12"], engine, size,
            f"median {statistics.median(fresh):.2f} s of {len(fresh)}: "
            + ", ".join(f"{s['kind']} {s['seconds']:.2f}" + (" (timed out)" if s.get("timed_out") else "") for s in f["fresh"]),
        )
    )  # fmt: skip
    r = f["restart"]
    out.append(
        figures.row(
            "P13", "restart s until within 300 ms", r["seconds"], *budget["P13"], engine, size,
            f"first answer {r['first_answer']:.2f} s, slowest {r['slowest'] * 1000:.0f} ms, {r['requests']} requests",
        )
    )  # fmt: skip
    rest, peak = f["rest_pss"] - f["fresh_pss"], f["peak_pss"] - f["fresh_pss"]
    memory = (
        f"PSS of the app's processes: {f['fresh_pss']:.0f} MB before the first search, {f['rest_pss']:.0f} warm, "
        f"peak {f['peak_pss']:.0f} during writes ({f['processes']} processes at most)"
        + (f"; SQLite's mapped database left out: {f['fresh_db']:.0f} → {f['rest_db']:.0f} MB" if f["rest_db"] else "")
    )
    out.append(figures.row("P14", "index MB per machine, at rest", rest, *budget["P14"], engine, size, memory))
    out.append(
        figures.row(
            "P14 peak",
            "index peak ÷ at rest, writes",
            peak / rest if rest > 0 else 0.0,
            *budget["P14 peak"],
            engine,
            size,
            memory,
        )
    )
    for row in out:
        row["errors"] = base["errors"] + writes["errors"]
        row["pass"] &= row["errors"] == 0
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=None, help="enterprises (default 100000; quick: 2000)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (its database name prefixes ours)")
    parser.add_argument("--dir", default="/tmp/bench-p9", help="where the instance folders live")
    parser.add_argument(
        "--copy-from", default="/tmp/bench-p1p4", help="a registry of this size built there is copied, not generated"
    )
    parser.add_argument("--seconds", type=float, default=None, help="each kind of load in all (default 30; quick: 3)")
    parser.add_argument(
        "--rounds", type=int, default=None, help="alternated runs without and with writes (default 3; quick: 1)"
    )
    parser.add_argument("--rate", type=float, default=1.0, help="writes per second (1)")
    parser.add_argument("--freshness", type=int, default=None, help="freshness samples (default 6; quick: 2)")
    parser.add_argument("--fresh-timeout", type=float, default=60.0)
    parser.add_argument("--restart-timeout", type=float, default=120.0)
    parser.add_argument("--warm", type=float, default=None, help="seconds of warm-up (default 10; quick: 1)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--quick", action="store_true", help="2,000 enterprises, short phases: the harness's own test")
    parser.add_argument("--json", default=None, help="write the rows here (bench.py)")
    args = parser.parse_args()
    args.size = args.size or (2000 if args.quick else 100_000)
    args.seconds = args.seconds or (3.0 if args.quick else 30.0)
    args.freshness = args.freshness or (2 if args.quick else 6)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.warm = args.warm if args.warm is not None else (1.0 if args.quick else 10.0)
    args.client = client_of(args.client)
    stop_on_terminate()

    def log(message: str) -> None:
        print(message, flush=True)

    engine = "postgresql" if args.database_url else "sqlite"
    dataset = Dataset(engine, args.size, Path(args.dir), pg_server(args.database_url), cache="off", purpose="p9")
    source = Dataset(engine, args.size, Path(args.copy_from), dataset.pg, cache="off")  # make bench's P1–P4 registry
    if not dataset.ready():
        dataset.copy_of(source, log) if source.ready() else dataset.build(1, log)
    log(
        f"p9 {engine} {args.size:,}: {args.client}, {args.connections} connections, {args.seconds:g} s of each load in {args.rounds} rounds, {args.rate:g} write/s"
    )
    found = measure(dataset, args, log)
    figures.write(args.json, found)
    figures.show(found)
    if args.quick:  # at 2,000 enterprises the figures are noise: only a failed request fails
        return 1 if any(r["errors"] for r in found) else 0
    return 0 if all(r["pass"] for r in found) else 1


if __name__ == "__main__":
    sys.exit(main())
