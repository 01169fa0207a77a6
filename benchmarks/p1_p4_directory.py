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
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin/ when run with .venv/bin/python
if not (BIN / "gunicorn").exists():
    BIN = ROOT / ".venv" / "bin"

BUDGETS = {"P1": (">=", 0.50), "P2": (">=", 0.30), "P3": (">=", 0.25), "P4": ("<=", 5.0)}
# --cache: what the served app may cache (app/cache.py). "on" is the app's defaults; "values" turns
# the page cache off (every request renders its page, totals and facet counts stay cached per
# registry version); "off" turns both off, so every request runs the whole search.
CACHE_MODES = {"on": {}, "values": {"PAGE_CACHE_MB": "0"}, "off": {"PAGE_CACHE_MB": "0", "VALUE_CACHE_ENTRIES": "0"}}
P1_QUERY = "thuy san"

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, \"connect\": %d, \"read\": %d, "
    .. "\"write\": %d, \"status\": %d, \"timeout\": %d, \"mean_us\": %.1f, \"p50_us\": %d, \"p90_us\": %d, "
    .. "\"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


# --------------------------------------------------------------------------- datasets


@dataclass
class Dataset:
    engine: str  # sqlite | postgresql
    size: int
    base: Path
    pg: dict
    cache: str = "on"

    @property
    def folder(self) -> Path:
        return self.base / f"{self.engine}-{self.size}"

    @property
    def assessments(self) -> int:
        """Three counted assessments per enterprise: at a million, the 3M of P6 (SPEC §6)."""
        return 3 * self.size

    @property
    def pg_name(self) -> str:
        return f"bench_p1p4_{label(self.size)}"  # never `test` or anything not ours

    @property
    def url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.folder / 'app.db'}"
        return f"postgresql+psycopg://{self.pg['user']}@{self.pg['host']}:{self.pg['port']}/{self.pg_name}"

    def env(self) -> dict:
        return {
            **os.environ,
            "INSTANCE_PATH": str(self.folder),
            "DATABASE_URL": self.url,
            "SECRET_KEY": "p1p4-benchmark",
            "RATELIMIT_ENABLED": "false",
            "APP_ENV": "development",
            "PYTHONUNBUFFERED": "1",
            **CACHE_MODES[self.cache],
        }

    def pg_cli(self, tool: str) -> list[str]:
        return [tool, "-h", self.pg["host"], "-p", str(self.pg["port"]), "-U", self.pg["user"]]

    def pg_exists(self) -> bool:
        done = subprocess.run(
            self.pg_cli("psql") + ["-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{self.pg_name}'", "postgres"],
            capture_output=True,
            text=True,
        )
        return done.stdout.strip() == "1"

    def ready(self) -> bool:
        marker = self.folder / "complete"
        if not marker.exists() or marker.read_text().split()[:1] + marker.read_text().split()[2:] != [
            str(self.size),
            str(self.assessments),
        ]:
            return False
        return self.engine == "sqlite" or self.pg_exists()

    def build(self, seed: int, log) -> None:
        log(f"building {self.engine} {self.size:,} enterprises in {self.folder} ({self.url})")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        if self.engine == "postgresql":
            if self.pg_exists():
                run(self.pg_cli("dropdb") + [self.pg_name], log)
            run(self.pg_cli("createdb") + [self.pg_name], log)
        flask = [str(BIN / "flask"), "--app", "app"]
        started = time.monotonic()
        for args in (
            ["db", "upgrade"],
            ["reference", "load"],
            ["demo", "generate", "--enterprises", str(self.size), "--seed", str(seed)]
            + ["--assessments", str(self.assessments), "--rebuild-progress"],
        ):
            run(flask + args, log, env=self.env(), cwd=ROOT, logfile=self.folder / "build.log")
        (self.folder / "complete").write_text(f"{self.size} {seed} {self.assessments}\n")
        log(f"  built in {time.monotonic() - started:.0f} s")

    def drop(self, log) -> None:
        if self.engine == "postgresql" and self.pg_exists():
            run(self.pg_cli("dropdb") + [self.pg_name], log)
            (self.folder / "complete").unlink(missing_ok=True)

    def search_texts(self):
        """Every listed enterprise's search_text (published, not dissolved), streamed."""
        sql = "SELECT search_text FROM enterprise WHERE record_state = 'published' AND status <> 'dissolved'"
        if self.engine == "sqlite":
            con = sqlite3.connect(f"file:{self.folder / 'app.db'}?mode=ro", uri=True)
            try:
                yield from (r[0] or "" for r in con.execute(sql))
            finally:
                con.close()
        else:
            import psycopg

            with (
                psycopg.connect(
                    host=self.pg["host"], port=self.pg["port"], user=self.pg["user"], dbname=self.pg_name
                ) as con,
                con.cursor(name="texts") as cur,
            ):
                cur.itersize = 20000
                cur.execute(sql)
                yield from (r[0] or "" for r in cur)


def run(command: list[str], log, env=None, cwd=None, logfile: Path | None = None) -> None:
    log(f"  $ {shlex.join(command)}")
    if logfile is None:
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
        output = done.stdout + done.stderr
    else:
        with logfile.open("a") as out:
            done = subprocess.run(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True)
        output = logfile.read_text()[-4000:]
    if done.returncode != 0:
        sys.exit(f"{shlex.join(command)} failed ({done.returncode}):\n{output}")


@dataclass
class Words:
    """Document frequencies of the words of search_text (share of enterprises holding the word)."""

    documents: int
    frequency: Counter
    prefixes: Counter  # documents with a word starting with this 1- or 2-letter prefix

    @classmethod
    def of(cls, dataset: Dataset) -> Words:
        cache = dataset.folder / "words.json"
        if cache.exists():
            data = json.loads(cache.read_text())
            return cls(data["documents"], Counter(data["frequency"]), Counter(data["prefixes"]))
        documents, frequency, prefixes = 0, Counter(), Counter()
        for text in dataset.search_texts():
            documents += 1
            words = set(text.split())
            frequency.update(words)
            prefixes.update({w[:n] for w in words for n in (1, 2) if len(w) >= n})
        cache.write_text(json.dumps({"documents": documents, "frequency": frequency, "prefixes": prefixes}))
        return cls(documents, frequency, prefixes)

    def prefix_words(self, word: str) -> int:
        """Documents holding a word that starts with `word`, at most (the last term is a prefix)."""
        return sum(n for w, n in self.frequency.items() if w.startswith(word))


TOTALS = """
import json, sys
from sqlalchemy import func, select
from app import create_app
from app.directory import search
from app.extensions import db
from app.models import Enterprise
app = create_app()
with app.app_context():
    out = {}
    for q in json.loads(sys.argv[1]):
        out[q] = db.session.scalar(select(func.count()).select_from(Enterprise)
                                   .where(*search._conditions(search.Query(q=q))))
print(json.dumps(out))
"""


def totals(dataset: Dataset, queries: list[str]) -> dict[str, int]:
    """What the directory's `total` would be for each query, counted by the app's own search code
    (search._conditions) in a separate process — the API itself also computes every facet, which
    can take far longer than the count."""
    done = subprocess.run(
        [sys.executable, "-c", TOTALS, json.dumps(queries)], cwd=ROOT, env=dataset.env(), capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"counting {queries} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def pick_selective(large: Words, small: Words) -> list[str]:
    """Candidates: in 0.002–0.1 % of the large set, at least once in the small one, no longer words
    starting with it (the search treats the last term as a prefix), alphabetic, 4+ letters."""
    low, high = max(5, large.documents * 0.00002), large.documents * 0.001
    target = large.documents * 0.0002
    out = []
    for word, n in large.frequency.items():
        if not (low <= n <= high and len(word) >= 4 and word.isalpha() and small.frequency.get(word, 0) >= 1):
            continue
        if large.prefix_words(word) > n * 1.2:
            continue
        out.append((abs(n - target), word))
    return [w for _d, w in sorted(out)[:10]]


def pick_broad(large: Words) -> list[str]:
    """Candidates for > 50 %: the commonest words first, then 2- and 1-letter prefixes."""
    words = [w for w, n in large.frequency.most_common(10) if n > large.documents * 0.5]
    prefixes = [
        p
        for p, n in sorted(large.prefixes.items(), key=lambda kv: (-len(kv[0]), -kv[1]))
        if n > large.documents * 0.55 and p.isalpha()
    ]
    return words + prefixes


# --------------------------------------------------------------------------- server and load


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 300) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Language": "vi", "User-Agent": "p1p4-benchmark"})
        response = connection.getresponse()
        return response.status, response.read(), time.perf_counter() - started
    finally:
        connection.close()


class Server:
    def __init__(self, dataset: Dataset, workers: int, log, request_timeout: float):
        self.dataset, self.workers, self.log = dataset, workers, log
        self.port = free_port()
        self.logfile = dataset.folder / "gunicorn.log"
        self.command = [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--timeout",
            str(int(request_timeout) + 30),
            "benchmarks.bench_app:app",
        ]
        if "--no-control-socket" in subprocess.run([self.command[0], "--help"], capture_output=True, text=True).stdout:
            # gunicorn ≥ 27 otherwise opens ~/.gunicorn/gunicorn.ctl, shared with any other gunicorn running
            self.command.insert(1, "--no-control-socket")
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        d = self.dataset
        self.log(
            f"server ({d.engine}, {d.size:,}): {shlex.join(self.command)}  (cwd {ROOT}; "
            f"INSTANCE_PATH={d.folder} DATABASE_URL={d.url} RATELIMIT_ENABLED=false)"
        )
        with self.logfile.open("w") as out:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=d.env(), stdout=out, stderr=subprocess.STDOUT)
        until = time.monotonic() + 60
        while time.monotonic() < until:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with {self.process.returncode}:\n{self.logfile.read_text()[-4000:]}")
            try:
                if get(self.port, "/_hello", 5)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        sys.exit(f"gunicorn did not answer within 60 s:\n{self.logfile.read_text()[-4000:]}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        errors = self.logfile.read_text(errors="replace").count("Traceback") if self.logfile.exists() else 0
        if errors:
            self.log(f"  server log {self.logfile}: {errors} tracebacks")

    def json(self, path: str) -> dict:
        status, body, _ = get(self.port, path)
        if status != 200:
            sys.exit(f"GET {path}: {status}\n{body[:2000]!r}")
        return json.loads(body)


@dataclass
class Measure:
    path: str
    rps: float
    requests: int
    mean: float  # seconds
    p50: float
    p90: float
    p99: float
    max: float
    errors: dict = field(default_factory=dict)
    command: str = ""
    bytes: int = 0
    timed_out: bool = False

    def line(self) -> str:
        err = ", ".join(f"{k} {v}" for k, v in self.errors.items() if v) or "none"
        return (
            f"{self.rps:9.1f} req/s  n={self.requests:<6} p50 {self.p50 * 1000:8.1f} ms  p90 {self.p90 * 1000:8.1f} ms  "
            f"p99 {self.p99 * 1000:8.1f} ms  max {self.max * 1000:8.1f} ms  errors: {err}  {self.bytes:,} B  {self.path}"
        )


class Load:
    def __init__(self, args, workdir: Path, log):
        self.args, self.log = args, log
        self.wrk = shutil.which("wrk") if args.client in ("auto", "wrk") else None
        if args.client == "wrk" and not self.wrk:
            sys.exit("wrk not found (apt-get install -y wrk), or use --client python")
        self.script = workdir / "report.lua"
        self.script.write_text(WRK_SCRIPT)
        self.measures: list[Measure] = []

    def describe(self) -> str:
        a = self.args
        if self.wrk:
            return f"wrk -t{a.threads} -c{a.connections} -d{a.seconds:g}s --timeout {a.request_timeout:g}s (one new connection per request: sync workers close)"
        return f"Python thread pool, {a.connections} threads × {a.seconds:g} s, one connection per request"

    def measure(self, port: int, path: str) -> Measure:
        try:
            status, body, first = get(port, path, self.args.request_timeout)
        except TimeoutError:
            # not worth a load run: record one request that took longer than the limit
            t = self.args.request_timeout
            self.log(f"  {path}: no answer within {t:g} s (--request-timeout); not measured under load")
            m = Measure(path, 0.0, 0, t, t, t, t, t, {"timeout": 1}, f"GET {path} (single request, timed out)")
            m.timed_out = True
            self.measures.append(m)
            return m
        if status != 200:
            sys.exit(f"GET {path}: expected 200, got {status}: {body[:500]!r}")
        # warm up: every worker serves the URL a few times (page cache, SQLAlchemy caches, templates)
        warm_until = time.monotonic() + max(2.0, min(5.0, self.args.seconds / 5))
        count, latencies = 0, []

        def warm():
            latencies.append(get(port, path)[2])

        while time.monotonic() < warm_until or count < 2 * self.args.workers:
            threads = [threading.Thread(target=warm) for _ in range(self.args.workers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            count += self.args.workers
        # a slow URL gets a longer run, so that every connection completes --min-rounds requests
        # (wrk drops the requests still in flight at the end)
        service = sorted(latencies)[len(latencies) // 2]
        needed = self.args.min_rounds * service * max(1, self.args.connections / self.args.workers)
        seconds = min(max(self.args.seconds, needed), max(self.args.seconds, self.args.max_seconds))
        if seconds > self.args.seconds:
            self.log(f"  {path}: {service * 1000:.0f} ms per request when warm; measuring for {seconds:.0f} s")
        m = self._wrk(port, path, seconds) if self.wrk else self._python(port, path, seconds)
        m.bytes = len(body)
        self.log(f"  {m.line()}")
        self.measures.append(m)
        return m

    def _wrk(self, port: int, path: str, seconds: float) -> Measure:
        a = self.args
        command = [
            self.wrk,
            f"-t{a.threads}",
            f"-c{a.connections}",
            f"-d{seconds:.0f}s",
            "--timeout",
            f"{a.request_timeout:g}s",
            "-H",
            "Accept-Language: vi",
            "-s",
            str(self.script),
            f"http://127.0.0.1:{port}{path}",
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        found = re.search(r"^WRKJSON (.*)$", done.stdout, re.M)
        if done.returncode != 0 or not found:
            sys.exit(f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        r = json.loads(found.group(1))
        seconds = r["duration_us"] / 1e6
        errors = {k: r[k] for k in ("connect", "read", "write", "status", "timeout")}
        return Measure(
            path,
            r["requests"] / seconds,
            r["requests"],
            r["mean_us"] / 1e6,
            r["p50_us"] / 1e6,
            r["p90_us"] / 1e6,
            r["p99_us"] / 1e6,
            r["max_us"] / 1e6,
            errors,
            shlex.join(command),
        )

    def _python(self, port: int, path: str, seconds: float) -> Measure:
        a = self.args
        deadline = time.monotonic() + seconds
        latencies: list[float] = []
        errors = Counter()
        lock = threading.Lock()

        def client():
            while time.monotonic() < deadline:
                try:
                    status, _, seconds = get(port, path)
                except OSError as e:
                    with lock:
                        errors[type(e).__name__] += 1
                    continue
                with lock:
                    latencies.append(seconds)
                    if status != 200:
                        errors["status"] += 1

        started = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(a.connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        ordered = sorted(latencies) or [float("nan")]

        def pct(share):
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

        return Measure(
            path,
            len(latencies) / elapsed,
            len(latencies),
            sum(latencies) / max(1, len(latencies)),
            pct(0.5),
            pct(0.9),
            pct(0.99),
            ordered[-1],
            dict(errors),
            f"python client, {a.connections} threads",
        )


# --------------------------------------------------------------------------- the run


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
