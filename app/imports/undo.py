"""Undo a committed import whose records were not touched since: restore, or withdraw what it created."""

from __future__ import annotations

from datetime import date
from itertools import islice

from sqlalchemy import func, select

from app.audit import Actor
from app.extensions import db
from app.models import AuditEvent, Enterprise, ImportBatch
from app.registry import services as registry


class UndoRefused(Exception):
    def __init__(self, touched: list[str]):
        super().__init__("touched")
        self.touched = touched  # public keys of the records changed after the import


def _events(batch: ImportBatch) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.provenance == batch.provenance, AuditEvent.entity_type == "enterprise").order_by(AuditEvent.id)))


def touched_since(events: list[AuditEvent]) -> list[int]:
    """Ids of the enterprises that have an audit event later than the batch's own."""
    mine = {e.entity_id: e.id for e in events}
    keys, touched = list(mine), []
    for start in range(0, len(keys), 1000):
        part = keys[start:start + 1000]
        query = (select(AuditEvent.entity_id, func.max(AuditEvent.id))
                 .where(AuditEvent.entity_type == "enterprise", AuditEvent.entity_id.in_(part))
                 .group_by(AuditEvent.entity_id))
        touched += [int(entity_id) for entity_id, last in db.session.execute(query) if last > mine[entity_id]]
    return touched


def _restored(before: dict) -> dict:
    values = dict(before)
    if isinstance(values.get("founded_on"), str):
        values["founded_on"] = date.fromisoformat(values["founded_on"])
    return values


def undo_batch(batch: ImportBatch, actor: Actor) -> int:
    """Restore what the batch changed and withdraw what it created (flushes; the caller commits)."""
    events = _events(batch)
    touched = touched_since(events)
    if touched:
        keys = db.session.scalars(select(Enterprise.public_key).where(Enterprise.id.in_(touched[:20])))
        raise UndoRefused(list(keys))
    provenance = f"undo:{batch.id}"
    it = iter(events)
    while chunk := list(islice(it, 500)):
        found = {str(e.id): e for e in db.session.scalars(
            select(Enterprise).where(Enterprise.id.in_([int(ev.entity_id) for ev in chunk])))}
        for event in chunk:
            enterprise = found[event.entity_id]
            if event.action == "create":
                registry.update_enterprise(enterprise, actor, provenance, record_state="withdrawn")
                continue
            restore = _restored(event.before or {})
            section = restore.pop("vsic_section", None)
            registry.update_enterprise(enterprise, actor, provenance, **restore)
            if section and not enterprise.main_vsic:
                enterprise.vsic_section = section
            registry.refresh_search_text(enterprise)
    return len(events)
