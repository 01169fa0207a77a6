"""Import of the labels T6 counts: a digital-technology enterprise (Law 71/2025 Art. 3(5)) or an
innovative startup (Law 04/2017 Art. 3(2)), each with the basis the department decided on and the
day it verified it.

A row grants one label to one record of the registry. The label counts from its verification day
in every figure (the record's history, app/registry/history.py, holds it from then); the undo of a
file takes the labels it granted back from those days, as if they had never been granted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.imports import cells as cell
from app.imports.kinds.common import ENTERPRISE_COLUMN, enterprises_named, read_enterprise
from app.imports.kinds.engine import Row
from app.models import Enterprise
from app.models.base import today_local
from app.models.values import Verification
from app.registry import history
from app.registry.services import HISTORY_SOURCES
from app.text import fold, normalize

COLUMNS: dict[str, tuple[str, str]] = dict(
    [
        ENTERPRISE_COLUMN,
        ("nhan", ("label", "label")),
        ("can_cu", ("basis", "basis")),
        ("ngay_xac_minh", ("verified_on", "verified_on")),
    ]
)
NEEDED = (("code",), ("label",), ("basis",))
GUIDE: dict[str, tuple[bool, Any, Any, str]] = {
    "ma_so_doanh_nghiep": (
        True,
        _l("Enterprise code"),
        _l("The 10-digit code of an enterprise or cooperative of the registry."),
        "4400123456",
    ),
    "nhan": (
        True,
        _l("Label"),
        _l("Công nghệ số (digital technology) or Khởi nghiệp sáng tạo (innovative startup)."),
        "Công nghệ số",
    ),
    "can_cu": (
        True,
        _l("Basis of the decision"),
        _l("What the department verified: a certificate, a decision, the main line of business and revenue."),
        "VSIC 6201; doanh thu phần mềm trên 50%",
    ),
    "ngay_xac_minh": (
        False,
        _l("Day the department verified it"),
        _l("dd/mm/yyyy, not in the future: the label counts from this day. Blank: the day of the import."),
        "15/09/2024",
    ),
}
LABELS = {
    "cong nghe so": "digital_tech",
    "doanh nghiep cong nghe so": "digital_tech",
    "cns": "digital_tech",
    "dncns": "digital_tech",
    "digital technology": "digital_tech",
    "digital tech": "digital_tech",
    "khoi nghiep sang tao": "startup",
    "doanh nghiep khoi nghiep sang tao": "startup",
    "khoi nghiep": "startup",
    "knst": "startup",
    "startup": "startup",
    "innovative startup": "startup",
}
FLAGS = ("digital_tech", "startup")


def parse_label(value: Any) -> str | None:
    key = fold(cell.text(value))
    if not key:
        return None
    if key not in LABELS:
        raise cell.CellError("bad_label")
    return LABELS[key]


def _columns(flag: str) -> tuple[str, ...]:
    return (f"is_{flag}", f"{flag}_basis", f"{flag}_verification", f"{flag}_verified_on")


class LabelRules:
    entity_type = "enterprise"
    table = Enterprise.__table__
    compared = tuple(c for flag in FLAGS for c in _columns(flag))

    def prepare(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        return enterprises_named(rows)

    def check(self, row: Row, cells: dict[str, Any], context: dict[str, int], today: date) -> None:
        v = row.values
        v["id"] = read_enterprise(row, cells, context)
        flag = row.read("label", parse_label, cells.get("label"))
        if flag is None and cell.text(cells.get("label")) == "":
            row.fail("label", "required", "")
        basis = normalize(cell.text(cells.get("basis")))[:1000] or None
        if basis is None:
            row.fail("basis", "required", "")
        # Blank: kept as the record has it (a second run on a later day changes nothing), today for a new label.
        day = row.read("verified_on", lambda x: cell.parse_date(x, today), cells.get("verified_on"))
        if flag is not None:
            is_, basis_column, verification, verified_on = _columns(flag)
            v.update({is_: True, basis_column: basis, verification: Verification.VERIFIED.value, verified_on: day})

    def identity(self, values: dict[str, Any]) -> tuple:
        return (values["id"], values["label"])

    def existing(self, identities: list[tuple]) -> dict[tuple, dict[str, Any]]:
        ids = sorted({i[0] for i in identities})
        rows = {}
        for start in range(0, len(ids), 5000):
            query = select(Enterprise.id, *(Enterprise.__table__.c[c] for c in self.compared)).where(
                Enterprise.id.in_(ids[start : start + 5000])
            )
            rows.update({r["id"]: dict(r) for r in db.session.execute(query).mappings()})
        return {i: rows[i[0]] for i in identities if i[0] in rows}

    def new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("a label is given to a record of the registry, never a new one")  # existing() finds each

    def changed(self, records: list[tuple[int, dict[str, Any], dict[str, Any]]]) -> None:
        """The records' history: a label granted counts from its verification day; one taken back by
        an undo goes from the day it had been verified, as if never granted."""
        today = today_local()
        ids = sorted({r[0] for r in records})
        for flag in FLAGS:  # a label granted by a row without its day: verified today
            db.session.execute(
                update(Enterprise)
                .where(
                    Enterprise.id.in_(ids),
                    getattr(Enterprise, f"{flag}_verification") == Verification.VERIFIED,
                    getattr(Enterprise, f"{flag}_verified_on").is_(None),
                )
                .values({f"{flag}_verified_on": today})
            )
            db.session.execute(  # one no longer verified (an undo) carries no day, as derive_dates keeps it
                update(Enterprise)
                .where(Enterprise.id.in_(ids), getattr(Enterprise, f"{flag}_verification") != Verification.VERIFIED)
                .values({f"{flag}_verified_on": None})
            )
        columns = [getattr(Enterprise, c) for c in HISTORY_SOURCES]
        current = {
            r["id"]: dict(r)
            for r in db.session.execute(select(Enterprise.id, *columns).where(Enterprise.id.in_(ids))).mappings()
        }
        moves = []
        for id_, before, _after in records:
            now = {k: current[id_][k] for k in HISTORY_SOURCES}
            then = {**now, **{k: _day(v) for k, v in before.items() if k in now}}
            was, is_now = history.facts_of(then), history.facts_of(now)
            taken_back = [
                then[f"{flag}_verified_on"]
                for flag, key in zip(FLAGS, ("tech", "startup"), strict=True)
                if was[key] and not is_now[key]
            ]
            moves.append((id_, then, now, min((d for d in taken_back if d), default=None)))
        history.apply(moves, today)

    def owners(self, ids: list[int]) -> set[int]:
        return set(ids)

    def refresh(self, owners: set[int]) -> None:
        """Nothing follows from a label but the history (``changed``)."""

    def describe(self, ids: list[int]) -> list[str]:
        query = select(Enterprise.public_key, Enterprise.name).where(Enterprise.id.in_(ids[:20]))
        return [f"{key} · {name}" for key, name in db.session.execute(query)]


def _day(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 and value[4] == "-" else value


RULES = LabelRules()
