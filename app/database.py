"""Engine behaviour that differs by database: SQLite pragmas and write transactions.

SQLite runs in WAL mode with foreign keys on and a busy timeout. A transaction that will
write starts with ``BEGIN IMMEDIATE`` so that a read followed by a write cannot be
overtaken by another writer; read-only transactions start with a plain ``BEGIN`` and never
block anyone. Requests other than GET/HEAD/OPTIONS, and CLI commands wrapped in
``write_intent()``, are write transactions.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


@contextlib.contextmanager
def write_intent(writing: bool = True) -> Iterator[None]:
    """Mark the transactions opened inside this block as writers (BEGIN IMMEDIATE on SQLite),
    or, with writing=False, as plain readers even inside a POST request (a long check that
    must not hold the write lock)."""
    token = _write_intent.set(writing)
    try:
        yield
    finally:
        _write_intent.reset(token)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_engine(app: Flask, engine: Engine) -> None:
    if not is_sqlite(engine):
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def init_request_write_intent(app: Flask) -> None:
    """Treat every non-safe HTTP method as a write transaction."""

    @app.before_request
    def _mark_writes():
        from flask import request

        _write_intent.set(request.method not in {"GET", "HEAD", "OPTIONS"})

    @app.teardown_request
    def _unmark_writes(_exc):
        _write_intent.set(False)
