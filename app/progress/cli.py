"""`flask progress rebuild` and `flask progress show`: the snapshots from the command line."""

from __future__ import annotations

import time

import click

from app.i18n import local_today
from app.progress import progress_bp, services, snapshots
from app.progress.display import value_text


@progress_bp.cli.command("rebuild")
@click.option("--indicator", "codes", multiple=True, help="Only these computed indicators (T4, T5, T6).")
def rebuild_command(codes: tuple[str, ...]):
    """Recompute the monthly series of the computed indicators since the plan began, and today."""
    started = time.perf_counter()
    count = snapshots.rebuild(services.current_settings(), codes or None)
    click.echo(f"{count} snapshots computed in {time.perf_counter() - started:.1f} s.")


@progress_bp.cli.command("refresh")
def refresh_command():
    """Compute today's figures of the computed indicators now (the worker does it every five minutes)."""
    started = time.perf_counter()
    count = snapshots.refresh(services.current_settings(), local_today())
    click.echo(f"{count} figures as of today computed in {time.perf_counter() - started:.1f} s.")


@progress_bp.cli.command("show")
@click.option("--as-of", "as_of", default="", help="Day (yyyy-mm-dd), default today.")
def show_command(as_of: str):
    """Print every indicator as of a day with the status of its targets."""
    try:
        day = services.parse_day(as_of, local_today())
    except services.ProgressError as error:
        raise click.ClickException(error.message) from None
    s = services.current_settings()
    for view in services.dashboard(day, s):
        statuses = ", ".join(f"{t.target.year}: {t.status.kind}" for t in view.targets)
        click.echo(f"{view.code:12} {value_text(view.value, view.indicator.unit):>10}  {statuses}")
