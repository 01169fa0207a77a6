"""`flask reference load`: insert or refresh the reference tables."""

import click
from flask.cli import AppGroup

from app.database import write_intent
from app.extensions import db
from app.reference.services import load_reference_data

reference_cli = AppGroup("reference", help="Reference data (provinces, communes, VSIC, platforms).")


@reference_cli.command("load")
def load_command():
    """Load or refresh reference data (safe to run again)."""
    with write_intent():
        changed = load_reference_data()
        db.session.commit()
    click.echo(f"Reference data: {changed} rows added or changed.")
