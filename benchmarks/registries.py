#!/usr/bin/env python3
"""The benchmarks' registries: built once per engine and size with the app's own commands, served by
gunicorn, and read for their words.

A `Dataset` is an instance folder under --dir (default /tmp/bench-p1p4) and, on PostgreSQL, a database
bench_p1p4_<size> of the server: `flask db upgrade`, `flask reference load`, then `flask demo generate
--enterprises N --assessments 3N --rebuild-progress` (a marker file says it is complete). A `Server`
serves one with gunicorn (2 sync workers, rate limits off, a free port of 127.0.0.1) running
`benchmarks.bench_app:app`, the app plus a hello-world route. `Words` counts the registry's words, from
which P3's selective and P4's broad queries are picked. Used by bench.py and p1_p4_directory.py.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin/ when run with .venv/bin/python
if not (BIN / "gunicorn").exists():
    BIN = ROOT / ".venv" / "bin"

# --cache: what the served app may cache (app/cache.py). "on" is the app's defaults; "values" turns
# the page cache off (every request renders its page, totals and facet counts stay cached per
# registry version); "off" turns both off, so every request runs the whole search.
CACHE_MODES = {"on": {}, "values": {"PAGE_CACHE_MB": "0"}, "off": {"PAGE_CACHE_MB": "0", "VALUE_CACHE_ENTRIES": "0"}}


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
    pg: dict  # host, port, user and the prefix of the databases made there (pg_server)
    cache: str = "on"
    purpose: str = "p1p4"  # in the database's name: p9_writes.py writes into its own registries

    @property
    def folder(self) -> Path:
        return self.base / f"{self.engine}-{self.size}"

    @property
    def assessments(self) -> int:
        """Three counted assessments per enterprise: at a million, the 3M of P6 (SPEC §6)."""
        return 3 * self.size

    @property
    def pg_name(self) -> str:
        return (
            f"{self.pg.get('prefix', 'bench')}_{self.purpose}_{label(self.size)}"  # never `test` or anything not ours
        )

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
            "PYTHONPATH": str(ROOT),  # this checkout's app, not the one the virtual environment installed
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
        """Built, at this size, by this schema (a registry left by an older checkout is built again)."""
        marker = self.folder / "complete"
        if not marker.exists() or marker.read_text().split()[:1] + marker.read_text().split()[2:] != [
            str(self.size),
            str(self.assessments),
            schema(),
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
        (self.folder / "complete").write_text(f"{self.size} {seed} {self.assessments} {schema()}\n")
        log(f"  built in {time.monotonic() - started:.0f} s")

    def copy_of(self, source: Dataset, log) -> None:
        """This registry as a copy of `source` (same engine, size and generator): a million enterprises
        are generated in about 20 minutes, copied in under one. The index is left behind: the copy's
        app builds its own, as after a fresh generation."""
        log(f"copying {source.engine} {source.size:,} enterprises from {source.folder} into {self.folder}")
        started = time.monotonic()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        if self.engine == "sqlite":
            with sqlite3.connect(source.folder / "app.db") as con:
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(source.folder / "app.db", self.folder / "app.db")
        else:
            if self.pg_exists():
                run(self.pg_cli("dropdb") + [self.pg_name], log)
            run(self.pg_cli("createdb") + ["-T", source.pg_name, self.pg_name], log)
        shutil.copyfile(source.folder / "complete", self.folder / "complete")
        log(f"  copied in {time.monotonic() - started:.0f} s")

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


def stop_on_terminate() -> None:
    """A benchmark told to stop (SIGTERM) leaves as on Ctrl-C, through its `with Server` blocks: the
    servers lead sessions of their own and would not hear of it otherwise."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def pg_server(url: str | None) -> dict:
    """The server of BENCH_DATABASE_URL (host, port, user) and the prefix of the databases the
    benchmarks make on it: the URL's database name (bench_d: bench_d_p1p4_20k, …), so that sessions
    sharing a server keep apart; bench_p1p4_20k, … when it names the server's own `postgres`."""
    parsed = urlparse((url or "").replace("postgresql+psycopg", "postgresql"))
    name = parsed.path.strip("/")
    return {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "prefix": name if name and name != "postgres" else "bench",
    }


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
    """gunicorn serving a dataset (`with Server(...)`); `env` replaces the dataset's environment
    (p9_writes.py: production mode), and `start(wait=False)` / `stop()` let it time a restart. The
    server leads a session of its own, so its processes can be found (p9_writes.py: memory)."""

    def __init__(self, dataset: Dataset, workers: int, log, request_timeout: float, env: dict | None = None):
        self.dataset, self.workers, self.log = dataset, workers, log
        self.environment = env or dataset.env()
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
        self.started = 0

    def __enter__(self) -> Server:
        return self if self.process and self.process.poll() is None else self.start()

    def start(self, wait: bool = True) -> Server:
        d = self.dataset
        if not self.started:
            self.log(
                f"server ({d.engine}, {d.size:,}): {shlex.join(self.command)}  (cwd {ROOT}; "
                f"INSTANCE_PATH={d.folder} DATABASE_URL={d.url} RATELIMIT_ENABLED=false)"
            )
        with self.logfile.open("a" if self.started else "w") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started += 1
        return self.answering() if wait else self

    def answering(self) -> Server:
        """Once the server answers /_hello (at most a minute)."""
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
        self.stop()
        errors = self.logfile.read_text(errors="replace").count("Traceback") if self.logfile.exists() else 0
        if errors:
            self.log(f"  server log {self.logfile}: {errors} tracebacks")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def json(self, path: str) -> dict:
        status, body, _ = get(self.port, path)
        if status != 200:
            sys.exit(f"GET {path}: {status}\n{body[:2000]!r}")
        return json.loads(body)


def schema() -> str:
    """The migrations a registry was built with, as one short name."""
    names = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
