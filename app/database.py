"""Engine behaviour that differs by database: SQLite pragmas and write transactions.

SQLite runs in WAL mode with foreign keys on and a busy timeout. A transaction that will
write starts with ``BEGIN IMMEDIATE`` so that a read followed by a write cannot be
overtaken by another writer; read-only transactions start with a plain ``BEGIN`` and never
block anyone. Requests that write (app/edge.py) and the units of work of commands and tasks
are write transactions.

A plain transaction that reads and then writes is a bug: once another connection has committed,
SQLite refuses the upgrade at once ("database is locked") without waiting for the busy timeout.
With ``SQLITE_CHECK_UPGRADES`` on (the tests) such a write in a request or a background thread
raises ``UpgradedRead`` (the tests' own set-up code is let be); otherwise it is logged.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
import weakref
from collections.abc import Iterator

from flask import Flask, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

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
        _configure_server(engine)
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    cache_mb, mmap_mb = int(app.config["SQLITE_CACHE_MB"]), int(app.config["SQLITE_MMAP_MB"])

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # A page cache and a memory map sized for the database, up to the settings (at a million
        # enterprises, 256 MB and 1 GB cut the directory's SQL by a quarter).
        size_kb = _size_kb(cursor)
        cursor.execute(f"PRAGMA cache_size = -{max(2000, min(size_kb, cache_mb * 1024))}")
        cursor.execute(f"PRAGMA mmap_size = {min(size_kb, mmap_mb * 1024) * 1024}")
        cursor.close()

    strict = bool(app.config["SQLITE_CHECK_UPGRADES"])

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writer = _write_intent.get()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")
        connection.info["sqlite_tx"] = "writer" if writer else "fresh"

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, _params, _context, _many):
        state = connection.info.get("sqlite_tx")
        if state in (None, "writer"):
            return
        if not statement.lstrip().upper().startswith(WRITES):
            connection.info["sqlite_tx"] = "read"
        elif state == "read":
            if not strict:
                log.warning(
                    "a read transaction turned writer (wrap the transaction in write_intent()): %s", statement[:200]
                )
            elif has_request_context() or threading.current_thread() is not threading.main_thread():
                raise UpgradedRead(statement)
            # else: the tests' own set-up code, which runs alone

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        connection.info.pop("sqlite_tx", None)


def _configure_server(engine: Engine) -> None:
    """PostgreSQL: a request that only reads sends its statements without BEGIN and COMMIT.

    Under READ COMMITTED each statement sees its own snapshot inside a transaction too, so the
    session of a read request loses nothing by running each statement on its own (the driver's
    autocommit); it saves two of its four round trips (a profile is one statement). What needs a
    transaction (a server-side cursor that streams, a savepoint) opens one, and the end of the
    request closes it. A write statement on such a session is a bug (a GET that writes, app/edge.py)
    and is refused before it is sent. Connections of their own (`engine.begin()`) are untouched."""

    _SERVERS.add(engine)

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, cursor, statement, _params, _context, _many):
        if not connection.info.get("server_read"):
            return
        start = statement.lstrip().upper()
        if start.startswith(WRITES):
            raise ReadOnlyRequest(statement)
        if getattr(cursor, "name", None) or start.startswith("SAVEPOINT"):
            _autocommit(connection.connection.dbapi_connection, False)  # these live in a transaction

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        if connection.invalidated:  # cut: the pool drops it, nothing to set back
            return
        if connection.info.pop("server_read", None):
            _autocommit(connection.connection.dbapi_connection, False)

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record):
        record.info.pop("server_read", None)
        record.info["idle_since"] = time.monotonic()
        if dbapi_connection is not None and not dbapi_connection.closed:
            _autocommit(dbapi_connection, False)  # however the read ended, the pool holds plain connections

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        """A connection that waited in the pool for IDLE_PING seconds or more is asked whether it
        still lives (the server may have restarted meanwhile): a dead one is replaced before the
        request uses it (DisconnectionError: the pool takes another). One in constant use is not
        asked, which saves a round trip per request (the pool's pre_ping asks every time). A
        connection that dies within that second is found by its first statement, which SQLAlchemy
        reports as a disconnection: the pool then replaces every connection older than it."""
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since < IDLE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as e:
            if engine.dialect.is_disconnect(e, dbapi_connection, None):
                raise DisconnectionError() from e
            raise


_SERVERS: weakref.WeakSet[Engine] = weakref.WeakSet()
IDLE_PING = 1.0  # seconds in the pool after which a connection is pinged before use (a restart takes longer)


@event.listens_for(Session, "after_begin")
def _on_session_begin(_session, _transaction, connection) -> None:
    """The session of a read request on PostgreSQL runs its statements in autocommit (above)."""
    if connection.engine not in _SERVERS or _write_intent.get() or not has_request_context():
        return
    _autocommit(connection.connection.dbapi_connection, True)
    connection.info["server_read"] = True


def _autocommit(dbapi_connection, on: bool) -> None:
    """The driver refuses any change of the setting inside a transaction, even to what it is."""
    if dbapi_connection.autocommit != on:
        dbapi_connection.autocommit = on


class ReadOnlyRequest(RuntimeError):
    """A request that only reads sent a write statement (app/edge.py)."""

    def __init__(self, statement: str):
        super().__init__(f"a read request sent {statement[:120]!r}: declare the view with @writes")


def _size_kb(cursor) -> int:
    page_size = cursor.execute("PRAGMA page_size").fetchone()[0]
    pages = cursor.execute("PRAGMA page_count").fetchone()[0]
    return page_size * pages // 1024


class UpgradedRead(RuntimeError):
    """A plain (read) SQLite transaction tried to write after reading: begin it in write_intent()."""


def set_write_intent(writing: bool) -> None:
    """Mark the transactions this context opens from now on as writers or readers (the request edge,
    app/edge.py, calls it at the start and the end of each request)."""
    _write_intent.set(writing)
