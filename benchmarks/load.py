"""The load of `make bench`: a Python client that GETs a stream of URLs for a while over keep-alive
connections (threads), and the wait until every worker is ready. wrk is not installed here."""

from __future__ import annotations

import http.client
import threading
import time


def drive(port: int, urls: list[str], seconds: float, connections: int) -> dict:
    """GET the URLs (each once, in order, shared by the connections) for `seconds`: req/s and latencies."""
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
    }


def wait_until_ready(port: int, log, timeout: float = 600) -> None:
    """Until every worker holds the directory's bitmaps: /_ready answers 200 twenty times in a row
    (requests land on either worker), so that the rounds measure searches, not the building."""
    started, in_a_row = time.perf_counter(), 0
    while in_a_row < 20 and time.perf_counter() - started < timeout:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", "/_ready")
            response = connection.getresponse()
            response.read()
            in_a_row = in_a_row + 1 if response.status == 200 else 0
        except (OSError, http.client.HTTPException):
            in_a_row = 0
        finally:
            connection.close()
        if in_a_row == 0:
            time.sleep(0.5)
    log(f"  workers ready in {time.perf_counter() - started:.0f} s")
