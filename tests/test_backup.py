"""`flask db backup` writes a copy that `flask db restore` brings back."""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Enterprise
from tests.factories import make_enterprise


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enterprise))


def test_backup_then_restore_brings_the_data_back(app, runner, tmp_path):
    if (
        os.environ.get("TEST_DATABASE_URL")
        and not shutil.which("pg_dump")
        and not list(__import__("pathlib").Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    ):
        pytest.skip("pg_dump is not installed")
    with app.app_context():
        make_enterprise("Công ty TNHH Sao Biển")
    target = tmp_path / "backup.bin"
    result = runner.invoke(args=["db", "backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    with app.app_context():
        make_enterprise("Công ty TNHH Thêm Sau Sao Lưu")
    assert count(app) == 2
    result = runner.invoke(args=["db", "restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert count(app) == 1
