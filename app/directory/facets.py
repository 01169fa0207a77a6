"""Facets of a directory search: the values offered to narrow it, and how many matches each has.

Counted over the search's own conditions (app/directory/search.py), each facet with every other
filter applied but its own.
"""

from __future__ import annotations

from sqlalchemy import String, cast, func, literal, select, union_all

from app.directory import search
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import ALL_TIERS
from app.extensions import db
from app.models import Enterprise, LatestAssessment, Listing, Platform, Product, VsicSection
from app.reference.services import communes_in_order
from app.registry import certificates


def facet_values() -> dict[str, list[tuple[str, int | None]]]:
    """Every facet's values without counts: what a broad search offers to narrow it."""

    return {
        "sector": [(code, None) for code in db.session.scalars(select(VsicSection.code).order_by(VsicSection.code))],
        "commune": [(commune.code, None) for commune in communes_in_order()],
        "size": [(tier, None) for tier in ALL_TIERS],
        "legal_form": [(code, None) for code in LEGAL_FORMS],
        "digital": [("1", None)],
        "startup": [("1", None)],
        "products": [("1", None)],
        "platform": [(code, None) for code in db.session.scalars(select(Platform.code).order_by(Platform.code))],
        "level": [(str(level), None) for level in range(6)],
        "stage": [],
    }


# Each facet is named after the query field that filters on it. Grouped facets count the matches
# per value of a column; the others count the matches having a property (or per platform, level).
GROUPED = {
    "sector": Enterprise.vsic_section,
    "commune": Enterprise.commune_code,
    "size": Enterprise.size_tier,
    "legal_form": Enterprise.legal_form,
    "stage": Enterprise.stage,
}
FACETS = ("sector", "commune", "size", "legal_form", "digital", "startup", "products", "platform", "level", "stage")


def _active(query: search.Query, facet: str) -> bool:
    value = getattr(query, facet)
    # Not `value not in ("", False)`: 0 == False in Python, and level 0 is a real filter.
    return value is not None and value != "" and value is not False


def facet_counts(query: search.Query, plan: str = "index") -> dict[str, list[tuple[str, int]]]:
    """Counts per facet value, each computed with every other filter applied but its own.

    The matches are gathered once into a materialised set (from the full-text index when the
    search is selective, so the cost follows the number of matches, not the registry's size) and
    every facet not filtered on is counted over that set, in one statement. A facet the query
    filters on is counted over its own set, the matches without that filter.
    """

    sets = {None: _match_set(query, None, plan)}
    for facet in FACETS:
        if _active(query, facet):
            sets[facet] = _match_set(query, facet, plan)
    parts = [_facet_part(facet, sets[facet if facet in sets else None]) for facet in FACETS]
    rows = db.session.execute(union_all(*parts)).all()
    found: dict[str, list[tuple[str, int]]] = {facet: [] for facet in FACETS}
    for facet, value, count in rows:
        if value is not None and count:
            found[facet].append((str(value), count))
    facets = {facet: sorted(found[facet], key=lambda vc: (-vc[1], vc[0])) for facet in GROUPED}
    order = {commune.code: index for index, commune in enumerate(communes_in_order())}
    facets["commune"] = sorted(found["commune"], key=lambda vc: order.get(vc[0], len(order)))
    for flag in ("digital", "startup", "products"):
        facets[flag] = [("1", sum(n for _v, n in found[flag]))]
    platforms = db.session.scalars(select(Platform.code).order_by(Platform.code)).all()
    counted = dict(found["platform"])
    facets["platform"] = [(code, counted[code]) for code in platforms if counted.get(code)]
    facets["level"] = sorted(found["level"], key=lambda vc: int(vc[0]))
    return {facet: facets[facet] for facet in FACETS}


def _match_set(query: search.Query, skip: str | None, plan: str):
    columns = [
        Enterprise.id,
        Enterprise.shows_readiness,
        Enterprise.is_digital_tech,
        Enterprise.is_startup,
        *GROUPED.values(),
    ]
    return (
        select(*columns)
        .where(*search._conditions(query, skip, plan))
        .cte(f"matches_{skip or 'all'}")
        .prefix_with("MATERIALIZED")
    )


def _facet_part(facet: str, matches):
    """SELECT facet, value, count over one match set."""
    name = literal(facet)
    m = matches.c
    if facet in GROUPED:
        column = m[GROUPED[facet].key]
        return select(name, column, func.count()).select_from(matches).group_by(column)
    if facet in ("digital", "startup"):
        flag = m.is_digital_tech if facet == "digital" else m.is_startup
        return select(name, literal("1"), func.count()).select_from(matches).where(flag.is_(True))
    if facet == "products":
        has = select(Product.id).where(Product.enterprise_id == m.id, certificates.certified_today()).exists()
        return select(name, literal("1"), func.count()).select_from(matches).where(has)
    if facet == "platform":
        sells = (
            select(Listing.platform_code.label("platform"), Product.enterprise_id.label("enterprise_id"))
            .join(Product, Product.id == Listing.product_id)
            .where(certificates.certified_today())
            .where(Product.enterprise_id.in_(select(m.id)))
            .distinct()
            .subquery()
        )
        return select(name, sells.c.platform, func.count()).group_by(sells.c.platform)
    level = cast(LatestAssessment.overall_level, String)  # one type per column of the UNION on PostgreSQL
    return (
        select(name, level, func.count())
        .select_from(matches)
        .join(LatestAssessment, LatestAssessment.enterprise_id == m.id)
        .where(m.shows_readiness.is_(True))
        .group_by(level)
    )
