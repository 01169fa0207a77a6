"""Apply a prepared import in the caller's transaction: bulk inserts and updates, one audit event each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from app.audit import Actor
from app.audit import _plain as plain
from app.extensions import db
from app.imports.plan import INSERT_COLUMNS, UPDATE_COLUMNS, Plan
from app.models import AuditEvent, Enterprise
from app.registry.services import AUDITED_FIELDS

CHUNK = 2000
ENTERPRISE = Enterprise.__table__
AUDIT = AuditEvent.__table__


class StalePlan(Exception):
    """The registry changed after the plan was prepared: prepare again."""


def _chunks(items: list, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _audit_rows(actor: Actor, action: str, provenance: str, rows: Iterable[tuple[int, Any, Any]]) -> list[dict]:
    return [{"actor_id": actor.user_id, "actor_label": actor.label, "action": action, "entity_type": "enterprise",
             "entity_id": str(entity_id), "before": before, "after": after, "provenance": provenance}
            for entity_id, before, after in rows]


def _write_audit(rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(AUDIT), rows)


def apply_plan(plan: Plan, batch_id: int, actor: Actor, progress: Callable[[int], None] | None = None) -> None:
    """Write the plan (executes only; the caller commits, or rolls back and nothing is left behind)."""
    later = select(AuditEvent.id).where(AuditEvent.id > plan.watermark, AuditEvent.entity_type == "enterprise")
    if db.session.scalar(later.limit(1)) is not None:
        raise StalePlan
    provenance = f"import:{batch_id}"
    insert_new = insert(ENTERPRISE).returning(ENTERPRISE.c.id, sort_by_parameter_order=True)
    for rows in _chunks(plan.new, CHUNK):
        chunk = [dict(zip(INSERT_COLUMNS, row, strict=True)) for row in rows]
        ids = db.session.execute(insert_new, chunk).scalars().all()
        _write_audit(_audit_rows(actor, "create", provenance, (
            (new_id, None, {f: plain(values[f]) for f in AUDITED_FIELDS if values.get(f) is not None})
            for new_id, values in zip(ids, chunk, strict=True))))
        if progress:
            progress(len(chunk))
    change = (update(ENTERPRISE).where(ENTERPRISE.c.id == bindparam("b_id"))
              .values({c: bindparam(f"b_{c}") for c in UPDATE_COLUMNS}))
    for chunk in _chunks(plan.updates, CHUNK):
        db.session.execute(change, [{"b_id": u.id, **{f"b_{c}": v for c, v in zip(UPDATE_COLUMNS, u.values, strict=True)}}
                                    for u in chunk])
        _write_audit(_audit_rows(actor, "update", provenance, ((u.id, u.before, u.after) for u in chunk)))
        if progress:
            progress(len(chunk))
