"""Database side of the demo and scale data: region communes, complete rows, chunked Core inserts."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, delete, insert, select

from app.demo.composer import Commune
from app.extensions import db
from app.models import AuditEvent, Enterprise, IndicatorSnapshot, LegacyCommune
from app.models import Commune as CommuneRow
from app.reference.services import region_communes
from app.registry import history

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
