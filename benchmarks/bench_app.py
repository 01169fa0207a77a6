"""WSGI entry point for the benchmarks: the real app plus a hello-world route.

SPEC §6 measures pages as a ratio to "a hello-world route in the same gunicorn". The app has no
such route, so this module builds the app exactly as `app:create_app()` does and registers
`GET /_hello` (plain "ok") on it, without touching the app's code. Serve it from the project root:

    gunicorn --no-control-socket -w 2 -b 127.0.0.1:8000 'benchmarks.bench_app:app'

The hello route goes through every request hook of the app (sessions, security headers, locale,
rate limiter when on) — only the view itself is trivial. Every answer names the worker that gave it
(`X-Bench-Worker`, its process id), so that p9_writes.py can tell when each worker finds a write.
"""

from __future__ import annotations

import os

from app import create_app
from app.directory import index_service

app = create_app()


@app.get("/_hello")
def _hello():
    return "ok"


@app.get("/_ready")
def _ready():
    """200 once this worker has opened the machine's directory index (its builder runs in its own
    process when none covers the registry), 503 before."""
    return ("ready", 200) if index_service.current() is not None else ("building", 503)


@app.after_request
def _worker(response):
    response.headers["X-Bench-Worker"] = str(os.getpid())
    return response
