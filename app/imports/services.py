"""The import service used by the web pages, the background jobs and `flask registry import`.

An import is checked in a read-only transaction that prepares every row, then written in steps of a
thousand records, each a short write transaction (BEGIN IMMEDIATE on SQLite), so that other writers
only ever wait a moment; a step that fails takes back the steps before it, so that the batch is
written whole or not at all. Its undo runs the same way. So, unlike other services, these functions
are jobs of many transactions: each a unit of work of app/edge.py (`writing()`, `reading()`), and
the caller (a view, a task or the CLI) has nothing pending when it calls them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, update

from app.audit import Actor
from app.edge import reading, release
from app.extensions import db
from app.imports import failures
from app.imports.apply import StalePlan
from app.imports.batch_state import can_abandon, can_check_again, can_commit, is_stalled
from app.imports.kinds import REGISTRY, kind_of
from app.imports.plan import Plan
from app.imports.reading import FileError, Sheet, estimate_rows, read_sheet, sniff_format, stored_name
from app.imports.revert import UndoRefused
from app.imports.steps import Lost, hold, let_others_write, take_back, writing
from app.models import ImportBatch
from app.models.base import utcnow
from app.models.values import RUNNING_IMPORT_STATES

Failed = failures.Failed
__all__ = [  # what a batch allows is asked of the services too (batch_state)
    "can_abandon",
    "can_check_again",
    "can_commit",
    "is_stalled",
    "Failed",
    "FileError",
    "UndoRefused",
    "check_file",
    "commit_batch",
    "import_file",
    "run_check",
    "run_undo",
    "undo",
    "upload",
]
MAX_REPORTED = 5000  # rejected cells kept in the batch's report (the counts are always complete)
Progress = Callable[[int], None] | None


def new_batch(
    data: bytes,
    file_name: str,
    fmt: str,
    actor: Actor,
    keep: bool,
    state: str = "checking",
    kind: str = REGISTRY,
    **columns,
) -> ImportBatch:
    """Store an uploaded file as a batch, in its own short transaction (``columns``: any other of its
    columns, such as a mapping step's)."""
    columns.setdefault("report", {})
    with writing():
        batch = ImportBatch(
            kind=kind,
            file_name=file_name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            format=fmt,
            uploaded_by_id=actor.user_id,
            uploaded_by_label=actor.label,
            state=state,
            content=data if keep else None,
            progress_total=estimate_rows(data),
            heartbeat_at=utcnow(),
            **columns,
        )
        db.session.add(batch)
    return batch


def _set_state(
    batch: ImportBatch, state: str, error: str | None = None, expected: tuple[str, ...] | None = None
) -> bool:
    """Record a step of the batch's life in its own short transaction: one conditional UPDATE, so
    that a job never overwrites the state another job (or an undo) has since given the batch."""
    batch_id = batch.id  # read now: after the commit it would be reloaded by a reader's transaction
    values: dict = {"state": state, "error": error, "heartbeat_at": utcnow()}
    if state in ("checked", "committed"):
        values["progress_done"] = ImportBatch.progress_total
    elif state in RUNNING_IMPORT_STATES:
        values["progress_done"] = 0
    condition = [ImportBatch.id == batch_id]
    if expected is not None:
        condition.append(ImportBatch.state.in_(expected))
    with writing():
        changed = (
            db.session.execute(
                update(ImportBatch).where(*condition).values(**values).execution_options(synchronize_session=False)
            ).rowcount
            == 1
        )
    db.session.refresh(batch)
    return changed


def _store_counts(batch: ImportBatch, plan: Plan) -> None:
    for name, value in plan.counts().items():
        setattr(batch, f"{name}_count", value)
    batch.total_rows = plan.total
    batch.report = {
        "rejected": plan.rejected[:MAX_REPORTED],
        "held": plan.held[:MAX_REPORTED],
        "undated": plan.undated,  # new records counted from the day of the import: no first registration
        "undated_rows": plan.undated_rows,
    }


def _prepare(sheet: Sheet, batch: ImportBatch, resolutions, progress: Progress) -> Plan:
    # A plain read transaction even inside a POST request (which is a writer): the checks hold no write lock.
    with reading():
        return kind_of(batch.kind).build_plan(sheet, batch.id, resolutions, progress)


def upload(data: bytes, file_name: str, actor: Actor, kind: str = REGISTRY) -> ImportBatch:
    """Store an uploaded file as a batch waiting for its check (a background job runs `run_check`)."""
    file_name = stored_name(file_name)
    if not data.strip():
        raise FileError("empty", _l("The file is empty."))
    return new_batch(data, file_name, sniff_format(data), actor, keep=True, state="uploaded", kind=kind)


def run_check(batch: ImportBatch, progress: Progress = None) -> ImportBatch:
    """Dry run of a stored batch: read and check its file, record the counts and the report.

    A file that cannot be read at all leaves the batch failed with the reason, and raises FileError;
    any other failure (the connection lost, a file that breaks the reader) leaves it failed too, with a
    code that the page explains and that lets staff start it again (`failures`), and raises Failed.
    """
    _set_state(batch, "checking")
    try:
        _check(batch, progress)
    except FileError as e:
        _set_state(batch, "failed", str(e.message), expected=("checking",))
        raise
    except Exception as e:
        code = failures.record(e, batch.id, "check")
        _set_state(batch, "failed", code, expected=("checking",))
        raise failures.Failed(code, batch.id) from e
    _set_state(batch, "checked", expected=("checking",))
    return batch


def _check(batch: ImportBatch, progress: Progress, sheet: Sheet | None = None) -> None:
    plan = _prepare(sheet or _read(batch.content, batch), batch, None, progress)
    with writing():
        _store_counts(batch, plan)


def _read(data: bytes, batch: ImportBatch) -> Sheet:
    return read_sheet(data, batch.mapping, kind_of(batch.kind).columns)


def check_file(
    data: bytes, file_name: str, actor: Actor, progress: Progress = None, kind: str = REGISTRY
) -> ImportBatch:
    """Dry run: read and check the file, store the batch with its counts and report (and the file)."""
    file_name = stored_name(file_name)
    release()  # reading a large workbook takes a while: hold no transaction meanwhile
    sheet = read_sheet(data, None, kind_of(kind).columns)  # raises FileError before anything is stored
    batch = new_batch(data, file_name, sheet.format, actor, keep=True, kind=kind)
    try:
        _check(batch, progress, sheet)
    except Exception as e:
        code = failures.record(e, batch.id, "check")
        _set_state(batch, "failed", code, expected=("checking",))
        raise failures.Failed(code, batch.id) from e
    _set_state(batch, "checked")
    return batch


def _commit(
    batch: ImportBatch, data: bytes, actor: Actor, resolutions, progress: Progress, sheet: Sheet | None = None
) -> ImportBatch:
    """Prepare the plan (reads only), then write it step by step, each step a short transaction.

    All or nothing all the same: if a step fails, or finds that the registry changed under the plan,
    what the earlier steps wrote is taken back before the batch is marked failed (or the plan is
    prepared again, up to three times)."""
    try:
        take_back(batch, actor)  # what a job that stopped on this batch had written
        for _attempt in range(3):
            plan = _prepare(sheet or _read(data, batch), batch, resolutions, progress)
            sheet = None
            try:
                _write(batch, plan, actor)
            except StalePlan:
                take_back(batch, actor)
                continue
            with writing():
                hold(batch, "committing")
                _store_counts(batch, plan)
                batch.state, batch.committed_at, batch.content, batch.error = "committed", utcnow(), None, None
                batch.progress_done = batch.progress_total
            return batch
    except Lost:
        return batch  # another job took the batch over, or finished it first
    except FileError as e:
        take_back(batch, actor)
        _set_state(batch, "failed", str(e.message), expected=("committing",))
        raise
    except Exception as e:
        code = failures.record(e, batch.id, "commit")
        take_back(batch, actor)
        _set_state(batch, "failed", code, expected=("committing",))
        raise failures.Failed(code, batch.id) from e
    busy = FileError("busy", _l("The registry kept changing during the import: try again."))
    _set_state(batch, "failed", str(busy.message), expected=("committing",))
    raise busy


def _write(batch: ImportBatch, plan: Plan, actor: Actor) -> None:
    """Write the plan in steps of a thousand records, each step its own transaction."""
    done, total = 0, len(plan.new) + len(plan.updates)
    kind = kind_of(batch.kind)
    for step, rows in kind.steps(plan):
        with writing():
            hold(batch, "committing", done, total)
            kind.apply_step(step, rows, plan.watermark, batch.id, actor)
        done += len(rows)
        let_others_write()


def commit_batch(
    batch: ImportBatch, actor: Actor, resolutions: dict[int, str] | None = None, progress: Progress = None
) -> ImportBatch:
    """Commit a checked batch from its stored file, with the communes staff chose for held rows."""
    if not take_on(batch, "committing"):
        raise FileError("state", _l("This batch was already committed or undone."))
    return run_commit(batch, actor, resolutions, progress)


def run_commit(
    batch: ImportBatch, actor: Actor, resolutions: dict[int, str] | None = None, progress: Progress = None
) -> ImportBatch:
    """The commit of a batch already taken on for it (see `take_on`)."""
    db.session.refresh(batch)
    if batch.state != "committing" or batch.content is None:
        return batch  # another job finished it first
    return _commit(batch, batch.content, actor, resolutions, progress)


def take_on(batch: ImportBatch, job: str) -> bool:
    """Move the batch into a job state ("uploaded" to check again, "committing" or "undoing") if no
    job runs on it, or the job that did has stopped reporting.

    One conditional UPDATE, so that two clicks, or two processes, never start the same job twice.
    """
    if job == "committing" and not (batch.content is not None and batch.was_checked):
        return False
    if job == "uploaded" and batch.state == "failed" and not can_check_again(batch):
        return False
    idle, running = {
        "committing": (("checked", "failed"), ("committing",)),
        "undoing": (("committed",), ("undoing",)),
        "uploaded": (("failed",), ("uploaded", "checking")),  # failed: for a reason of its own (failures)
    }[job]
    cutoff = utcnow() - timedelta(seconds=current_app.config["IMPORT_JOB_STALL_SECONDS"])
    # Compare and set in the database: a stalled job can be taken over once, by one request.
    idle_now = ImportBatch.state.in_(idle)
    if job == "uploaded":
        idle_now = and_(idle_now, ImportBatch.error.in_(list(failures.MESSAGES)))
    free = or_(idle_now, and_(ImportBatch.state.in_(running), ImportBatch.heartbeat_at < cutoff))
    with writing():
        taken = (
            db.session.execute(
                update(ImportBatch)
                .where(ImportBatch.id == batch.id, free)
                .values(state=job, error=None, progress_done=0, heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)  # the batch is refreshed below
            ).rowcount
            == 1
        )
    db.session.refresh(batch)
    return taken


def abandon(batch: ImportBatch, actor: Actor) -> bool:
    """Give a batch up: it is marked failed with who gave it up, and its file is dropped. Of a commit
    that stopped half-way, what it wrote is taken back first: nothing of the batch stays written."""
    if not can_abandon(batch):
        return False
    if batch.state == "committing":
        return take_on(batch, "committing") and run_abandon(batch, actor)
    return _give_up(batch, actor, (batch.state,))


def run_abandon(batch: ImportBatch, actor: Actor) -> bool:
    """Give up a batch taken on for committing (see `take_on`): take back what was written, then mark it."""
    try:
        take_back(batch, actor)
    except Lost:
        return False
    return _give_up(batch, actor, ("committing",))


def _give_up(batch: ImportBatch, actor: Actor, expected: tuple[str, ...]) -> bool:
    """One conditional UPDATE: a job that has just started again is never overwritten."""
    with writing():
        changed = (
            db.session.execute(
                update(ImportBatch)
                .where(ImportBatch.id == batch.id, ImportBatch.state.in_(expected))
                .values(state="failed", content=None, error=failures.given_up(actor.label), heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            == 1
        )
    db.session.refresh(batch)
    return changed


def import_file(
    data: bytes, file_name: str, actor: Actor, progress: Progress = None, kind: str = REGISTRY
) -> ImportBatch:
    """Check and commit in one go (the CLI without --dry-run): the file is read once per attempt."""
    file_name = stored_name(file_name)
    release()
    sheet = read_sheet(data, None, kind_of(kind).columns)
    batch = new_batch(data, file_name, sheet.format, actor, keep=False, state="committing", kind=kind)
    return _commit(batch, data, actor, None, progress, sheet)


def undo(batch: ImportBatch, actor: Actor) -> int:
    """Undo a committed batch now, step by step (the CLI, and small batches from the web page).

    Refused with UndoRefused when a record was changed since the import."""
    if not take_on(batch, "undoing"):
        raise FileError("state", _l("Only a committed batch can be undone."))
    return run_undo(batch, actor)


def changed_since_import(batch: ImportBatch) -> list[str]:
    """What was changed after the batch wrote it (20 at most, named for a person): it refuses the undo."""
    return kind_of(batch.kind).changed_since_import(batch.provenance)


def run_undo(batch: ImportBatch, actor: Actor) -> int:
    """The undo of a batch already taken on for it (see `take_on`): all or nothing, like the commit.

    Each step restores a thousand records in its own short transaction; if a step fails, or finds a
    record changed meanwhile, the steps done are taken back and the batch stays committed."""
    db.session.refresh(batch)
    if batch.state != "undoing":
        return 0
    undo_provenance = f"undo:{batch.id}"
    try:
        take_back(batch, actor, undo_provenance)  # what a job that stopped on this undo had written
        touched = changed_since_import(batch)
        if touched:
            raise UndoRefused(touched)
        done, below, total = 0, None, batch.new_count + batch.updated_count
        while True:
            with writing():
                hold(batch, "undoing", done, total)
                count, below = kind_of(batch.kind).undo_step(batch.provenance, below, actor, undo_provenance)
                if below is None:
                    batch.state, batch.undone_at, batch.progress_done = "undone", utcnow(), batch.progress_total
                    batch.error, batch.report = None, {**batch.report, "undo_refused": []}
            done += count
            if below is None:
                return done
            let_others_write()
    except Lost:
        return 0
    except Exception as e:
        error = None if isinstance(e, UndoRefused) else failures.record(e, batch.id, "undo")
        take_back(batch, actor, undo_provenance)
        if _set_state(batch, "committed", error, expected=("undoing",)):
            with writing():  # the page says why, for an undo that ran in the background
                batch.report = {**batch.report, "undo_refused": e.touched if isinstance(e, UndoRefused) else []}
        if error:
            raise failures.Failed(error, batch.id) from e
        raise
