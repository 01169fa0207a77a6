"""What the kinds of import beside the registry share: the enterprise a row names, and its cells."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

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
        _l("The 10-digit code (13 for a branch), or a household business's id as the directory shows it."),
        "4400123456",
    )


def enterprises_named(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The records the rows name, by their public key (an enterprise code in any spelling, or a
    household business's id as the directory shows it): {key as stored: id}. Records merged into
    another lead to the one kept."""
    keys = {canonical_key(cell.text(r.get("code"))) for r in rows if cell.text(r.get("code"))}
    found: dict[str, int] = {}
    listed = sorted(keys)
    for start in range(0, len(listed), 5000):
        query = select(Enterprise.public_key, Enterprise.id, Enterprise.merged_into_id).where(
            Enterprise.public_key.in_(listed[start : start + 5000])
        )
        for key, id_, merged_into in db.session.execute(query):
            found[key] = merged_into or id_
    return found


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
    """The enterprises' search text, which holds their products' names."""
    for enterprise in db.session.scalars(select(Enterprise).where(Enterprise.id.in_(sorted(owners)))):
        db.session.refresh(enterprise, ["products"])
        refresh_search_text(enterprise)
