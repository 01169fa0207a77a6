"""Background jobs for large imports from the web page.

The job's state lives in the batch row (state, progress, heartbeat), so any server process can show
it and the page needs no JavaScript: it reloads itself while the job runs. The job is a task of the
queue (app/tasks.py), run by `flask worker`; if the worker's process ends first, the batch stops
reporting, the page shows it as stopped and staff start it again, or give it up: either takes back
first what the stopped job had written, so a batch is never left half written.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from app import tasks
from app.audit import Actor
from app.database import write_intent
from app.extensions import db
from app.imports import failures, services
from app.imports.steps import writing
from app.models import ImportBatch
from app.models.base import utcnow

log = logging.getLogger(__name__)
REPORT_EVERY_SECONDS = 1.0


def needs_background(size: int) -> bool:
    return size > current_app.config["IMPORT_BACKGROUND_BYTES"]


class ProgressReporter:
    """Counts rows as the check goes and writes the count to the batch about once a second.

    It writes through its own connection: the job's session holds a read transaction meanwhile,
    and the update must neither wait for it nor hold the write lock longer than one statement.
    """

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.done = 0
        self._last = 0.0

    def __call__(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        if now - self._last >= REPORT_EVERY_SECONDS:
            self._last = now
            try:
                with write_intent(), db.engine.begin() as connection:
                    connection.execute(
                        update(ImportBatch)
                        .where(ImportBatch.id == self.batch_id)
                        .values(progress_done=self.done, heartbeat_at=utcnow())
                    )
            except OperationalError:  # the registry is busy: progress is only shown, the check goes on
                log.info("progress of import %s not written this time: database busy", self.batch_id)


def start(batch: ImportBatch, kind: str, actor: Actor, resolutions: dict[int, str] | None = None) -> None:
    """Queue the check ("check"), the commit ("commit"), the undo ("undo") of a batch, or the taking back
    of a commit that stopped half-way ("abandon"), as a task (app/tasks.py). The batch was taken on for it (services.take_on)."""
    tasks.enqueue("run_job", batch.id, kind, actor, resolutions or {})


@tasks.task
def run_job(batch_id: int, kind: str, actor: Actor, resolutions: dict[int, str]) -> None:
    """The task: one job on one batch. Its outcome is recorded in the batch, which the page shows."""
    batch = db.session.get(ImportBatch, batch_id)
    try:
        if kind == "check":
            services.run_check(batch, ProgressReporter(batch_id))
        elif kind == "commit":
            services.run_commit(batch, actor, resolutions, ProgressReporter(batch_id))
        elif kind == "undo":
            services.run_undo(batch, actor)
        else:
            services.run_abandon(batch, actor)
    except (services.FileError, services.UndoRefused):
        pass  # recorded in the batch (and the log); the page shows it
    except Exception:  # noqa: BLE001 — the batch records the error; the registry is unchanged
        log.exception("import job %s (%s) failed", batch_id, kind)


@tasks.every(minutes=1)
@tasks.task
def fail_stopped_checks() -> int:
    """The task: a check whose process ended (a worker killed, a server restarted, a file that made
    the reader abort) stops reporting; it is marked failed with the reason, so that its page says why
    and offers to check it again or give it up. A check writes nothing, so nothing is taken back. (A
    commit or an undo that stopped is shown as stopped until staff start it again or give it up:
    what it wrote is taken back then.) A batch still waiting for a worker ("uploaded") is left alone."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["IMPORT_JOB_STALL_SECONDS"])
    with writing():
        return db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.state == "checking", ImportBatch.heartbeat_at < cutoff)
            .values(state="failed", error=failures.STOPPED, heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
