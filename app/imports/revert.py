"""Take an import's writes back, step by step: the undo of a committed batch, and the taking back of
what an unfinished job (a commit, or an undo) wrote before it failed or stopped.

Both read the batch's audit events newest first, `STEP` at a time, each step in its own short
transaction, and restore every record to the values its event recorded as "before":

- `undo` is a change like any other: created records are withdrawn (importing them again brings them
  back), changed ones restored, each with an audit event `undo:<batch>`. A record someone changed
  after the import refuses the undo (`UndoRefused`): it would lose their change.
- `take_back` makes an unfinished job as if it never ran: records it created are deleted, records it
  changed restored, and its audit events deleted. A record someone else changed since is left as it
  is now, with its history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.audit import Actor
from app.audit import _plain as plain
from app.dates import local_day
from app.extensions import db
from app.imports.apply import ENTERPRISE, HISTORY_KEPT, audit_rows, chunks, update_rows, write_audit
from app.imports.plan import IMPORTED, STATUS_DAYS, UPDATE_COLUMNS, Update, derived, product_names
from app.models import AuditEvent, Enterprise
from app.models.base import today_local
from app.registry import history
from app.registry.services import HISTORY_SOURCES

STEP = 1000  # audit events per transaction
RESTORED = (*IMPORTED, *STATUS_DAYS)
RECORDED = (*RESTORED, "vsic_section", "record_state")  # what an import's or an undo's event may hold


class UndoRefused(Exception):
    def __init__(self, touched: list[str]):
        super().__init__("touched")
        self.touched = touched  # public keys of the records changed after the import


def _events(provenance: str, below: int | None, limit: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.provenance == provenance, AuditEvent.entity_type == "enterprise")
    if below is not None:
        query = query.where(AuditEvent.id < below)
    return list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def _changed_since(events: list[AuditEvent], mine: tuple[str, ...]) -> set[int]:
    """Ids of the records with an event later than the given one, from any other provenance than `mine`."""
    first = {}
    for event in events:
        first[event.entity_id] = min(event.id, first.get(event.entity_id, event.id))
    query = (
        select(AuditEvent.entity_id, func.max(AuditEvent.id))
        .where(
            AuditEvent.entity_type == "enterprise",
            AuditEvent.entity_id.in_(list(first)),
            AuditEvent.provenance.not_in(mine),
        )
        .group_by(AuditEvent.entity_id)
    )
    return {int(entity_id) for entity_id, last in db.session.execute(query) if last > first[entity_id]}


def _keys(ids) -> list[str]:
    return list(db.session.scalars(select(Enterprise.public_key).where(Enterprise.id.in_(sorted(ids)[:20]))))


def changed_since_import(provenance: str) -> list[str]:
    """Public keys (20 at most) of the records changed after the batch wrote them (reads only)."""
    touched: set[int] = set()
    below = None
    while events := _events(provenance, below, STEP):
        touched |= _changed_since(events, (provenance,))
        below = events[-1].id
    return _keys(touched)


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in ("founded_on", *STATUS_DAYS):
        if isinstance(out.get(key), str):
            out[key] = date.fromisoformat(out[key])
    return out


def _current(ids: list[int]) -> dict[int, dict[str, Any]]:
    columns = [getattr(Enterprise, c) for c in dict.fromkeys((*RECORDED, *HISTORY_SOURCES))]
    rows = db.session.execute(select(Enterprise.id, *columns).where(Enterprise.id.in_(ids))).mappings()
    return {row["id"]: dict(row) for row in rows}


def _restorations(events: list[AuditEvent], current: dict[int, dict]) -> list[Update]:
    """For each event, the record as its "before" values say, with what follows from them derived again."""
    names = product_names(list(current))
    out = []
    for event in events:
        old, before = current[int(event.entity_id)], _typed(event.before or {})
        merged = {k: old[k] for k in RESTORED} | {k: v for k, v in before.items() if k in RESTORED}
        section = before.get("vsic_section") if not merged.get("main_vsic") else None
        values = derived(merged, section, names.get(old["id"], ()))
        values["record_state"] = before.get("record_state", old["record_state"])
        changes = {k: (old[k], values[k]) for k in RECORDED if values.get(k) != old[k]}
        dated_now = {k: old[k] for k in HISTORY_SOURCES}
        dated_then = dated_now | {k: values[k] for k in HISTORY_SOURCES if k in values}
        out.append(
            Update(
                old["id"],
                tuple(values[c] for c in UPDATE_COLUMNS),
                {k: plain(a) for k, (a, _b) in changes.items()},
                {k: plain(b) for k, (_a, b) in changes.items()},
                (dated_now, dated_then, _effective_day(event)),
            )
        )
    return out


def _effective_day(event: AuditEvent) -> date:
    """The day an import's change took effect, which its undo takes back from: the day the row gave,
    else the day it was written."""
    given = (event.after or {}).get("effective_on")
    return date.fromisoformat(given) if given else local_day(event.occurred_at)


def _restore(restored: list[Update], events: list[AuditEvent]) -> None:
    """Put the records back as the events' "before" says, and their history as the import found it
    (kept in its event; an event without it — none since histories exist — is undone by its changes)."""
    update_rows(restored)
    kept = {int(e.entity_id): e.before[HISTORY_KEPT] for e in events if HISTORY_KEPT in (e.before or {})}
    history.restore({u.id: kept[u.id] for u in restored if u.id in kept})
    history.apply(((u.id, *u.dated) for u in restored if u.id not in kept and u.dated is not None), today_local())


def _withdraw(ids: list[int], actor: Actor, as_provenance: str, current: dict[int, dict]) -> None:
    """Records the import created, taken out as if it had never run (out of every past figure too).
    Their spans as they were stay in the event, so that an undo taken back puts them back exactly."""
    kept = history.load(ids)
    db.session.execute(update(ENTERPRISE).where(ENTERPRISE.c.id.in_(ids)).values(record_state="withdrawn"))
    history.withdraw_whole(ids)
    write_audit(
        audit_rows(
            actor,
            "update",
            as_provenance,
            (
                (
                    i,
                    {"record_state": current[i]["record_state"], HISTORY_KEPT: history.as_kept(kept.get(i, []))},
                    {"record_state": "withdrawn"},
                )
                for i in ids
            ),
        )
    )


def _event_of(events: list[AuditEvent], update: Update) -> AuditEvent:
    return next(e for e in events if int(e.entity_id) == update.id)


def _one_per_record(events: list[AuditEvent]) -> list[AuditEvent]:
    """The events up to the first that names a record again (restored from the state the first leaves)."""
    seen, out = set(), []
    for event in events:
        if event.entity_id in seen:
            break
        seen.add(event.entity_id)
        out.append(event)
    return out


def undo_step(provenance: str, below: int | None, actor: Actor, as_provenance: str) -> tuple[int, int | None]:
    """Undo the next events of `provenance` below the event id `below` (executes only; the caller
    commits). Returns how many were undone and where the next step starts (None: nothing is left)."""
    events = _one_per_record(_events(provenance, below, STEP))
    if not events:
        return 0, None
    touched = _changed_since(events, (provenance, as_provenance))
    if touched:
        raise UndoRefused(_keys(touched))
    current = _current([int(e.entity_id) for e in events])
    created = [int(e.entity_id) for e in events if e.action == "create"]
    if created:
        _withdraw(created, actor, as_provenance, current)
    changed = [e for e in events if e.action != "create"]
    restored = [
        u for u in _restorations(changed, current) if u.after or HISTORY_KEPT in (_event_of(changed, u).before or {})
    ]
    if restored:
        kept = history.load(u.id for u in restored)  # as the undo finds them: an undo taken back restores them
        _restore(restored, changed)
        write_audit(
            audit_rows(
                actor,
                "update",
                as_provenance,
                ((u.id, {**u.before, HISTORY_KEPT: history.as_kept(kept.get(u.id, []))}, u.after) for u in restored),
            )
        )
    return len(events), events[-1].id


def take_back_step(provenance: str, actor: Actor, as_provenance: str) -> int:
    """Take back the next events of an unfinished job (executes only; the caller commits). Returns how
    many events were taken back; 0 when none is left. Records changed since by someone else stay."""
    events = _one_per_record(_events(provenance, None, STEP))
    if not events:
        return 0
    kept = _changed_since(events, (provenance,))
    events = [e for e in events if int(e.entity_id) not in kept]
    current = _current([int(e.entity_id) for e in events])
    created = [int(e.entity_id) for e in events if e.action == "create"]
    for ids in chunks(created, 200):
        try:
            with db.session.begin_nested():
                db.session.execute(delete(Enterprise).where(Enterprise.id.in_(ids)))
        except IntegrityError:  # something refers to a new record already: it is withdrawn instead
            _withdraw(ids, actor, as_provenance, current)
    changed = [e for e in events if e.action != "create"]
    restored = _restorations(changed, current)
    if restored:
        _restore(restored, changed)
    # The events of the records someone changed since stay, so that their history stays whole; the
    # provenance is renamed so that the next step does not read them again.
    db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_([e.id for e in events])))
    if kept:
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.provenance == provenance, AuditEvent.entity_id.in_([str(i) for i in kept]))
            .values(provenance=as_provenance)
        )
    return len(events) + len(kept)
