"""The undo of an import of a kind beside the registry (engine.py), and the taking back of what an
unfinished commit wrote: the batch's audit events read back newest first, a thousand at a time, rows
it created deleted, rows it changed restored; a row someone changed since, or one others now refer
to, refuses the undo before its first step.

The undo is all or nothing like the registry's, but atomic: every step in the one transaction the
caller holds (services.run_undo calls ``undo_step`` once, and it runs to the end). The registry's
undo runs each step in a transaction of its own and takes the steps done back when one fails, which
works because it withdraws the records an import created; a kind's undo deletes the rows its batch
created (a certified product, a listing check, a result), and a deleted row cannot be written back
with its own id and every column. Its files are small — a province's OCOP list is hundreds to a few
thousand rows, a listings or results file of the same order — so one transaction is short enough:
the undo of 3,000 certified products held SQLite's write lock 4 to 7 s on a loaded two-core VM,
well within the time other writers wait for it (SQLITE_BUSY_TIMEOUT_MS, 15 s). An undo that fails
for any reason, a lost connection or a killed worker included, has changed nothing: "Undo again"
(the batch's page, or ``flask registry undo`` again) starts from the batch as it was committed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.audit import Actor
from app.extensions import db
from app.imports.apply import audit_rows, write_audit
from app.imports.kinds.engine import STEP, TableRules, after_delete, entity, report_changes
from app.imports.revert import UndoRefused
from app.models import AuditEvent
from app.models.base import today_local
from app.registry import past


def _events(rules: TableRules, provenance: str, below: int | None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.provenance == provenance, AuditEvent.entity_type == rules.entity_type)
    if below is not None:
        query = query.where(AuditEvent.id < below)
    events, seen = [], set()
    for event in db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(STEP)):
        if event.entity_id in seen:
            break
        seen.add(event.entity_id)
        events.append(event)
    return events


def _changed_since(rules: TableRules, events: list[AuditEvent], mine: tuple[str, ...]) -> set[int]:
    first: dict[str, int] = {}
    for event in events:
        first[event.entity_id] = min(event.id, first.get(event.entity_id, event.id))
    query = (
        select(AuditEvent.entity_id, func.max(AuditEvent.id))
        .where(
            AuditEvent.entity_type == rules.entity_type,
            AuditEvent.entity_id.in_(list(first)),
            AuditEvent.provenance.not_in(mine),
        )
        .group_by(AuditEvent.entity_id)
    )
    return {int(entity_id) for entity_id, last in db.session.execute(query) if last > first[entity_id]}


def changed_since_import(rules: TableRules, provenance: str) -> list[str]:
    """What refuses the undo, asked before its first step (so that no step is taken back half-way): rows
    changed since by someone else, and rows the batch created that others now refer to (a kind that
    has such rows says which with an optional ``referenced(ids)``, e.g. a listing on a new product)."""
    touched: set[int] = set()
    created: list[int] = []
    below = None
    while events := _events(rules, provenance, below):
        touched |= _changed_since(rules, events, (provenance,))
        created += [int(e.entity_id) for e in events if e.action == "create"]
        below = events[-1].id
    referenced = getattr(rules, "referenced", None)
    if referenced is not None and created:
        touched |= referenced(created)
    return rules.describe(sorted(touched)) if touched else []


def _restore(rules: TableRules, events: list[AuditEvent]) -> None:
    table = rules.table
    for event in events:
        before = {k: v for k, v in (event.before or {}).items() if k in table.c}
        if before:
            values = {k: _typed(table, k, v) for k, v in before.items()}
            db.session.execute(update(table).where(table.c.id == int(event.entity_id)).values(**values))


def _typed(table: Table, column: str, value: Any) -> Any:
    """A value as the audit trail keeps it (ISO text for a day), as its column takes it."""
    if isinstance(value, str) and getattr(table.c[column].type, "python_type", None) is date:
        return date.fromisoformat(value)
    return value


def _delete(rules: TableRules, ids: list[int]) -> None:
    try:
        with db.session.begin_nested():
            db.session.execute(delete(rules.table).where(rules.table.c.id.in_(ids)))
    except IntegrityError:  # something refers to a row the batch created: it stays, and the undo is refused
        raise UndoRefused(rules.describe(ids)) from None


def undo_step(
    rules: TableRules, provenance: str, below: int | None, actor: Actor, as_provenance: str
) -> tuple[int, int | None]:
    """Undo the whole batch, step after step, in the caller's transaction (executes only; the caller
    commits, or rolls back: see the module's docstring). Returns how many events were undone and None
    (nothing is left), as the registry's ``undo_step`` says of its last step."""
    done = 0
    while True:
        count, below = _step(rules, provenance, below, actor, as_provenance)
        done += count
        if below is None:
            return done, None


def _step(
    rules: TableRules, provenance: str, below: int | None, actor: Actor, as_provenance: str
) -> tuple[int, int | None]:
    """Undo the next events of the batch below the event id ``below``. Returns how many were undone
    and where the next step starts (None: nothing is left)."""
    events = _events(rules, provenance, below)
    if not events:
        return 0, None
    touched = _changed_since(rules, events, (provenance, as_provenance))
    if touched:
        raise UndoRefused(rules.describe(sorted(touched)))
    created = [e for e in events if e.action == "create"]
    changed = [e for e in events if e.action != "create"]
    owners = rules.owners([int(e.entity_id) for e in events])
    if created:
        _delete(rules, [int(e.entity_id) for e in created])
        after_delete(rules, owners, provenance, actor, as_provenance, erase=False)
    _restore(rules, changed)
    past.changed_from(past.earliest_in(r for e in events for r in (e.before, e.after)), today_local())
    report_changes(rules, [(int(e.entity_id), e.after, e.before) for e in changed])
    gone = [(int(e.entity_id), e.after, None) for e in created]
    write_audit(entity(audit_rows(actor, "delete", as_provenance, gone), rules.entity_type))
    restored = [(int(e.entity_id), e.after, e.before) for e in changed]
    write_audit(entity(audit_rows(actor, "update", as_provenance, restored), rules.entity_type))
    rules.refresh(owners)
    return len(events), events[-1].id


def take_back_step(rules: TableRules, provenance: str, actor: Actor, as_provenance: str) -> int:
    """Take back what an unfinished commit wrote (executes only; the caller commits): rows it created
    are deleted, rows it changed restored, its events deleted. Returns how many events it took back.
    (An unfinished undo left nothing to take back: it was one transaction.)"""
    events = _events(rules, provenance, None)
    if not events:
        return 0
    kept = _changed_since(rules, events, (provenance,))
    mine = [e for e in events if int(e.entity_id) not in kept]
    owners = rules.owners([int(e.entity_id) for e in mine])
    created = [int(e.entity_id) for e in mine if e.action == "create"]
    if created:
        db.session.execute(delete(rules.table).where(rules.table.c.id.in_(created)))
        after_delete(rules, owners, provenance, actor, as_provenance, erase=True)
    _restore(rules, [e for e in mine if e.action != "create"])
    past.changed_from(past.earliest_in(r for e in mine for r in (e.before, e.after)), today_local())
    report_changes(rules, [(int(e.entity_id), e.after, e.before) for e in mine if e.action != "create"])
    db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_([e.id for e in mine])))
    if kept:
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.provenance == provenance, AuditEvent.entity_id.in_([str(i) for i in kept]))
            .values(provenance=as_provenance)
        )
    rules.refresh(owners)
    return len(events)
