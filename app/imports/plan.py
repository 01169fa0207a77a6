"""Prepare an import: check every row, compare with the registry, compute what will be written.

Nothing is written here: the plan is applied later in one short transaction (``apply.py``).
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import func, or_, select

from app.audit import _plain as plain
from app.domain.legal_forms import SME_ELIGIBLE
from app.domain.sectors import sector_group
from app.domain.size import NOT_APPLICABLE, classify_size
from app.extensions import db
from app.imports.reading import HEADER_OF, Sheet, UnreadableRow
from app.imports.rows import UNREADABLE, RowCheck, check_row
from app.imports.sizes import too_big
from app.models import AuditEvent, Enterprise, Product
from app.models.base import today_local
from app.reference.communes import CommuneResolver
from app.registry import history
from app.registry.services import HISTORY_SOURCES, REGISTERED_FACTS, derive, new_household_public_id

IMPORTED = (
    *REGISTERED_FACTS,
    "email",
    "phone",
    "website",
    "status",
)
DERIVED = (
    "name_folded",
    "name_lower",
    "name_sort",
    "search_text",
    "vsic_section",
    "size_tier",
    "ceased_on",
    "resumes_on",
)
UPDATE_COLUMNS = (*IMPORTED, *DERIVED, "record_state")
INSERT_COLUMNS = ("public_key", "code", "personal_id", *UPDATE_COLUMNS, "provenance", "provenance_ref")
# A new record's row in the plan: its columns, then what its history reads beside them (a suspension
# already over when imported).
NEW_COLUMNS = (*INSERT_COLUMNS, "suspended_on", "suspended_until")
# The days the row gives for its status: compared with the record's like the imported facts.
STATUS_DAYS = ("ceased_on", "resumes_on")
SUSPENSION = ("suspended_on", "suspended_until")  # a suspension the row tells: read by the history only
CHUNK = 1000


@dataclass(slots=True)
class Update:
    id: int
    values: tuple  # every column of UPDATE_COLUMNS, in that order
    before: dict[str, Any]  # the audited values it changes, as they were
    after: dict[str, Any]
    # What the record's history reads before (None: its history is told again from what it is after)
    # and after (registry.services.HISTORY_SOURCES), and the day the changes took effect (None: the
    # day they are written).
    dated: tuple[dict[str, Any] | None, dict[str, Any], date | None] | None = None


class Packed:
    """A plan's rows kept compressed until they are written, a thousand at a time: the 100,000 new
    records of a large import hold about 15 MB instead of 100 (P7: the import's peak memory). Only
    this process reads them back, so pickle is safe here: nothing packed leaves it."""

    PACK = 1000

    def __init__(self) -> None:
        self._packs: list[bytes] = []
        self._open: list = []
        self._count = 0

    def append(self, row) -> None:
        self._open.append(row)
        self._count += 1
        if len(self._open) >= self.PACK:
            self._packs.append(zlib.compress(pickle.dumps(self._open, pickle.HIGHEST_PROTOCOL), 1))
            self._open = []

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator:
        for pack in self._packs:
            yield from pickle.loads(zlib.decompress(pack))
        yield from list(self._open)


UNDATED_NAMED = 20  # undated new rows the report names (it counts them all)


@dataclass
class Plan:
    total: int = 0
    new: Packed = field(default_factory=Packed)  # tuples of NEW_COLUMNS in order
    updates: Packed = field(default_factory=Packed)  # Update
    unchanged: int = 0
    rejected_rows: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)
    watermark: int = 0  # the last audit event seen while preparing: a later one means the plan is stale
    undated: int = 0  # new records without a first registration: counted from the day of the import
    undated_rows: list[dict[str, Any]] = field(default_factory=list)  # the first of them: row and key

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "rejected": self.rejected_rows,
            "held": len(self.held),
        }


def derived(values: dict[str, Any], section: str | None, product_names=()) -> dict[str, Any]:
    out = derive({**values, "product_names": product_names})
    if section and not out.get("main_vsic"):
        out["vsic_section"] = section
        out["size_tier"] = (
            classify_size(sector_group(section), out.get("employees"), out.get("revenue_vnd"), out.get("capital_vnd"))
            if out["legal_form"] in SME_ELIGIBLE
            else NOT_APPLICABLE
        )
    return out


def _numbered_rows(sheet: Sheet) -> Iterator[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {field: raw cell}) for each non-blank data row; the header is row 1."""
    for number, cells in enumerate(sheet.rows, start=2):
        if isinstance(cells, UnreadableRow):
            yield number, {UNREADABLE: cells.reason}
            continue
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            continue
        yield number, {f: c for f, c in zip(sheet.fields, cells, strict=False) if f is not None}


def _existing(rows: list[RowCheck]) -> dict[str, dict[str, Any]]:
    codes = [r.values["code"] for r in rows if r.values.get("code")]
    personal = [r.values["personal_id"] for r in rows if r.values.get("personal_id")]
    if not codes and not personal:
        return {}
    cols = [getattr(Enterprise, c) for c in dict.fromkeys((*IMPORTED, *HISTORY_SOURCES))]
    query = select(Enterprise.id, Enterprise.code, Enterprise.personal_id, *cols).where(
        or_(Enterprise.code.in_(codes), Enterprise.personal_id.in_(personal))
    )
    query = query.add_columns(Enterprise.merged_into_id)
    found = {}
    for row in db.session.execute(query).mappings():
        found[row["code"] or row["personal_id"]] = dict(row)
    revivable = _withdrawn_by_undo([r["id"] for r in found.values() if r["record_state"] == "withdrawn"])
    for record in found.values():
        record["revivable"] = record["id"] in revivable
    return found


def _withdrawn_by_undo(ids: list[int]) -> set[int]:
    """The withdrawn records whose latest change is the undo of an import: importing them again
    brings them back. Records the department took out, or merged into another, stay out."""
    if not ids:
        return set()
    latest = (
        select(AuditEvent.entity_id, func.max(AuditEvent.id).label("last"))
        .where(AuditEvent.entity_type == "enterprise", AuditEvent.entity_id.in_([str(i) for i in ids]))
        .group_by(AuditEvent.entity_id)
        .subquery()
    )
    query = (
        select(AuditEvent.entity_id)
        .join(latest, AuditEvent.id == latest.c.last)
        .where(AuditEvent.provenance.like("undo:%"))
    )
    return {int(entity_id) for entity_id in db.session.scalars(query)}


def product_names(ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    if ids:
        query = select(Product.enterprise_id, Product.name).where(Product.enterprise_id.in_(ids), Product.is_active)
        for enterprise_id, name in db.session.execute(query):
            names.setdefault(enterprise_id, []).append(name)
    return names


def _reject(plan: Plan, row: RowCheck, column: str, reason: str, value: str) -> None:
    plan.rejected_rows += 1
    name = (row.values.get("name") or "")[:300]
    plan.rejected.append({"row": row.number, "column": column, "reason": reason, "value": value, "name": name})


def _oversized(plan: Plan, row: RowCheck, values: dict[str, Any]) -> bool:
    """A derived form of the name (folded, lower-cased, sort key) longer than its column: a few scripts
    make it longer than the name itself (a Hangul syllable folds to two letters). Rejected, as the
    database would refuse it at commit (the row's own cells were checked in rows.py)."""
    for column, value in values.items():
        if (found := too_big(column, value)) is not None:
            _reject(plan, row, HEADER_OF.get(column, HEADER_OF["name"]), found[0], str(value)[:200])
            return True
    return False


def _compare(plan: Plan, checks: list[RowCheck], batch_id: int) -> None:
    existing = _existing(checks)
    reference = str(batch_id)  # one string for every row of the batch
    products = product_names([existing[r.key]["id"] for r in checks if r.key in existing])
    spans = history.load(existing[r.key]["id"] for r in checks if r.key in existing and r.values.get("suspended_on"))
    for row in checks:
        old = existing.get(row.key)
        if old is None:
            row.values["legal_form"] = row.values["legal_form"] or row.guessed_form
            if row.values["legal_form"] is None:
                _reject(plan, row, "loai_hinh", "legal_form_missing", "")
                continue
            values = derived(
                {k: v for k, v in row.values.items() if v is not None}
                | {"status": row.values.get("status") or "active"},
                row.section,
            )
            if _oversized(plan, row, values):
                continue
            values.update(
                public_key=row.values.get("code") or _household_key(),
                record_state="published",
                provenance="import",
                provenance_ref=reference,
            )
            plan.new.append(tuple(values.get(c) for c in NEW_COLUMNS))
            if values.get("founded_on") is None:
                plan.undated += 1
                if len(plan.undated_rows) < UNDATED_NAMED:
                    plan.undated_rows.append(
                        {"row": row.number, "key": values["public_key"], "name": values.get("name")}
                    )
            continue
        if old["record_state"] == "withdrawn" and not old["revivable"]:
            _reject(plan, row, "ma_so_doanh_nghiep", "merged" if old["merged_into_id"] else "withdrawn", row.key)
            continue
        changes = {k: v for k, v in row.values.items() if k in IMPORTED and v is not None and v != old[k]}
        if row.values.get("status") is not None:  # the days of a status the row gives
            changes |= {k: row.values[k] for k in STATUS_DAYS if row.values[k] not in (None, old[k])}
        resumed = row.values.get("resumed_on")
        if resumed is not None and old["status"] == "suspended" and row.values.get("status") in (None, "active"):
            changes["status"] = "active"  # the file tells the suspension ended: active again from that day
        since, until = row.values.get("suspended_on"), row.values.get("suspended_until")
        if since is not None and old["status"] == "active" and not _told(spans.get(old["id"], ()), since, until):
            changes |= {"suspended_on": since, "suspended_until": until}  # a suspension already over
        if row.section and not row.values.get("main_vsic") and old["vsic_section"] != row.section:
            changes.update(main_vsic=None, vsic_section=row.section)
        if old["record_state"] == "withdrawn":
            changes["record_state"] = "published"
        if not changes:
            plan.unchanged += 1
            continue
        written = {k: v for k, v in changes.items() if k in (*IMPORTED, *STATUS_DAYS)}
        merged = {k: old[k] for k in (*IMPORTED, *STATUS_DAYS)} | written
        values = derived(merged, changes.get("vsic_section"), products.get(old["id"], ()))
        if _oversized(plan, row, values):
            continue
        values["record_state"] = changes.get("record_state", old["record_state"])
        dated_before = {k: old[k] for k in HISTORY_SOURCES}
        dated_after = dated_before | {k: values[k] for k in HISTORY_SOURCES if k in values}
        for key in SUSPENSION:
            if key in changes:
                dated_after[key] = changes[key]
        if changes.get("status") == "active" and resumed is not None:
            dated_after["status_since"] = resumed
        effective_on = row.values.get("effective_on")
        if old["record_state"] == "withdrawn":  # brought back whole: its history as if never taken out
            dated_before = None
        after = {k: plain(v) for k, v in changes.items()}
        if effective_on is not None:
            after["effective_on"] = plain(effective_on)
        plan.updates.append(
            Update(
                old["id"],
                tuple(values[c] for c in UPDATE_COLUMNS),
                {k: plain(old.get(k)) for k in changes},
                after,
                (dated_before, dated_after, effective_on),
            )
        )


def _told(spans, since: date, until: date | None) -> bool:
    """Whether the record's history already holds the suspension the row tells."""
    return any(s["status"] == "suspended" and s["valid_from"] == since and s["valid_to"] == until for s in spans)


def _household_key() -> str:
    return new_household_public_id()


def build_plan(
    sheet: Sheet,
    batch_id: int,
    resolutions: dict[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> Plan:
    """Check every row and work out what committing would change (reads only)."""
    plan = Plan(watermark=db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))))
    resolver, today, resolutions = CommuneResolver(), today or today_local(), resolutions or {}
    seen: set[str] = set()
    rows = _numbered_rows(sheet)
    while chunk := list(islice(rows, CHUNK)):
        valid = []
        for number, cells in chunk:
            row = check_row(number, cells, resolver, today)
            plan.total += 1
            if row.key in seen:
                row.fail("code", "duplicate", row.key)
            elif row.key:
                seen.add(row.key)
            if row.errors:
                plan.rejected_rows += 1
                plan.rejected.extend(
                    {
                        "row": number,
                        "column": column,
                        "reason": reason,
                        "value": value,
                        "name": (row.values.get("name") or "")[:300],
                    }
                    for column, reason, value in row.errors
                )
            elif row.commune is not None and row.commune.is_held:
                choice = resolutions.get(number)
                if choice in row.commune.candidates:
                    row.values["commune_code"] = choice
                    valid.append(row)
                else:
                    plan.held.append(
                        {
                            "row": number,
                            "code": row.key,
                            "name": row.values["name"],
                            "commune": str(cells.get("commune_code") or cells.get("commune_name") or ""),
                            "candidates": [[c, resolver.names.get(c, c)] for c in row.commune.candidates],
                        }
                    )
            else:
                valid.append(row)
        _compare(plan, valid, batch_id)
        if progress:
            progress(len(chunk))
    return plan
