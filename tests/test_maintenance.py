"""Keeping the database in shape: `flask db analyze`, and SQLite's cache sized for the database."""

from __future__ import annotations

import time

from sqlalchemy import text

from app.extensions import db


def test_db_analyze_refreshes_statistics_and_vacuums_postgresql(runner, app):
    result = runner.invoke(args=["db", "analyze"])
    assert result.exit_code == 0, result.output
    assert "Statistics refreshed." in result.output
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            assert "vacuumed" not in result.output
            return
        assert "Tables vacuumed." in result.output
        # VACUUM merged the full-text index's pending list: the table's statistics say it ran.
        for _ in range(50):
            vacuums = db.session.execute(
                text(
                    "SELECT vacuum_count FROM pg_stat_user_tables "
                    "WHERE relname = 'enterprise' AND schemaname = current_schema()"
                )
            ).scalar()
            if vacuums:
                break
            db.session.rollback()
            time.sleep(0.1)
        assert vacuums >= 1


def test_sqlite_opens_with_a_page_cache_and_memory_map_sized_for_the_database(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as conn:
            size_kb = (
                conn.exec_driver_sql("PRAGMA page_count").scalar()
                * conn.exec_driver_sql("PRAGMA page_size").scalar()
                // 1024
            )
            cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            mmap = conn.exec_driver_sql("PRAGMA mmap_size").scalar()
        # negative: in KiB; never less than SQLite's default 2000, never more than SQLITE_CACHE_MB
        assert -cache == max(2000, min(size_kb, app.config["SQLITE_CACHE_MB"] * 1024))
        assert mmap == min(size_kb, app.config["SQLITE_MMAP_MB"] * 1024) * 1024
