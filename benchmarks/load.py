"""The benchmarks' load: `drive`, which GETs a stream of URLs for a while — with wrk where it is
installed (`drive_wrk`: a Lua script walks a file of the URLs, one per request), else with the Python
client (threads with keep-alive connections); the wait until every worker is ready; and `Load`, the
one-URL rounds of p1_p4_directory.py, from wrk or threads.

The client matters: a Python client on the same two CPUs caps the hello-world rate (about 3,000 req/s
here, against wrk's 4,000–5,000), so every ratio to it comes out higher than wrk's (issue 24)."""

from __future__ import annotations

import http.client
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.registries import get


def client_of(choice: str) -> str:
    """The load client to use: "wrk" where it is installed (choice "auto" or "wrk"), else "python"."""
    if choice == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk not found (apt-get install -y wrk), or use --client python")
    return "wrk" if choice != "python" and shutil.which("wrk") else "python"


def drive(port: int, urls: list[str], seconds: float, connections: int, client: str = "python") -> dict:
    """GET the URLs (each once, in order, shared by the connections) for `seconds`: req/s and latencies."""
    if client == "wrk":
        return drive_wrk(port, urls, seconds, connections)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    position = [0]
    deadline = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            with lock:
                if position[0] >= len(urls):
                    return
                url = urls[position[0]]
                position[0] += 1
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers={"Accept-Language": "vi", "User-Agent": "bench"})
                response = connection.getresponse()
                response.read()
                ok = response.status in (200, 301, 302)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def pct(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": ordered[-1] * 1000,
        "errors": errors[0],
        "client": "python",
    }


# Each wrk thread walks the file from its own start, every `threads`-th path, so that no two requests
# of a run ask the same question until the file is used up (then it starts over: "wrapped").
STREAM_SCRIPT = r"""
local threads, counter = {}, 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  count, step, position, sent = #paths, tonumber(args[2]), id, 0
  wrk.headers["Accept-Language"] = "vi"
  wrk.headers["User-Agent"] = "bench"
end

function request()
  local path = paths[(position % count) + 1]
  position, sent = position + step, sent + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local sent, count = 0, 0
  for _, t in ipairs(threads) do sent, count = sent + t:get("sent"), t:get("count") end
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"p50\": %d, \"p95\": %d, "
    .. "\"p99\": %d, \"max\": %d, \"sent\": %d, \"paths\": %d}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, sent, count))
end
"""


def drive_wrk(port: int, urls: list[str], seconds: float, connections: int, threads: int = 2) -> dict:
    """`drive` with wrk: the distinct URLs written to a file that the Lua script walks, one per
    request; latency percentiles from wrk's `done` callback (ms). wrk runs whole seconds."""
    limit = int(seconds * 20_000) + 100  # more than any route here answers in that time
    paths = list(dict.fromkeys(urls[:limit]))  # a repeated URL: one line, asked again and again
    threads = max(1, min(threads, connections))
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        script, listing = Path(folder) / "stream.lua", Path(folder) / "paths.txt"
        script.write_text(STREAM_SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        command = [shutil.which("wrk") or "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
        command += [
            "--timeout",
            "60s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
            "--",
            str(listing),
            str(threads),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
    found = re.search(r"^WRKJSON (.*)$", done.stdout, re.M)
    if done.returncode != 0 or not found:
        sys.exit(f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    r = json.loads(found.group(1))
    wall = r["duration_us"] / 1e6
    return {
        "requests": r["requests"],
        "rps": r["requests"] / wall if wall else 0.0,
        **{key: r[key] / 1000 for key in ("p50", "p95", "p99", "max")},
        "errors": r["errors"],
        "client": "wrk",
        "wrapped": r["sent"] > r["paths"] > 1,  # a stream that ran out of distinct URLs
    }


def wait_until_ready(port: int, log, timeout: float = 600) -> None:
    """Until every worker holds the directory's index: /_ready answers 200 twenty times in a row
    (requests land on either worker), so that the rounds measure searches, not the building. A
    server that errs instead (a registry of another schema) stops the benchmark."""
    started, in_a_row, failed = time.perf_counter(), 0, 0
    while in_a_row < 20 and time.perf_counter() - started < timeout:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", "/_ready")
            response = connection.getresponse()
            response.read()
            in_a_row = in_a_row + 1 if response.status == 200 else 0
            failed = failed + 1 if response.status >= 500 and response.status != 503 else 0
        except (OSError, http.client.HTTPException):
            in_a_row = 0
        finally:
            connection.close()
        if failed >= 20:
            sys.exit(f"/_ready failed 20 times in a row on port {port}: see the server's log")
        if in_a_row == 0:
            time.sleep(0.5)
    log(f"  workers ready in {time.perf_counter() - started:.0f} s")


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
