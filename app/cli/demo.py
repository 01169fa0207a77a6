"""`flask demo load` (the demo province) and `flask demo generate` (scale data for benchmarks)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.maintenance import analyze
from app.demo import accounts, bulk, province, scale
from app.demo.loading import DemoImportFailed
from app.errors import ServiceError
from app.i18n import local_today
from app.progress import services, snapshots
from app.targets.loader import TargetFileError

demo_cli = AppGroup("demo", help="Demo province and scale data.")


@demo_cli.command("load")
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Random seed; the default always gives the same province.",
)
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date the data is as of (default today; not later than today).",
)
@click.option(
    "--files-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the files the province is imported from in this folder (to look at, or import by hand).",
)
def load_command(seed: int | None, as_of, files_dir: Path | None):
    """Load the demo province (made-up data) and demo accounts, once: the registry, labels, certified
    products, listings and an earlier survey are imported from files in the import formats."""

    started = time.perf_counter()
    try:  # a job of many transactions, as an import is
        result = province.load_demo_province(
            province.DEFAULT_SEED if seed is None else seed, as_of.date() if as_of else None, files_dir
        )
    except (bulk.EmptyRegion, TargetFileError, DemoImportFailed) as e:
        raise click.ClickException(str(e)) from None
    except ServiceError as e:
        raise click.ClickException(str(e.message)) from None
    if result is None:
        click.echo("The demo province is already loaded: nothing changed.")
        return
    analyze()
    people = result.people
    click.echo(
        f"Demo province loaded in {time.perf_counter() - started:.1f} s: {result.enterprises:,} enterprises "
        f"({result.households:,} household businesses, {result.branches} branches, {result.tech_firms} "
        f"digital-technology firms), {result.products} certified products ({result.pending_products} "
        f"awaiting review), {result.listings} listings with {result.checks} checks, "
        f"{people.attempts:,} counted assessments of {people.assessed:,} enterprises by "
        f"{people.owners:,} owner accounts that cannot sign in, {people.quick_checks} quick checks, "
        f"{result.past_results} results of an earlier survey, {result.reported_values} reported values."
    )
    where = f" (kept in {files_dir})" if files_dir else ""
    click.echo(f"Imported from files{where}:")
    for item in result.imported:
        click.echo(f"  {item.file_name}: batch {item.batch_id}, {item.rows:,} rows, {item.new:,} new")
    _rebuild_progress()
    text = accounts.credentials_text(result.accounts, local_today())
    try:
        path = accounts.write_credentials(current_app.instance_path, text)
    except OSError as e:  # the accounts exist now: show them even if the file cannot be written
        click.echo(
            f"Could not write the credentials file ({e}). Demo accounts (shown this once):\n",
            err=True,
        )
    else:
        click.echo(f"Demo accounts, also in {path} (shown this once):\n")
    click.echo(text)


@demo_cli.command("generate")
@click.option("--enterprises", "count", type=click.IntRange(min=1), required=True, help="How many to add.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--assessments",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Counted DBI attempts to share among the generated SMEs (with retakes).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=100),
    default=20_000,
    show_default=True,
    help="Enterprises per insert and commit.",
)
@click.option(
    "--households",
    type=click.FloatRange(min=0, max=0.95),
    default=scale.HOUSEHOLD_SHARE,
    show_default=True,
    help="The share of household businesses among them (the country's shape: about 0.8).",
)
@click.option(
    "--rebuild-progress",
    is_flag=True,
    help="Recompute the progress figures since the plan began afterwards (minutes at 1M; "
    "otherwise pages compute them on first view, or run `flask progress rebuild`).",
)
def generate_command(
    count: int, seed: int, assessments: int, chunk_size: int, households: float, rebuild_progress: bool
):
    """Add COUNT made-up enterprises (provenance "generated") with products, for benchmarks."""

    def progress(done: int, attempts: int, elapsed: float) -> None:
        click.echo(
            f"  {done:,} / {count:,} enterprises, {attempts:,} / {assessments:,} assessments, "
            f"{(done + attempts) / elapsed:,.0f} rows/s"
        )

    try:  # each chunk is a unit of work of its own
        result = scale.generate(
            count, seed, chunk_size=chunk_size, progress=progress, assessments=assessments, households=households
        )
    except bulk.EmptyRegion as e:
        raise click.ClickException(str(e)) from None
    analyze()  # the planner needs statistics to drive searches from the full-text index
    if rebuild_progress:
        _rebuild_progress()
    click.echo(
        f"Added {result.enterprises:,} enterprises ({result.first_code} … {result.last_code}), "
        f"{result.products:,} products, {result.listings:,} listings with {result.checks:,} checks, "
        f"{result.assessments:,} assessments in {result.seconds:.1f} s "
        f"({result.enterprises / result.seconds:,.0f} enterprises/s)."
    )


def _rebuild_progress() -> None:
    """The progress figures of every month end since the plan began, for the records just added."""

    started = time.perf_counter()
    count = snapshots.rebuild(services.current_settings())
    click.echo(f"Progress: {count} figures computed in {time.perf_counter() - started:.1f} s.")
