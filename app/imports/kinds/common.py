"""What the kinds of import beside the registry share: the enterprise a row names, and its cells."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.codes import canonical_key
from app.extensions import db
from app.imports import cells as cell
from app.imports.kinds.engine import Row
from app.models import Enterprise
from app.registry.services import refresh_search_text

ENTERPRISE_COLUMN = ("ma_so_doanh_nghiep", ("code", "enterprise_code"))


def enterprise_guide(holds: Any = None) -> tuple[bool, Any, Any, str]:
    """The column guide's entry for the enterprise a row names (required, what it holds, what it takes)."""
    return (
        True,
        holds or _l("Enterprise code"),
        _l(
            "The 10-digit code (13 for a branch); a household business: its id as the directory shows it, "
            "or its head's 12-digit personal ID."
        ),
        "4400123456",
    )


def enterprises_named(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The records the rows name, by their public key (an enterprise code in any spelling, or a
    household business's id as the directory shows it) or, for a household business, the personal ID
    it is registered under (as the department's lists name it): {key as typed or stored: id}. Records
    merged into another lead to the one kept."""
    keys = {canonical_key(cell.text(r.get("code"))) for r in rows if cell.text(r.get("code"))}
    found: dict[str, int] = {}
    listed = sorted(keys)
    for start in range(0, len(listed), 5000):
        query = select(Enterprise.public_key, Enterprise.id, Enterprise.merged_into_id).where(
            Enterprise.public_key.in_(listed[start : start + 5000])
        )
        for key, id_, merged_into in db.session.execute(query):
            found[key] = merged_into or id_
    found.update(_households(keys - set(found)))
    return found


def _households(keys: set[str]) -> dict[str, int]:
    """The household businesses the keys name by a personal ID (12 digits, spaces or dots between; 11
    when a spreadsheet dropped its leading zero): the one record kept under each, none when two are."""
    personal = {}
    for key in keys:
        digits = re.sub(r"[\s.-]", "", key)
        if digits.isascii() and digits.isdigit() and len(digits) in (11, 12):
            personal[key] = digits.zfill(12)
    kept: dict[str, set[int]] = {}
    listed = sorted(set(personal.values()))
    for start in range(0, len(listed), 5000):
        query = select(Enterprise.personal_id, Enterprise.id, Enterprise.merged_into_id).where(
            Enterprise.personal_id.in_(listed[start : start + 5000])
        )
        for personal_id, id_, merged_into in db.session.execute(query):
            kept.setdefault(personal_id, set()).add(merged_into or id_)
    return {key: next(iter(kept[pid])) for key, pid in personal.items() if len(kept.get(pid, ())) == 1}


def read_enterprise(row: Row, cells: dict[str, Any], known: dict[str, int]) -> int | None:
    """The id of the record the row's code names, or None with the failure recorded."""
    typed = cell.text(cells.get("code"))
    if not typed:
        row.fail("code", "required", "")
        return None
    found = known.get(canonical_key(typed))
    if found is None:
        row.fail("code", "not_in_registry", typed)
    return found


def refresh_search(owners: set[int]) -> None:
    """The enterprises' search text, which holds their products' names: their products read in one
    query, and no flush before each enterprise (a kind's undo runs in one transaction: it holds
    SQLite's write lock meanwhile)."""
    db.session.flush()  # what is loaded is read again from the table
    query = (
        select(Enterprise)
        .where(Enterprise.id.in_(sorted(owners)))
        .options(selectinload(Enterprise.products))
        .execution_options(populate_existing=True)
    )
    with db.session.no_autoflush:
        for enterprise in db.session.scalars(query):
            refresh_search_text(enterprise)
