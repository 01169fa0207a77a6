"""What a batch allows in its state: to be checked again, committed or given up; and whether the job
that works on it stopped reporting (its process ended)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from app.imports import failures
from app.models import ImportBatch
from app.models.base import utcnow
from app.models.values import RUNNING_IMPORT_STATES


def can_check_again(batch: ImportBatch) -> bool:
    """A check that failed for a reason of its own (the connection lost, its process ended), not its file's."""
    return (
        batch.state == "failed"
        and not batch.was_checked
        and batch.content is not None
        and failures.is_restartable(batch.error)
    )


def can_abandon(batch: ImportBatch) -> bool:
    """A batch nobody will commit: checked and waiting, failed, or left by a check or commit that stopped."""
    if batch.state == "undoing":
        return False  # an undo that stopped is started again, or taken back: the batch stays committed
    return batch.state in ("checked", "failed") and batch.content is not None or is_stalled(batch)


def can_commit(batch: ImportBatch) -> bool:
    """Checked (or a commit that failed, or one a stopped job left half-way), with its file kept."""
    return (
        batch.content is not None
        and batch.was_checked
        and (batch.state in ("checked", "failed") or (batch.state == "committing" and is_stalled(batch)))
    )


def is_stalled(batch: ImportBatch, now: datetime | None = None) -> bool:
    """A job that stopped reporting: its process ended (a restart) before it finished."""
    if batch.state not in RUNNING_IMPORT_STATES:
        return False
    last = batch.heartbeat_at or batch.created_at
    if last.tzinfo is None:  # SQLite gives naive datetimes back
        last = last.replace(tzinfo=UTC)
    return ((now or utcnow()) - last).total_seconds() > current_app.config["IMPORT_JOB_STALL_SECONDS"]
