"""The import service used by the web pages and by `flask registry import`.

An import needs two transactions: a read-only one to check the file and prepare every row, then a
short write transaction (BEGIN IMMEDIATE on SQLite) that applies the plan. So, unlike other services,
these functions commit: they are the transaction boundary for the web view and the CLI alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from app.audit import Actor
from app.database import write_intent
from app.extensions import db
from app.imports.apply import StalePlan, apply_plan
from app.imports.plan import Plan, build_plan
from app.imports.reading import FileError, Sheet, read_sheet
from app.imports.undo import UndoRefused, undo_batch
from app.models import ImportBatch
from app.models.base import utcnow

__all__ = ["FileError", "UndoRefused", "check_file", "commit_batch", "import_file", "undo"]
MAX_REPORTED = 5000  # rejected cells kept in the batch's report (the counts are always complete)
Progress = Callable[[int], None] | None


def _reading():
    """Run the checks as a plain read transaction even inside a POST request (which is a writer)."""
    return write_intent(writing=False)


def _new_batch(data: bytes, file_name: str, fmt: str, actor: Actor, keep: bool) -> ImportBatch:
    with write_intent():
        batch = ImportBatch(file_name=(file_name or "upload")[:255], file_sha256=hashlib.sha256(data).hexdigest(),
                            format=fmt, uploaded_by_id=actor.user_id, uploaded_by_label=actor.label,
                            state="checked", report={}, content=data if keep else None)
        db.session.add(batch)
        db.session.commit()
    return batch


def _record(batch: ImportBatch, plan: Plan) -> None:
    for name, value in plan.counts().items():
        setattr(batch, f"{name}_count", value)
    batch.total_rows = plan.total
    batch.report = {"rejected": plan.rejected[:MAX_REPORTED], "held": plan.held[:MAX_REPORTED]}


def _prepare(sheet: Sheet, batch: ImportBatch, resolutions, progress: Progress) -> Plan:
    # End the caller's transaction (a POST request opens a writer's one to load the signed-in user),
    # so that the checks hold no write lock.
    db.session.commit()
    with _reading():
        plan = build_plan(sheet, batch.id, resolutions, progress)
        db.session.commit()  # ends the read transaction; nothing was written
    return plan


def check_file(data: bytes, file_name: str, actor: Actor, progress: Progress = None) -> ImportBatch:
    """Dry run: read and check the file, store the batch with its counts and report (and the file)."""
    db.session.commit()  # reading a large workbook takes a while: hold no transaction meanwhile
    sheet = read_sheet(data)  # raises FileError before anything is stored
    batch = _new_batch(data, file_name, sheet.format, actor, keep=True)
    plan = _prepare(sheet, batch, None, progress)
    with write_intent():
        _record(batch, plan)
        db.session.commit()
    return batch


def _commit(batch: ImportBatch, data: bytes, actor: Actor, resolutions, progress: Progress,
            sheet: Sheet | None = None) -> ImportBatch:
    for _attempt in range(3):
        plan = _prepare(sheet or read_sheet(data), batch, resolutions, progress)
        sheet = None
        try:
            with write_intent():
                apply_plan(plan, batch.id, actor)
                _record(batch, plan)
                batch.state, batch.committed_at, batch.content, batch.error = "committed", utcnow(), None, None
                db.session.commit()
            return batch
        except StalePlan:
            db.session.rollback()
        except Exception as e:
            db.session.rollback()
            with write_intent():
                batch.state, batch.error = "failed", f"{type(e).__name__}: {e}"[:2000]
                db.session.commit()
            raise
    raise FileError("busy", _l("The registry kept changing during the import: try again."))


def commit_batch(batch: ImportBatch, actor: Actor, resolutions: dict[int, str] | None = None,
                 progress: Progress = None) -> ImportBatch:
    """Commit a checked batch from its stored file, with the communes staff chose for held rows."""
    if batch.state not in ("checked", "failed") or batch.content is None:
        raise FileError("state", _l("This batch was already committed or undone."))
    return _commit(batch, batch.content, actor, resolutions, progress)


def import_file(data: bytes, file_name: str, actor: Actor, progress: Progress = None) -> ImportBatch:
    """Check and commit in one go (the CLI without --dry-run): the file is read once per attempt."""
    db.session.commit()
    sheet = read_sheet(data)
    batch = _new_batch(data, file_name, sheet.format, actor, keep=False)
    return _commit(batch, data, actor, None, progress, sheet)


def undo(batch: ImportBatch, actor: Actor) -> int:
    """Undo a committed batch (refused with UndoRefused when a record was changed since)."""
    if batch.state != "committed":
        raise FileError("state", _l("Only a committed batch can be undone."))
    with write_intent():
        try:
            count = undo_batch(batch, actor)
        except Exception:
            db.session.rollback()
            raise
        batch.state, batch.undone_at = "undone", utcnow()
        db.session.commit()
    return count
