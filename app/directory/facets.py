"""Facets of a directory search: the values offered to narrow it, and how many matches each has.

Each facet is counted with every other filter applied but its own. Most searches count from the
bitmaps of app/directory/facet_index.py; `gather` is the SQL way, for what they do not serve: one
statement over the search's own conditions (app/directory/search.py) gives the capped count, the
page and every facet's counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal, select, union_all

from app.cache import reference_value
from app.directory import search
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import ALL_TIERS
from app.extensions import db
from app.models import Enterprise, LatestAssessment, Listing, Platform, Product, VsicSection
from app.reference.services import communes_in_order
from app.registry import certificates
from app.registry.fulltext import match_condition


def facet_values() -> dict[str, list[tuple[str, int | None]]]:
    """Every facet's values without counts: what a broad search offers to narrow it."""

    def read() -> dict[str, list[tuple[str, int | None]]]:
        return {
            "sector": [
                (code, None) for code in db.session.scalars(select(VsicSection.code).order_by(VsicSection.code))
            ],
            "commune": [(commune.code, None) for commune in communes_in_order()],
            "size": [(tier, None) for tier in ALL_TIERS],
            "legal_form": [(code, None) for code in LEGAL_FORMS],
            "digital": [("1", None)],
            "startup": [("1", None)],
            "products": [("1", None)],
            "platform": [(code, None) for code in platform_codes()],
            "level": [(str(level), None) for level in range(6)],
            "stage": [],
        }

    return reference_value(("facet_values",), read)


def commune_order() -> dict[str, int]:
    """Each commune's position in the Vietnamese order of the region's communes."""
    return reference_value(
        ("commune_order",), lambda: {commune.code: index for index, commune in enumerate(communes_in_order())}
    )


def platform_codes() -> list[str]:
    return reference_value(
        ("platforms",), lambda: db.session.scalars(select(Platform.code).order_by(Platform.code)).all()
    )


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


def active_facets(query: search.Query) -> list[str]:
    """The facets the query filters on."""
    return [facet for facet in FACETS if _active(query, facet)]


@dataclass
class Gathered:
    total: int  # capped at BROAD_LIMIT + 1
    page_ids: list[int]  # the requested page, in its order (meaningful when total <= BROAD_LIMIT)
    facets: dict[str, list[tuple[str, int | None]]]


# The columns of a set of matches: what the facets count and what the page is ordered by.
_SET_COLUMNS = (
    Enterprise.id,
    Enterprise.shows_readiness,
    Enterprise.verified_digital_tech.label("is_digital_tech"),  # the facets count verified labels only
    Enterprise.verified_startup.label("is_startup"),
    *GROUPED.values(),
    Enterprise.name_sort,
    Enterprise.name_lower,
    Enterprise.name_folded,
    Enterprise.founded_on,
    Enterprise.employees,
)


def gather(
    query: search.Query, plan: str = "index", with_facets: bool = True, uncounted: set[str] | frozenset = frozenset()
) -> Gathered:
    """The matches found once, in one statement: their count (capped at BROAD_LIMIT + 1), the
    requested page's ids and the count per facet value, each facet counted with every other filter
    applied but its own.

    The text's matches are read from the full-text index once (a materialised set every other set
    starts from). The matches are one materialised set, capped; every facet not filtered on is
    counted over it. A facet the query filters on is counted over its own set — the matches without
    that filter — capped too: a facet whose set reaches the cap, or is in `uncounted` (sampled as
    broad), lists its values without counts.
    """
    cap = search.BROAD_LIMIT + 1
    text_matches = None
    if plan == "index" and query.terms:
        found = select(Enterprise.id).where(match_condition(query.terms))
        text_matches = found.cte("text_matches").prefix_with("MATERIALIZED")

    def match_set(skip: str | None):
        conditions = search._conditions(query, skip, plan, text_matches)
        return (
            select(*_SET_COLUMNS)
            .where(*conditions)
            .limit(cap)
            .cte(f"matches_{skip or 'all'}")
            .prefix_with("MATERIALIZED")
        )

    matches = match_set(None)
    parts = [select(literal("#"), literal(""), func.count()).select_from(matches)]
    order = search._order(query, c=matches.c)
    ranked = (
        select(matches.c.id, func.row_number().over(order_by=order).label("n"))
        .order_by(*order)
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
        .subquery()
    )
    parts.append(select(literal("@"), cast(ranked.c.id, String), ranked.c.n))
    counted = [facet for facet in FACETS if facet not in uncounted] if with_facets else []
    sets = {None: matches}
    for facet in counted:
        if _active(query, facet):
            sets[facet] = match_set(facet)
            parts.append(select(literal("#" + facet), literal(""), func.count()).select_from(sets[facet]))
    parts += [_facet_part(facet, sets.get(facet, matches)) for facet in counted]
    rows = db.session.execute(union_all(*parts)).all()

    total, page, found_counts, sizes = 0, [], {facet: [] for facet in FACETS}, {}
    for facet, value, count in rows:
        if facet == "#":
            total = count
        elif facet == "@":
            page.append((count, int(value)))
        elif facet.startswith("#"):
            sizes[facet[1:]] = count
        elif value is not None and count:
            found_counts[facet].append((str(value), count))
    facets = {}
    if with_facets:
        facets = arrange(found_counts)
        values = facet_values()
        for facet in FACETS:
            if facet in uncounted or sizes.get(facet, 0) >= cap:
                facets[facet] = values[facet]
    return Gathered(total, [i for _n, i in sorted(page)], facets)


def arrange(found: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """Counted values in the order a page lists them."""
    facets = {facet: sorted(found[facet], key=lambda vc: (-vc[1], vc[0])) for facet in GROUPED}
    order = commune_order()
    facets["commune"] = sorted(found["commune"], key=lambda vc: order.get(vc[0], len(order)))
    for flag in ("digital", "startup", "products"):
        facets[flag] = [("1", sum(n for _v, n in found[flag]))]
    counted = dict(found["platform"])
    facets["platform"] = [(code, counted[code]) for code in platform_codes() if counted.get(code)]
    facets["level"] = sorted(found["level"], key=lambda vc: int(vc[0]))
    return {facet: facets[facet] for facet in FACETS}


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
