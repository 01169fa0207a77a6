"""The steps of a long import job (a commit, an undo, the taking back of an unfinished one): each a
short write transaction of its own, that first holds the batch in the job's state and reports progress,
with a pause between steps so that other writers get the SQLite lock."""

from __future__ import annotations

import time

from sqlalchemy import update

from app.audit import Actor
from app.edge import unit_of_work
from app.extensions import db
from app.imports.kinds import kind_of
from app.models import ImportBatch
from app.models.base import utcnow


def writing():
    """A step's write transaction of its own, committed at its end (app/edge.py)."""
    return unit_of_work()


STEP_PAUSE_SECONDS = 0.1


def let_others_write() -> None:
    """Between two steps of a long job. SQLite grants its lock to no queue: a waiting writer polls,
    at most every 100 ms, and would rarely find free a lock released for a few microseconds."""
    if db.engine.dialect.name == "sqlite":
        time.sleep(STEP_PAUSE_SECONDS)


class Lost(Exception):
    """The batch is no longer in this job's state: another job took it over (it was taken for stalled)."""


def hold(batch: ImportBatch, state: str, done: int | None = None, total: int | None = None) -> None:
    """First statement of each of a job's write transactions: the batch must still be in the job's
    state (else `Lost`). It reports the job alive, and its progress. The UPDATE also locks the row
    (PostgreSQL) until the step ends, so that a job that takes this one over for stalled waits for it."""
    values: dict = {"heartbeat_at": utcnow()}
    if done is not None:
        values["progress_done"] = done
    if total is not None:
        values["progress_total"] = total
    held = (
        db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch.id, ImportBatch.state == state)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    if not held:
        raise Lost


def take_back(batch: ImportBatch, actor: Actor, provenance: str | None = None) -> None:
    """Take back, step by step, what an unfinished job on the batch wrote (nothing, usually)."""
    provenance = provenance or batch.provenance
    state = batch.state
    while True:
        with writing():
            hold(batch, state)
            taken = kind_of(batch.kind).take_back_step(provenance, actor, f"unfinished-{provenance}")
        if not taken:
            return
        let_others_write()
