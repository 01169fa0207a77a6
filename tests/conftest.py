"""Fixtures: an app on a clean database per test (SQLite, or PostgreSQL via TEST_DATABASE_URL).

The schema is built once per run with the Alembic migrations (which also checks them);
each test then starts from empty tables plus the reference data.
"""

from __future__ import annotations

import email
import email.policy
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.database import write_intent
from app.directory import index_service
from app.extensions import db
from app.reference.services import load_reference_data

REFERENCE_TABLES = {"province", "commune", "legacy_commune", "vsic_section", "platform", "alembic_version"}
PG_URL = os.environ.get("TEST_DATABASE_URL")


def _engine_options(schema: str | None) -> dict:
    return {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A migrated database for the whole run: a temporary SQLite file, or a fresh PostgreSQL schema."""
    if PG_URL:
        schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        config = {"DATABASE_URL": PG_URL, "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(schema)}
    else:
        schema = None
        config = {"DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}
    config["PASSWORD_HASHING"] = "argon2id-cheap"  # the production cost (test_auth checks it) makes the suite slow
    app = create_app({**config, "TESTING": True, "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance"))})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        with write_intent():
            load_reference_data()
        db.session.commit()
        db.engine.dispose()
    yield config
    if PG_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database, tmp_path):
    """The app with empty tables, reference data, rate limits off and its own instance folder."""
    app = create_app(
        {
            **database,
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "RATELIMIT_ENABLED": False,
            "DIRECTORY_INDEX_BUILD": "inline",
            "DIRECTORY_INDEX_REFRESH": "request",
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "PROGRESS_BACKGROUND_REFRESH": False,
            "SQLITE_CHECK_UPGRADES": True,
            "TASK_QUEUE": "immediate",
        }
    )
    with app.app_context(), write_intent():
        _empty_tables()
        load_reference_data()
        db.session.commit()
    yield app
    index_service.stop_refresher(app)  # a test that turned the directory's refresher thread on
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


class Outbox:
    """The e-mails the app wrote to instance/mail/ (development mail delivery)."""

    def __init__(self, app):
        self.folder = Path(app.instance_path) / "mail"

    def messages(self) -> list[email.message.EmailMessage]:
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(self.folder.glob("*.eml"))
        ]

    def last(self) -> email.message.EmailMessage:
        found = self.messages()
        assert found, "no e-mail was sent"
        return found[-1]


@pytest.fixture
def outbox(app):
    return Outbox(app)


@pytest.fixture
def province(app):
    """Targets loaded; 12 SMEs in Tuy Hòa (7 transformed), 3 in Bình Kiến (1 transformed), a product."""
    from datetime import date

    from app.models import Indicator, IndicatorValue
    from app.targets.loader import load_targets
    from tests.progress_helpers import attempt, enterprise, listing, product

    with app.app_context():
        load_targets()
        for i in range(12):
            e = enterprise(commune_code="22015")
            if i < 7:
                attempt(e, date(2025, 6, 1), 2)
        for i in range(3):
            e = enterprise(commune_code="22045")
            if i == 0:
                attempt(e, date(2025, 6, 1), 1)
        owner = enterprise()
        p = product(owner, date(2025, 1, 1), date(2025, 2, 1))
        listing(p, (date(2025, 3, 1), True))
        indicator = db.session.query(Indicator).filter_by(code="T1").one()
        db.session.add(
            IndicatorValue(
                indicator_id=indicator.id,
                value=100,
                as_of=date(2025, 10, 1),
                source_document="Báo cáo 12/BC-STTTT",
                entered_by_label="test",
            )
        )
        db.session.commit()
    return app
