"""Database side of the demo and scale data: region communes, complete rows, chunked Core inserts."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, delete, insert, select

from app import audit
from app.demo.composer import Commune
from app.demo.history import morning_of
from app.extensions import db
from app.models import AuditEvent, Enterprise, IndicatorSnapshot, LegacyCommune
from app.models import Commune as CommuneRow
from app.reference.services import region_communes
from app.registry import history
from app.registry.services import AUDITED_FIELDS

# Every enterprise column a draft may leave out, with the value the model would give it.
ENTERPRISE_DEFAULTS: dict[str, Any] = {
    "code": None,
    "personal_id": None,
    "address": None,
    "founded_on": None,
    "employees": None,
    "revenue_vnd": None,
    "capital_vnd": None,
    "is_digital_tech": False,
    "digital_tech_basis": None,
    "digital_tech_verification": "unverified",
    "digital_tech_verified_on": None,
    "is_startup": False,
    "startup_basis": None,
    "startup_verification": "unverified",
    "startup_verified_on": None,
    "ceased_on": None,
    "resumes_on": None,
    "description": None,
    "stage": None,
    "funding_sought_vnd": None,
    "website": None,
    "email": None,
    "phone": None,
    "status": "active",
    "record_state": "published",
    "shows_readiness": False,
    "provenance_ref": None,
    "verified_at": None,
}
_OLD_UNIT = re.compile(r"^(Xã|Phường|Thị trấn|Thị Trấn)\s+")


class EmptyRegion(LookupError):
    """The REGION_* settings select no commune: there is nowhere to put demo enterprises."""


def region() -> list[Commune]:
    """The configured region's communes, each with the names of the old communes it absorbed."""
    rows = db.session.execute(
        select(CommuneRow.code, CommuneRow.name).where(region_communes()).order_by(CommuneRow.code)
    ).all()
    if not rows:
        raise EmptyRegion("No commune matches REGION_PROVINCE_CODE and REGION_FORMER_PROVINCE.")
    old: dict[str, list[str]] = defaultdict(list)
    for new_code, old_name in db.session.execute(
        select(LegacyCommune.new_code, LegacyCommune.old_name).order_by(LegacyCommune.id)
    ):
        short = _OLD_UNIT.sub("", old_name)
        if not short.isdigit():  # "Phường 1" names no place
            old[new_code].append(short)
    return [Commune(code, name, tuple(dict.fromkeys(old[code]))) for code, name in rows]


def enterprise_row(fields: dict[str, Any], provenance: str, now: datetime) -> dict[str, Any]:
    """A full row for a Core insert: every row of one executemany must carry the same keys."""
    return {
        **ENTERPRISE_DEFAULTS,
        **fields,
        "provenance": provenance,
        "created_at": now,
        "updated_at": now,
    }


def insert_rows(table, rows: Sequence[dict[str, Any]], chunk: int = 10_000) -> None:
    """Insert plain rows in the current transaction: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    if db.session.get_bind().dialect.name == "postgresql" and not any(isinstance(c.type, JSON) for c in table.columns):
        _copy(table, rows)
        return
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(table), rows[start : start + chunk])


def _copy(table, rows: Sequence[dict[str, Any]]) -> None:
    # COPY is several times faster than batched INSERTs; psycopg adapts dates, booleans and NULLs.
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def insert_returning_ids(table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert and return the new ids in the order of ``rows``."""
    if not rows:
        return []
    result = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def ids_by_public_key(keys: Iterable[str]) -> dict[str, int]:
    keys = list(keys)
    found: dict[str, int] = {}
    for start in range(0, len(keys), 5_000):
        part = keys[start : start + 5_000]
        rows = db.session.execute(select(Enterprise.public_key, Enterprise.id).where(Enterprise.public_key.in_(part)))
        found.update((key, id_) for key, id_ in rows)
    return found


def taken_keys(keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` already used as a public key."""
    return set(ids_by_public_key(keys))


def audit_rows(
    rows: Sequence[dict[str, Any]], ids: Sequence[int], actor: audit.Actor, provenance: str
) -> list[dict[str, Any]]:
    """The history of each record as the audit trail would hold it, on the days it happened.

    A "create" on the day the record entered the registry (active, labels not yet verified unless
    they were that day), then an "update" on the day each label was verified and the day the
    record ceased, so that the trail agrees with the dated columns the indicators read.
    """
    events = []
    for row, id_ in zip(rows, ids, strict=True):
        registered = row["registered_on"]
        changes: list[tuple[date, dict[str, Any]]] = []
        for label in ("digital_tech", "startup"):
            day = row[f"{label}_verified_on"]
            if day is not None and day > registered:
                changes.append((day, {f"{label}_verification": "verified", f"{label}_verified_on": day}))
        if row["ceased_on"] is not None:
            changes.append((row["ceased_on"], {"status": row["status"], "ceased_on": row["ceased_on"]}))
        state = dict(row)
        for _, change in changes:
            state.update({k: ("unverified" if k.endswith("_verification") else None) for k in change})
        state["status"] = "active"
        before = audit.snapshot(SimpleNamespace(**state), AUDITED_FIELDS)
        events.append(_event(actor, "create", id_, None, before, provenance, morning_of(registered)))
        for day, change in sorted(changes, key=lambda c: c[0]):
            after = {**before, **audit.snapshot(SimpleNamespace(**change), tuple(change))}
            diff = sorted(k for k in after if after[k] != before[k])
            events.append(
                _event(
                    actor,
                    "update",
                    id_,
                    {k: before[k] for k in diff},
                    {k: after[k] for k in diff},
                    provenance,
                    morning_of(day),
                )
            )
            before = after
    return events


def _event(actor: audit.Actor, action: str, id_: int, before, after, provenance: str, at: datetime) -> dict[str, Any]:
    return {
        "occurred_at": at,
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "action": action,
        "entity_type": "enterprise",
        "entity_id": str(id_),
        "before": before,
        "after": after,
        "provenance": provenance,
    }


def insert_audit(rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(AuditEvent.__table__, rows)


def forget_progress_snapshots() -> None:
    """Drop the stored indicator figures: records dated in the past were added, so figures already
    stored for past days no longer hold (pages compute them again; `flask progress rebuild` too)."""
    db.session.execute(delete(IndicatorSnapshot))


def insert_history(rows: Sequence[dict[str, Any]], ids: Sequence[int], today: date) -> None:
    """The dated history of each new record's counted facts (app/registry/history.py), as its row tells it."""
    insert_rows(
        history.PERIOD,
        [
            {"enterprise_id": id_, **span}
            for row, id_ in zip(rows, ids, strict=True)
            for span in history.timeline(row, today)
        ],
    )
