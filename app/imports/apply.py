"""Write a prepared import step by step: bulk inserts and updates, one audit event per record.

A large import is written in steps of `CHUNK` records, each in its own short transaction, so that no
write lock is held for long (SQLite has one for the whole database, and owners save their
questionnaires meanwhile). Each step first checks that the records it writes are as the plan saw
them; if not, the plan is stale and the caller takes back what the earlier steps wrote (`revert.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update

from app.audit import Actor
from app.audit import _plain as plain
from app.extensions import db
from app.imports.plan import INSERT_COLUMNS, NEW_COLUMNS, UPDATE_COLUMNS, Plan, Update
from app.models import AuditEvent, Enterprise
from app.models.base import today_local
from app.registry import history
from app.registry.services import AUDITED_FIELDS

HISTORY_KEPT = "_history"  # in an import's audit event: the record's spans before it, for its undo
CHUNK = 2500  # records per write transaction: about a quarter of a second of lock on SQLite
ENTERPRISE = Enterprise.__table__
AUDIT = AuditEvent.__table__
_CODE, _PERSONAL = NEW_COLUMNS.index("code"), NEW_COLUMNS.index("personal_id")


class StalePlan(Exception):
    """The registry changed after the plan was prepared: prepare again."""


def chunks(items: list, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def steps(plan: Plan) -> Iterator[tuple[str, list]]:
    """The plan's writes in steps: ("new", rows of INSERT_COLUMNS) then ("update", [Update])."""
    for rows in chunks(plan.new, CHUNK):
        yield "new", rows
    for updates in chunks(plan.updates, CHUNK):
        yield "update", updates


def audit_rows(actor: Actor, action: str, provenance: str, rows: Iterable[tuple[int, Any, Any]]) -> list[dict]:
    return [
        {
            "actor_id": actor.user_id,
            "actor_label": actor.label,
            "action": action,
            "entity_type": "enterprise",
            "entity_id": str(entity_id),
            "before": before,
            "after": after,
            "provenance": provenance,
        }
        for entity_id, before, after in rows
    ]


def write_audit(rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(AUDIT), rows)


def _check_fresh(kind: str, rows: list, watermark: int) -> None:
    """The step's records are as the plan saw them: no new record holds a code the plan thought free,
    no record it updates has changed since the plan was prepared."""
    if kind == "new":
        codes = [row[_CODE] for row in rows if row[_CODE]]
        personal = [row[_PERSONAL] for row in rows if row[_PERSONAL]]
        taken = select(Enterprise.id).where(or_(Enterprise.code.in_(codes), Enterprise.personal_id.in_(personal)))
    else:
        taken = select(AuditEvent.id).where(
            AuditEvent.id > watermark,
            AuditEvent.entity_type == "enterprise",
            AuditEvent.entity_id.in_([str(u.id) for u in rows]),
        )
    if db.session.scalar(taken.limit(1)) is not None:
        raise StalePlan


def apply_step(kind: str, rows: list, watermark: int, batch_id: int, actor: Actor) -> None:
    """Write one step of the plan (executes only; the caller commits, or rolls back)."""
    _check_fresh(kind, rows, watermark)
    provenance = f"import:{batch_id}"
    if kind == "new":
        _insert(rows, provenance, actor)
    else:
        _update(rows, provenance, actor)


def _insert(rows: list[tuple], provenance: str, actor: Actor) -> None:
    planned = [dict(zip(NEW_COLUMNS, row, strict=True)) for row in rows]
    chunk = [{c: values[c] for c in INSERT_COLUMNS} for values in planned]
    # A plain executemany, then the new ids by their public keys (unique): RETURNING in the order of
    # the rows would make SQLite insert them one statement each.
    db.session.execute(insert(ENTERPRISE), chunk)
    found = dict(
        db.session.execute(
            select(ENTERPRISE.c.public_key, ENTERPRISE.c.id).where(
                ENTERPRISE.c.public_key.in_([r["public_key"] for r in chunk])
            )
        ).all()
    )
    ids = [found[r["public_key"]] for r in chunk]
    history.seed(zip(ids, planned, strict=True), today_local())  # a record without a first registration: from today
    write_audit(
        audit_rows(
            actor,
            "create",
            provenance,
            (
                (new_id, None, {f: plain(values[f]) for f in AUDITED_FIELDS if values.get(f) is not None})
                for new_id, values in zip(ids, chunk, strict=True)
            ),
        )
    )


UPDATE_BY_ID = (
    update(ENTERPRISE)
    .where(ENTERPRISE.c.id == bindparam("b_id"))
    .values({c: bindparam(f"b_{c}") for c in UPDATE_COLUMNS})
)


def update_rows(updates: list[Update]) -> None:
    """Set every column of UPDATE_COLUMNS of each record to the values given (one bulk statement)."""
    db.session.execute(
        UPDATE_BY_ID,
        [{"b_id": u.id, **{f"b_{c}": v for c, v in zip(UPDATE_COLUMNS, u.values, strict=True)}} for u in updates],
    )


def _update(updates: list[Update], provenance: str, actor: Actor) -> None:
    update_rows(updates)
    kept = history.load(u.id for u in updates)  # the spans as they were: the undo puts them back exactly
    history.apply(((u.id, *u.dated) for u in updates if u.dated is not None), today_local())
    events = ((u.id, {**u.before, HISTORY_KEPT: history.as_kept(kept.get(u.id, []))}, u.after) for u in updates)
    write_audit(audit_rows(actor, "update", provenance, events))
