"""Background work as tasks of a queue (Huey): import jobs, the e-mail outbox, today's progress figures.

A task is enqueued once the transaction that asked for it has committed (`enqueue` goes through
`edge.after_commit`), is kept in the queue's storage, and is run by `flask worker`, a process of its
own: restarting or deploying the web workers never kills a task, and a task enqueued while no worker
runs waits for one. `make run` starts a worker beside the site.

TASK_QUEUE chooses the storage: `sqlite` (the default: instance/tasks.db, nothing to install),
`redis://host:6379/0` (several machines share one queue), or `immediate` (the tests: a task runs at
once, in the process that enqueued it, in an app context of its own).

A message travels as signed JSON (app/queue_codec.py), never pickle: whoever can write to the
queue's storage cannot make the worker run code, and a message not signed with this site's key is
logged and dropped.

A task that dies with its worker's process is not run again by the queue. An import job reports a
heartbeat and staff start a stopped one again, or give it up, from its page (app/imports/jobs.py);
the outbox is drained again every minute; today's progress figures are computed again every five
minutes (and asked for by the pages after a write).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

from app.edge import after_commit
from app.extensions import db
from app.queue_codec import SignedJSONSerializer

log = logging.getLogger(__name__)


def _queue(app: Flask) -> Huey:
    setting = str(app.config["TASK_QUEUE"])
    options: dict[str, Any] = {"results": False, "serializer": SignedJSONSerializer(app.config["SECRET_KEY"])}
    if setting == "immediate":
        return Huey("chuyendoiso", immediate=True, **options)
    if setting.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("chuyendoiso", url=setting, **options)
    if setting != "sqlite":
        raise RuntimeError(f"TASK_QUEUE must be sqlite, immediate or a redis:// URL, not {setting!r}")
    return SqliteHuey("chuyendoiso", filename=str(Path(app.instance_path) / "tasks.db"), **options)


class Tasks:
    """The app's queue and its tasks, by name."""

    def __init__(self, app: Flask):
        self.huey = _queue(app)
        self.tasks: dict[str, Any] = {}
        self.app = app

    def _in_context(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` run in an app context of its own, whose session it ends."""
        app = self.app

        def run(*args: Any) -> Any:
            with app.app_context():
                try:
                    return function(*args)
                finally:
                    db.session.remove()

        return run

    def register(self, function: Callable[..., Any]) -> None:
        self.tasks[function.__name__] = self.huey.task(name=function.__name__)(self._in_context(function))

    def periodic(self, function: Callable[[], Any], minutes: int) -> None:
        """Run `function` every `minutes` minutes while a worker serves the queue."""
        name = f"{function.__name__}_every_{minutes}"
        self.huey.periodic_task(crontab(minute=f"*/{minutes}"), name=name)(self._in_context(function))


def enqueue(name: str, *args: Any) -> None:
    """Queue the task `name` with `args` (what app/queue_codec.py encodes), once the current transaction has committed."""
    task = current_app.extensions["tasks"].tasks[name]
    after_commit(lambda: task(*args), key=(name, repr(args)))  # the same task asked twice in one transaction: once


def enqueue_now(name: str, *args: Any) -> None:
    """Queue the task `name` at once: work that waits for no write (a figure to compute again)."""
    current_app.extensions["tasks"].tasks[name](*args)


_TASKS: dict[str, Callable[..., Any]] = {}
_PERIODIC: list[tuple[Callable[[], Any], int]] = []


def task(function: Callable[..., Any]) -> Callable[..., Any]:
    """Declare `function` a task, enqueued by its name (its arguments must be what app/queue_codec.py encodes)."""
    _TASKS[function.__name__] = function
    return function


def every(minutes: int) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Declare a function the worker runs every `minutes` minutes."""

    def declare(function: Callable[[], Any]) -> Callable[[], Any]:
        _PERIODIC.append((function, minutes))
        return function

    return declare


def init_app(app: Flask) -> None:
    """The queue and the tasks the feature packages declared (they are imported by then: app/web.py)."""
    tasks = Tasks(app)
    for function in _TASKS.values():
        tasks.register(function)
    if not tasks.huey.immediate:
        for function, minutes in _PERIODIC:
            tasks.periodic(function, minutes)
    app.extensions["tasks"] = tasks


def run_worker(app: Flask, workers: int) -> None:
    """Serve the queue until interrupted (`flask worker`)."""
    tasks: Tasks = app.extensions["tasks"]
    if tasks.huey.immediate:
        raise RuntimeError("TASK_QUEUE=immediate runs every task where it is enqueued: there is nothing to serve.")
    tasks.huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
