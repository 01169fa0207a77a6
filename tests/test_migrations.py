"""The migrations build exactly the models' schema, and go down to nothing and back."""

from __future__ import annotations

import os
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _fresh_app(tmp_path):
    if PG_URL:
        schema = f"mig_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        config = {
            "DATABASE_URL": PG_URL,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
        }

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    else:
        config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'mig.db'}"}

        def drop():
            pass

    return create_app({**config, "TESTING": True, "INSTANCE_PATH": str(tmp_path)}), drop


def test_upgrade_from_empty_matches_the_models_and_downgrade_reaches_base(tmp_path):
    app, drop = _fresh_app(tmp_path)
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = [
                    d
                    for d in compare_metadata(context, db.metadata)
                    if "enterprise_fts" not in str(d) and "ix_enterprise_search_tsv" not in str(d)
                ]
            assert diff == [], f"models and migrations differ: {diff}"

            downgrade(revision="base")
            remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert remaining == set()

            upgrade()  # and back up again
            assert "enterprise" in inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        drop()


def test_migration_files_are_named_by_date_and_have_real_downgrades():
    import re
    from pathlib import Path

    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    files = sorted(versions.glob("*.py"))
    assert files
    for path in files:
        assert re.match(r"^\d{4}_\d{2}_\d{2}_\d{4}-[0-9a-f]+_\w+\.py$", path.name), path.name
        source = path.read_text()
        body = source.split("def downgrade", 1)[1]
        assert "op." in body, f"{path.name} has an empty downgrade()"


def test_no_migration_imports_the_application():
    """A migration runs the rules of its own day: it never imports app code, which changes after it."""
    import re
    from pathlib import Path

    for path in (Path(__file__).parents[1] / "migrations" / "versions").glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+app\b", path.read_text(encoding="utf-8"), re.M), path.name
