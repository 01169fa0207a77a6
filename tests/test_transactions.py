"""SQLite write transactions: a transaction that will write begins as a writer.

A plain transaction that has read cannot become a writer once another connection has committed:
SQLite then answers "database is locked" at once, without waiting. A background import job did
exactly that (it reloaded its batch, then updated it) and failed whenever a request wrote meanwhile.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from app.database import UpgradedRead, is_sqlite, write_intent
from app.extensions import db
from app.imports import services
from app.models import Enterprise, ImportBatch
from tests.factories import make_enterprise
from tests.test_import_jobs import STAFF


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if not is_sqlite(db.engine):
            pytest.skip("PostgreSQL upgrades a reader to a writer without failing")


def test_a_read_request_on_postgresql_sends_no_begin_and_streams_in_a_transaction(app):
    """A read's statements run in autocommit (two round trips fewer); a server-side cursor opens a
    transaction; a write request, and a connection of its own, keep theirs; the pool gets plain
    connections back."""
    with app.app_context():
        if is_sqlite(db.engine):
            pytest.skip("SQLite's transactions are local: nothing to save")
        make_enterprise("Công ty TNHH Hải Đăng")
    with app.test_request_context():
        db.session.scalar(select(Enterprise.id))
        raw = db.session.connection().connection.dbapi_connection
        assert raw.autocommit and raw.info.transaction_status.name == "IDLE"
        assert [e.name for e in db.session.scalars(select(Enterprise).execution_options(yield_per=10))]
        assert raw.info.transaction_status.name == "INTRANS"
        with db.engine.begin() as own:
            own.execute(text("SELECT 1"))
            assert own.connection.dbapi_connection.info.transaction_status.name == "INTRANS"
        db.session.rollback()
        assert not raw.autocommit
    with app.test_request_context(), write_intent():
        db.session.scalar(select(Enterprise.id))
        raw = db.session.connection().connection.dbapi_connection
        assert not raw.autocommit and raw.info.transaction_status.name == "INTRANS"
        db.session.rollback()


def test_a_request_that_reads_then_writes_in_a_plain_transaction_is_caught(app, sqlite_only):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Hải Đăng").public_key
    with app.test_request_context():
        db.session.scalar(select(Enterprise.id).where(Enterprise.public_key == key))
        with pytest.raises(UpgradedRead):
            db.session.execute(text("UPDATE enterprise SET description = 'x'"))
        db.session.rollback()
    with app.test_request_context(), write_intent():
        db.session.scalar(select(Enterprise.id).where(Enterprise.public_key == key))
        db.session.execute(text("UPDATE enterprise SET description = 'x'"))
        db.session.commit()


def test_a_job_records_its_steps_while_a_request_writes(app, sqlite_only):
    """The job's state changes are writers from their first statement, so another writer's commit
    between its read and its update cannot make it fail."""
    with app.app_context():
        batch = services.upload(b"ten;khac\n1;2\n", "sai.csv", STAFF)
        batch_id = batch.id
    other_wrote = threading.Event()

    def job():
        with app.app_context():
            batch = db.session.get(ImportBatch, batch_id)  # the job's session has read (and is expired)
            db.session.commit()
            other_wrote.wait(10)
            with pytest.raises(services.FileError):
                services.run_check(batch)
            db.session.remove()

    thread = threading.Thread(target=job)
    thread.start()
    with app.app_context(), write_intent():
        make_enterprise("Công ty TNHH Tân Phát")
        db.session.commit()
    other_wrote.set()
    thread.join(30)
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.state == "failed" and "ma_so_doanh_nghiep" in batch.error


def test_a_pooled_connection_the_server_dropped_is_replaced_and_one_in_use_is_not_pinged(app, client, monkeypatch):
    """PostgreSQL: a connection that waited in the pool is pinged before use, and a dead one is
    replaced, so the request after a server restart is answered; a connection in constant use is
    not pinged (a round trip saved on every request)."""
    import psycopg

    from app import database

    with app.app_context():
        if is_sqlite(db.engine):
            pytest.skip("SQLite has no server to lose")
        make_enterprise("Công ty TNHH Hải Đăng")
        pings = []
        real = db.engine.dialect.do_ping
        monkeypatch.setattr(db.engine.dialect, "do_ping", lambda c: pings.append(1) or real(c))
        assert client.get("/doanh-nghiep?q=hai").status_code == 200
        assert client.get("/doanh-nghiep?q=dang").status_code == 200
        assert len(pings) <= 1  # a new connection at most; the second request's was in use a moment ago
        with db.engine.connect() as connection:
            pid = connection.scalar(text("SELECT pg_backend_pid()"))
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        monkeypatch.setattr(database, "IDLE_PING", 0)  # as if the restart took a second
        assert client.get("/doanh-nghiep?q=hai").status_code == 200
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != pid


def test_a_read_whose_connection_was_cut_a_moment_ago_is_answered_again(app, client):
    """PostgreSQL: a connection dropped while it rested less than IDLE_PING in the pool is found by the
    request's first statement; the read is answered again on a new connection, not with a 500."""
    import psycopg

    with app.app_context():
        if is_sqlite(db.engine):
            pytest.skip("SQLite has no server to lose")
        make_enterprise("Công ty TNHH Hải Đăng")
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        for query in ("hai", "dang", "cong ty"):
            assert client.get(f"/doanh-nghiep?q={query}").status_code == 200
            with db.engine.connect() as connection:  # the connection the request just gave back
                pid = connection.scalar(text("SELECT pg_backend_pid()"))
            with psycopg.connect(url, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (pid,))
            answered = client.get(f"/doanh-nghiep/{query}x")  # at once: within IDLE_PING, no ping
            assert answered.status_code in (200, 404), answered.status_code
            assert client.get(f"/api/v1/enterprises?q={query}").status_code == 200
