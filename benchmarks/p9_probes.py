"""What p9_writes.py reads from outside the app: its processes' memory, which worker answered, and
the writer process it drives.

Memory is the proportional set size (PSS, /proc/<pid>/smaps_rollup) summed over every process of the
served app: the gunicorn master, its workers and anything they start (children, or any process of
the master's session: registries.Server starts it as a session leader), so that pages shared between
processes — a memory-mapped index, copy-on-write — count once in all, as the machine pays for them.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent, session) of a process, None when it is gone or has ended unreaped (a zombie holds
    no memory: a worker that started an index builder may leave one until it starts the next)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else (int(fields[1]), int(fields[3]))


def processes(leader: int) -> set[int]:
    """The leader, its descendants and every process of its session."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _stat(int(entry))) is not None:
            table[int(entry)] = found
    members, grown = {leader} | {pid for pid, (_p, session) in table.items() if session == leader}, True
    while grown:
        more = {pid for pid, (parent, _s) in table.items() if parent in members} - members
        members |= more
        grown = bool(more)
    return {pid for pid in members if pid in table}


def workers(leader: int) -> set[int]:
    """The master's children: gunicorn's workers (and any other process it started)."""
    return {pid for pid in processes(leader) if (_stat(pid) or (0, 0))[0] == leader}


def pss_mb(pids: set[int], leave_out: tuple[str, ...] = ()) -> float:
    return pss_parts(pids, leave_out)[0]


def pss_parts(pids: set[int], leave_out: tuple[str, ...] = ()) -> tuple[float, float]:
    """MB of PSS counted and left out: the mappings of files whose path starts with one of
    `leave_out` (SQLite's database, which each connection maps into memory up to SQLITE_MMAP_MB:
    the database's pages, not the index's) are left out."""
    counted = left = 0
    for pid in pids:
        try:
            if not leave_out:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
                counted += sum(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))
                continue
            skip = False
            for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
                if MAPPING.match(line):
                    fields = line.split(maxsplit=5)
                    skip = len(fields) == 6 and fields[5].startswith(leave_out)
                elif line.startswith("Pss:"):
                    kb = int(line.split()[1])
                    left, counted = (left + kb, counted) if skip else (left, counted + kb)
        except OSError:
            pass  # a process that ended meanwhile
    return counted / 1024, left / 1024


MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")


def settled_pss(leader: int, settled: int, leave_out: tuple[str, ...] = (), samples: int = 5, timeout: float = 600):
    """The median of a few readings a fifth of a second apart (MB counted, MB left out), once the
    app runs `settled` processes (the master and its workers: an index builder it started has ended)."""
    until = time.monotonic() + timeout
    while len(processes(leader)) > settled and time.monotonic() < until:
        time.sleep(0.5)
    found = []
    for _ in range(samples):
        found.append(pss_parts(processes(leader), leave_out))
        time.sleep(0.2)
    return sorted(found)[len(found) // 2]


class Sampler(threading.Thread):
    """Reads the app's PSS every `every` seconds until stopped: the peak and the readings.

    Each reading leaves out the pages of files whose path starts with one of `leave_out` (SQLite's
    database: the processes map more of it while they read the changed records and while a builder
    runs, and those are the database's pages, not the index's). That needs the whole smaps of each
    process (about 9 ms of CPU a process), hence a reading every 250 ms rather than every 100."""

    def __init__(self, leader: int, leave_out: tuple[str, ...] = (), every: float = 0.25):
        super().__init__(daemon=True)
        self.leader, self.leave_out, self.every = leader, leave_out, every
        self.readings: list[float] = []
        self.done = threading.Event()
        self.most = 0  # processes at once: an index builder's shows here

    def run(self) -> None:
        while not self.done.is_set():
            found = processes(self.leader)
            self.readings.append(pss_parts(found, self.leave_out)[0])
            self.most = max(self.most, len(found))
            self.done.wait(self.every)

    def stop(self) -> float:
        self.done.set()
        self.join()
        return max(self.readings, default=0.0)


def ask(port: int, path: str, timeout: float = 60) -> tuple[int, bytes, float, int]:
    """GET a path on a new connection: status, body, seconds, the answering worker's process id."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Language": "vi", "User-Agent": "p9-benchmark"})
        response = connection.getresponse()
        body = response.read()
        worker = int(response.getheader("X-Bench-Worker") or 0)
        return response.status, body, time.perf_counter() - started, worker
    finally:
        connection.close()


def index_files(folder: Path) -> list[tuple[str, int]]:
    """The directory index's files on disk, if the app keeps any under its instance folder."""
    found = []
    for top in sorted(folder.glob("directory-index*")):
        for path in [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()):
            found.append((str(path.relative_to(folder)), path.stat().st_size))
    return found


class WriterProcess:
    """benchmarks/p9_writer.py in a process of its own, with the served app's settings."""

    def __init__(self, env: dict, log):
        self.log = log
        command = [sys.executable, "-m", "benchmarks.p9_writer"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lock = threading.Lock()

    def send(self, command: str) -> dict:
        with self.lock:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        if not line:
            sys.exit(f"the writer stopped (exit status {self.process.wait()}) on {command!r}")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
