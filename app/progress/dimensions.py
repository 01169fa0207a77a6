"""What the indicators are broken down by, and the days they are computed as of.

Five dimensions: the commune (of the deployment's region), the VSIC section, the plan's priority
sectors (rules/priority_sectors.yaml, groups of VSIC prefixes; one enterprise may be in two), the
size tier and the legal form. Each is a column expression of the enterprise, so that one grouped
query gives every breakdown at once; the priority sectors are folded into one bit mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, literal, literal_column, or_, select

from app import rules
from app.dates import end_of, month_end, month_ends, months_before, series_days  # noqa: F401  (re-exported)
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import ALL_TIERS
from app.extensions import db
from app.i18n import localized
from app.labels import SIZE_TIERS, legal_form_label
from app.models import EnterprisePeriod as Span
from app.models import VsicSection
from app.models.values import EnterpriseStatus
from app.reference.services import communes_in_order
from app.registry.services import public_record

DIMENSIONS = ("commune", "section", "priority", "size", "legal_form")


@dataclass(frozen=True)
class PriorityGroup:
    key: str
    name_vi: str
    name_en: str
    prefixes: tuple[str, ...]


def priority_groups() -> list[PriorityGroup]:
    groups = rules.load("priority_sectors")["groups"]
    # Prefixes have 2 or 3 digits (its schema, rules/schemas/priority_sectors.schema.json): PREFIX_DIGITS.
    return [PriorityGroup(key, g["vi"], g["en"], tuple(g["prefixes"])) for key, g in groups.items()]


PREFIX_DIGITS = 3  # the longest prefix of a priority group (the schema's limit)


def groups_of_prefix(prefix: str | None) -> list[str]:
    """The priority groups a VSIC code's first three digits belong to (one code may be in two)."""
    prefix = prefix or ""
    return [g.key for g in priority_groups() if any(prefix.startswith(p) for p in g.prefixes)]


def columns() -> dict[str, ColumnElement]:
    """The dimension columns, labelled with their names, for a select of the records' spans of history
    (each record as it stood on the day: its commune, line of business, size and legal form then)."""
    return {
        "commune": Span.commune_code.label("commune"),
        "section": func.coalesce(Span.vsic_section, "").label("section"),
        "priority": func.substr(Span.main_vsic, 1, PREFIX_DIGITS).label("priority"),
        "size": Span.size_tier.label("size"),
        "legal_form": Span.legal_form.label("legal_form"),
    }


def keys_of(dimension: str, value) -> list[str]:
    """The breakdown keys a grouped dimension value counts under (a VSIC prefix: each of its groups)."""
    if dimension == "priority":
        return groups_of_prefix(value)
    return [str(value or "")]


def condition(dimension: str, key: str, column) -> ColumnElement[bool]:
    """The condition on a dimension column that selects one breakdown key (for the drill-down)."""
    if dimension == "priority":
        group = next((g for g in priority_groups() if g.key == key), None)
        return or_(*(column.like(f"{p}%") for p in group.prefixes)) if group else literal(False)
    return column == key


def not_an_index_key(column) -> ColumnElement:
    """The column, written so that SQLite does not pick an index for the condition on it ("+column").

    The indicators group whole tables by day; SQLite would otherwise follow the most selective index
    and look up every row, where the covering index of the query reads the index alone.
    """
    if db.engine.dialect.name != "sqlite":
        return column
    return literal_column(f"+{column.table.name}.{column.name}", type_=column.type)


def counted_record() -> ColumnElement[bool]:
    """The records any public figure counts, as they stood on the day: registry.services.public_record
    read on the span (in the directory then, in the deployment's region)."""
    return public_record(not_an_index_key(Span.record_state), not_an_index_key(Span.commune_code))


def active_on(day: date) -> ColumnElement[bool]:
    """The span of each record that holds on ``day``, where the record existed and was active then
    (its first registration on or before the day, not suspended or ceased on it). Dated facts only: a
    record added later, or a correction made later from a later day, never changes the figure."""
    return (
        (Span.valid_from <= day)
        & (Span.valid_to.is_(None) | (Span.valid_to > day))
        & (not_an_index_key(Span.status) == EnterpriseStatus.ACTIVE.value)
    )


# --- labels -------------------------------------------------------------------------------------


def labels(dimension: str) -> dict[str, str]:
    """Every key of a dimension with its label in the page's language, in display order."""
    if dimension == "commune":
        return {commune.code: commune.name for commune in communes_in_order()}
    if dimension == "section":
        rows = db.session.execute(
            select(VsicSection.code, VsicSection.name_vi, VsicSection.name_en).order_by(VsicSection.code)
        ).all()
        return {r.code: f"{r.code} · {localized(r.name_vi, r.name_en)}" for r in rows}
    if dimension == "priority":
        return {g.key: localized(g.name_vi, g.name_en) for g in priority_groups()}
    if dimension == "size":
        return {k: str(SIZE_TIERS[k]) for k in ALL_TIERS}

    return {k: str(legal_form_label(k)) for k in LEGAL_FORMS}
