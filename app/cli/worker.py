"""`flask worker`: run the background tasks (imports, e-mail, progress figures) queued by the site."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app import tasks


@click.command("worker")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Tasks run at once.")
@with_appcontext
def worker_command(workers: int):
    """Serve the task queue (TASK_QUEUE) until interrupted; a task waits in the queue while no worker runs."""
    click.echo(f"Serving the task queue ({current_app.config['TASK_QUEUE']}) with {workers} workers; Ctrl-C stops.")
    tasks.run_worker(current_app._get_current_object(), workers)
