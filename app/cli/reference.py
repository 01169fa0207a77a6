"""`flask reference load`: insert or refresh the reference tables, and insert missing targets."""

import click
from flask.cli import AppGroup

from app.edge import command_unit
from app.reference.services import load_reference_data
from app.targets.loader import TargetFileError, load_targets

reference_cli = AppGroup("reference", help="Reference data (provinces, communes, VSIC, platforms, targets).")


@reference_cli.command("load")
def load_command():
    """Load or refresh reference data (safe to run again).

    The province's targets are inserted when missing and otherwise kept, so that the department's
    edits survive (`flask targets load --replace` overwrites them from the file).
    """

    with command_unit():
        changed = load_reference_data()
        try:
            targets = load_targets()
        except TargetFileError as e:
            raise click.ClickException(str(e)) from None
    click.echo(f"Reference data: {changed} rows added or changed.")
    click.echo(
        f"Targets: {targets.indicators_added} indicators and {targets.targets_added} targets added, "
        f"{targets.kept} kept as they are."
    )
