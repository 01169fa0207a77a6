"""`flask registry import FILE [--kind KIND] [--dry-run] [--as EMAIL]`, `flask registry undo BATCH` and
`flask registry resize`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app import audit
from app.auth.services import get_user_by_email
from app.edge import command_unit
from app.extensions import db
from app.imports import services
from app.imports.kinds import KINDS, REGISTRY
from app.imports.reading import estimate_rows
from app.imports.reasons import message
from app.models import ImportBatch
from app.models.values import ImportState
from app.registry import services as registry

registry_cli = AppGroup("registry", help="The enterprise registry and the facts beside it: bulk import and undo.")


def _actor(as_email: str | None) -> audit.Actor:
    if not as_email:
        return audit.CLI

    user = get_user_by_email(as_email)
    if user is None:
        raise click.ClickException(f"No account {as_email}.")
    return audit.Actor.of(user)


def _report(batch: ImportBatch) -> None:
    counts = ", ".join(f"{name} {value}" for name, value in batch.counts().items())
    click.echo(f"Batch {batch.id} ({batch.state}): {batch.total_rows} rows: {counts}.")
    if batch.report.get("undated"):
        click.echo(
            f"  {batch.report['undated']} new record(s) without ngay_thanh_lap: counted from the day of the import."
        )
    for item in batch.report.get("rejected", []):
        click.echo(
            f"  row {item['row']}, {item['column']}: {item['reason']}: "
            f"{message(item['reason'], item['value'], item['column'])} [{item['value']}]"
        )
    for item in batch.report.get("held", []):
        choices = " or ".join(f"{code} {name}" for code, name in item["candidates"])
        click.echo(
            f"  row {item['row']}, held: {item['commune']} was split into {choices}: not imported; "
            "give its ma_xa, or check the file in the web page to choose."
        )


def _kinds_help() -> str:
    listed = "; ".join(f"{key}: {kind.title}" for key, kind in KINDS.items())
    return f"What the file holds: {listed}."


@registry_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(list(KINDS)), default=REGISTRY, show_default=True, help=_kinds_help())
@click.option("--dry-run", is_flag=True, help="Check every row and report; change nothing.")
@click.option("--as", "as_email", default=None, help="Record the import as this staff account (default: cli).")
def import_command(file: Path, kind: str, dry_run: bool, as_email: str | None):
    """Import a CSV or XLSX file in the template's columns of its kind (the web page's template): the
    registry's enterprises by default, or certified products, listings, labels, past results (--kind)."""
    actor = _actor(as_email)
    data = file.read_bytes()
    with click.progressbar(length=max(estimate_rows(data), 1), label="Checking", file=sys.stderr) as bar:
        try:
            if dry_run:
                batch = services.check_file(data, file.name, actor, progress=bar.update, kind=kind)
            else:
                batch = services.import_file(data, file.name, actor, progress=bar.update, kind=kind)
        except services.FileError as e:
            raise click.ClickException(str(e.message)) from None
    _report(batch)


@registry_cli.command("undo")
@click.argument("batch_id", type=int)
@click.option("--as", "as_email", default=None, help="Record the undo as this staff account (default: cli).")
def undo_command(batch_id: int, as_email: str | None):
    """Undo a committed import whose records were not changed since; run again, finish an undo that
    failed or stopped half-way (nothing of it is counted twice)."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"No import batch {batch_id}.")
    if batch.state == ImportState.UNDOING and not services.is_stalled(batch):
        raise click.ClickException(
            f"An undo of batch {batch_id} is running, or stopped less than "
            f"{current_app.config['IMPORT_JOB_STALL_SECONDS']} s ago: run this again once it has stopped reporting."
        )
    try:
        count = services.undo(batch, _actor(as_email))
    except services.UndoRefused as e:
        raise click.ClickException("Records changed since the import: " + ", ".join(e.touched)) from None
    except services.FileError as e:
        raise click.ClickException(str(e.message)) from None
    click.echo(f"Batch {batch_id} undone: {count} records restored or withdrawn.")


@registry_cli.command("resize")
def resize_command():
    """Size every record again by the size rules in force (after a change of size_tiers.yaml, or to
    size as a range the SMEs imported without one of their figures); each change is audited."""
    changed, after = 0, 0
    while after is not None:
        with command_unit():
            count, after = registry.resize_step(audit.CLI, after)
        changed += count
    click.echo(f"{changed} record(s) sized again.")
