"""`flask targets load [--file F] [--replace]`: bring the targets in line with the plan file."""

from __future__ import annotations

import click

from app.edge import command_unit
from app.targets import targets_bp
from app.targets.loader import TargetFileError, load_targets


@targets_bp.cli.command("load")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A targets YAML file (default: targets.yaml in RULES_DIR, app/data/rules).",
)
@click.option("--replace", is_flag=True, help="Overwrite indicators and targets already in the database from the file.")
def load_command(path: str | None, replace: bool):
    """Insert missing indicators and targets; keep the ones already there unless --replace."""
    with command_unit():
        try:
            summary = load_targets(path, replace=replace)
        except TargetFileError as e:
            raise click.ClickException(str(e)) from None
    click.echo(
        f"Targets: {summary.indicators_added} indicators and {summary.targets_added} targets added, "
        f"{summary.replaced} replaced from the file, {summary.kept} kept as they are"
        + (f", {summary.filled} given the file's metadata they lacked." if summary.filled else ".")
    )
