"""`flask db backup` and `flask db restore`: SQLite online backup API, or pg_dump/pg_restore."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate.cli import db as db_group
from sqlalchemy.engine import make_url

from app.extensions import db


def _pg_args(url) -> tuple[list[str], dict]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    schema = _schema()
    if schema:
        args += ["-n", schema]  # a deployment confined to one schema backs up that schema only
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


def _schema() -> str | None:
    """The schema named by a search_path connect option, if the app is confined to one."""
    options = current_app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}).get("options", "")
    match = re.search(r"search_path=([A-Za-z0-9_]+)", options)
    return match.group(1) if match else None


def backup_database(target: Path) -> Path:
    """Write a consistent copy of the database to target (a .sqlite3 or a pg_dump custom file)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
    else:
        args, env = _pg_args(url)
        subprocess.run(
            [_pg_tool("pg_dump"), *args, "-Fc", "-f", str(target), url.database], check=True, env={**os.environ, **env}
        )
    return target


def restore_database(source: Path) -> None:
    """Replace the database's contents with a backup made by backup_database."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        db.engine.dispose()
        src = sqlite3.connect(source)
        dest = sqlite3.connect(url.database)
        with dest:
            src.backup(dest)
        dest.close()
        src.close()
    else:
        db.engine.dispose()
        args, env = _pg_args(url)
        subprocess.run(
            [_pg_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "-d", url.database, str(source)],
            check=True,
            env={**os.environ, **env},
        )


def _pg_tool(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else (shutil.which(name) or name)


@db_group.command("backup")
@click.option("--output", type=click.Path(path_type=Path), help="File to write; default instance/backups/<timestamp>.")
def backup_command(output: Path | None):
    """Back up the database (SQLite online backup, or pg_dump for PostgreSQL)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    suffix = ".sqlite3" if url.get_backend_name() == "sqlite" else ".pgdump"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    output = output or Path(current_app.instance_path) / "backups" / f"backup-{stamp}{suffix}"
    click.echo(f"Backup written to {backup_database(output)}")


@db_group.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces the current database. Continue?")
def restore_command(source: Path):
    """Restore the database from a file written by `flask db backup`."""
    restore_database(source)
    click.echo(f"Database restored from {source}")


def register(app: Flask) -> None:
    """The commands attach to Flask-Migrate's `db` group when this module is imported."""
