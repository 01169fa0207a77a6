"""Directory search: one query object, its conditions, its results.

Text matching runs on the folded `search_text` (name, products, commune, description, declared
solutions) through the engine's full-text index (FTS5 on SQLite, a GIN tsvector index on
PostgreSQL): every term must match a word, the last one as a prefix. Both engines tokenise the
folded text the same way, so they return the same enterprises. A search finds its matches once:
each worker holds the listed registry's words, facet values and orders as bitmaps
(app/directory/facet_index.py, text_index.py), so the total, the facet counts, the page and an
export come from intersections and stored orders, checked by the tests against SQL. What the
bitmaps cannot serve ("founded since", or while they are built) is one SQL statement
(facets.gather); there a text that matches most of the registry is tested on each row
(app/directory/planning.py) in the order shown, so that a page and its capped total stop early.
Ordering is defined in SQL on stored columns (`_order`), and the bitmaps follow the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple, dataclass, fields, replace
from datetime import date

import numpy as np
from sqlalchemy import and_, case, func, literal, select, true
from sqlalchemy.sql import ColumnElement

from app.cache import memoized, reference_value
from app.directory import facet_index, index_service
from app.directory import facets as facet_lists
from app.directory.planning import SURELY_BROAD, estimate_for, plan_for
from app.domain.codes import CodeError, looks_like_enterprise_code, validate_enterprise_code
from app.extensions import db
from app.models import Commune, Enterprise, LatestAssessment, Listing, Platform, Product, VsicSection
from app.reference.services import region_communes
from app.registry import certificates
from app.registry.fulltext import contains, match_condition, words_condition
from app.registry.services import public_record
from app.search_text import query_terms
from app.text import normalize

PER_PAGE_CHOICES = (20, 50, 100)
MAX_DEPTH = 2000  # results reachable by paging; narrow the search to see others
# Above this many matches, facet counts and relevance ranking would scan most of the registry on
# every request (SPEC §6, known traps): the facets then list their values without counts, and a
# relevance order falls back to the name order, which an index serves.
BROAD_LIMIT = 50_000
SORTS = ("relevance", "name", "newest", "size")
# Largest first; a range of tiers (a figure missing) after the largest tier it may be.
SIZE_ORDER = {
    "large": 0,
    "medium": 1,
    "small_medium": 2,
    "sme": 3,
    "small": 4,
    "micro_small": 5,
    "micro": 6,
    "unknown": 7,
    "not_applicable": 8,
}


@dataclass(frozen=True)
class Query:
    q: str = ""
    sector: str = ""
    commune: str = ""
    size: str = ""
    legal_form: str = ""
    digital: bool = False
    startup: bool = False
    products: bool = False
    platform: str = ""
    level: int | None = None
    since: int | None = None  # founded in this year or later
    stage: str = ""  # self-declared startup stage
    seeking: bool = False  # looking for funding
    tech_or_startup: bool = False  # the investors' view: digital-technology firms and startups only
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    @classmethod
    def from_args(cls, args) -> Query:
        """Read a query from URL parameters; anything malformed falls back to its default."""

        def flag(name: str) -> bool:
            return args.get(name, "") in ("1", "true", "on", "yes")

        def number(name: str, default: int | None) -> int | None:
            value = args.get(name, "")
            return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else default

        per_page = number("per_page", 20)
        sort = args.get("sort", "relevance")
        return cls(
            q=normalize(args.get("q", ""))[:200],
            sector=args.get("sector", "")[:1].upper(),
            commune=args.get("commune", "")[:5],
            size=args.get("size", "")[:20],
            legal_form=args.get("legal_form", "")[:20],
            digital=flag("digital"),
            startup=flag("startup"),
            products=flag("products"),
            platform=args.get("platform", "")[:20],
            level=number("level", None),
            since=number("since", None),
            stage=args.get("stage", "")[:20],
            seeking=flag("seeking"),
            sort=sort if sort in SORTS else "relevance",
            page=max(1, number("page", 1) or 1),
            per_page=per_page if per_page in PER_PAGE_CHOICES else 20,
        )

    def as_args(self, **changes) -> dict[str, str]:
        """URL parameters for this query (with changes), defaults left out, so URLs stay short."""
        # Called for every facet link of a page: plain attribute reads, no asdict() deep copies.
        out = {}
        for key, default in _DEFAULTS.items():
            value = changes[key] if key in changes else getattr(self, key)
            if key == "tech_or_startup" or value == default or value in ("", None, False):
                continue
            out[key] = "1" if value is True else str(value)
        return out

    @property
    def code(self) -> str | None:
        """The stored form of an enterprise code typed as the query (any spelling), if it is one."""
        return code_in_query(self.q)

    @property
    def terms(self) -> list[str]:
        """The folded words searched for; none when the query is an enterprise code (it selects one record)."""
        return [] if self.code else query_terms(self.q)


_DEFAULTS = {f.name: f.default for f in fields(Query)}


def code_in_query(q: str) -> str | None:
    """The stored form of an enterprise code typed in the search box, if it is one."""
    if not looks_like_enterprise_code(q):
        return None
    try:
        return validate_enterprise_code(q).value
    except CodeError:
        return None


def listed() -> list[ColumnElement[bool]]:
    """What the directory lists: public records of enterprises not dissolved."""
    return [public_record(), Enterprise.status != "dissolved"]


def _conditions(
    query: Query, skip: str | None = None, plan: str = "index", text_matches=None
) -> list[ColumnElement[bool]]:
    """The query's conditions (but the facet `skip`); the text through the index, by testing the
    words on each row ("scan"), or through `text_matches`, a set of the text's matches (an "id" column)."""
    conditions = listed()
    if query.code:
        conditions.append(Enterprise.public_key == query.code)
    elif query.terms and text_matches is not None:
        conditions.append(Enterprise.id.in_(select(text_matches.c.id)))
    elif query.terms:
        conditions.append(words_condition(query.terms) if plan == "scan" else match_condition(query.terms))
    if query.sector and skip != "sector":
        conditions.append(Enterprise.vsic_section == query.sector)
    if query.commune and skip != "commune":
        conditions.append(Enterprise.commune_code == query.commune)
    if query.size and skip != "size":
        conditions.append(Enterprise.size_tier == query.size)
    if query.legal_form and skip != "legal_form":
        conditions.append(Enterprise.legal_form == query.legal_form)
    if query.digital and skip != "digital":  # a label counts once the department verified it
        conditions.append(Enterprise.verified_digital_tech)
    if query.startup and skip != "startup":
        conditions.append(Enterprise.verified_startup)
    if query.products and skip != "products":
        conditions.append(_has_products())
    if query.platform and skip != "platform":
        conditions.append(_sells_on(query.platform))
    if query.tech_or_startup:  # the investors' view: firms whose label the department verified
        conditions.append(Enterprise.verified_digital_tech | Enterprise.verified_startup)
    if query.since is not None and skip != "since":
        conditions.append(Enterprise.founded_on >= date(max(1900, min(query.since, 9999)), 1, 1))
    if query.stage and skip != "stage":
        conditions.append(Enterprise.stage == query.stage)
    if query.seeking and skip != "seeking":
        conditions.append(Enterprise.funding_sought_vnd > 0)
    if query.level is not None and skip != "level":
        conditions.append(Enterprise.shows_readiness.is_(True))
        conditions.append(
            Enterprise.id.in_(
                select(LatestAssessment.enterprise_id).where(LatestAssessment.overall_level == query.level)
            )
        )
    return conditions


# Uncorrelated IN subqueries: evaluated once per statement, not once per enterprise.
def _has_products() -> ColumnElement[bool]:
    """Enterprises with a product whose certificate counts today (verified, valid)."""
    return Enterprise.id.in_(select(Product.enterprise_id).where(certificates.certified_today()))


def _sells_on(platform: str) -> ColumnElement[bool]:
    return Enterprise.id.in_(
        select(Product.enterprise_id)
        .join(Listing, Listing.product_id == Product.id)
        .where(certificates.certified_today(), Listing.platform_code == platform)
    )


def _order(query: Query, broad: bool = False, c=Enterprise) -> list:
    """The page's order, on the enterprise's columns or on those of a set of matches (`c`)."""
    by_name = [c.name_sort, c.id]  # byte order (the column's collation): its index serves it
    if query.sort == "name" or (query.sort == "relevance" and (not query.terms or broad)):
        return by_name
    if query.sort == "newest":
        return [c.founded_on.desc().nulls_last(), c.id.desc()]
    if query.sort == "size":
        size_rank = case(SIZE_ORDER, value=c.size_tier, else_=9)
        return [size_rank, c.employees.desc().nulls_last(), *by_name]
    # The words as typed, diacritics and all, each starting a word of the name; then every folded
    # term starting a word of the name, before matches in the products, the commune, the
    # description or the declared solutions; then names whose first word starts with the first term.
    # The worker's bitmaps rank the same tiers (facet_index.relevance_page).
    lowered = literal(" ") + c.name_lower
    exact = case((and_(true(), *(contains(lowered, f" {w}") for w in query.q.lower().split())), 0), else_=1)
    padded = literal(" ") + c.name_folded
    in_name = case((and_(true(), *(contains(padded, f" {t}") for t in query.terms)), 0), else_=1)
    starts = case((c.name_folded.like(f"{query.terms[0]}%"), 0), else_=1)
    return [exact, in_name, starts, *by_name]


@dataclass
class Results:
    query: Query
    total: int  # capped: BROAD_LIMIT + 1 stands for "more than BROAD_LIMIT"
    items: list[Enterprise]
    facets: dict[str, list[tuple[str, int | None]]]
    max_page: int
    broad: bool = False  # more than count_limit matches: total is not exact, facets have no counts
    count_limit: int = BROAD_LIMIT  # a broad search has "more than count_limit" matches

    @property
    def total_is_exact(self) -> bool:
        return not self.broad


def run(query: Query, with_facets: bool = True) -> Results:
    """Find the matches once. Where the worker holds the registry in memory (app/directory/facet_index.py),
    the text's matches, the filters' and their intersections are bitmaps: the count and every facet's
    count are exact however broad the search, and a page walks a stored order or the relevance
    tiers in name order. Otherwise one SQL statement over one set (facets.gather),
    started from the most selective condition (plan_for), gives the capped count, the page and the
    facet counts; a search sampled as broad counts no further than BROAD_LIMIT + 1 and lists the
    facets' values without counts. The count and the facets are kept per registry version
    (VALUE_CACHE_ENTRIES); the page is read afresh then."""
    fresh: dict[str, object] = {}

    def count() -> tuple[int, dict]:
        index = _index_for(query)
        if index is not None:
            counted = facet_index.count(query, index, *_text_of(query, index), with_facets=with_facets)
            fresh["matches"] = (index, counted)
            if counted.total <= BROAD_LIMIT:
                return counted.total, counted.facets
            return BROAD_LIMIT + 1, facet_lists.facet_values() if with_facets else {}
        estimate = estimate_for(query)
        plan = plan_for(query, estimate)
        if estimate is not None and estimate.all > SURELY_BROAD * BROAD_LIMIT:  # no need to count to the limit
            return BROAD_LIMIT + 1, facet_lists.facet_values() if with_facets else {}
        if estimate is None or estimate.all <= BROAD_LIMIT:
            skip = {facet for facet, n in (estimate.without.items() if estimate else ()) if n > BROAD_LIMIT}
            found = facet_lists.gather(query, plan, with_facets, uncounted=skip)
            if found.total <= BROAD_LIMIT:  # the set was complete: its page and counts hold
                fresh["page"] = found.page_ids
                return found.total, found.facets
            total = found.total
        else:
            total = capped_count(query, plan)
        return total, facet_lists.facet_values() if with_facets else {}

    total, facets = memoized(("search", _filter_key(query), with_facets), count)
    broad = total > BROAD_LIMIT
    max_page = _max_page(total, query.per_page)
    page = replace(query, page=min(query.page, max_page))
    if not fresh and (index := _index_for(query)) is not None:  # counted before: the bitmaps cost little
        fresh["matches"] = (index, facet_index.count(query, index, *_text_of(query, index), with_facets=False))
    if "page" in fresh and page == query:
        items = _load(fresh["page"])
    elif "matches" in fresh:
        index, matches = fresh["matches"]
        order, offset = facet_index.order_of(page, broad), (page.page - 1) * page.per_page
        if order is not None:
            items = _load(facet_index.page_of(index, matches, order, offset, page.per_page))
        else:  # by relevance: its tiers are bitmaps too
            items = _load(facet_index.relevance_page(index, matches, page, offset, page.per_page))
    else:
        items = _page(page, plan_for(query), broad)
    return Results(page, total, items, facets, max_page, broad, BROAD_LIMIT)


def _index_for(query: Query) -> facet_index.View | None:
    """The machine's index and the changes since (index_service.py), if it serves the query."""
    return index_service.current() if facet_index.serves(query) else None


def _text_of(query: Query, view: facet_index.View) -> tuple[facet_index.Matches | None, set[int] | None]:
    """What the text (or the enterprise code) selects in the build, None when the query has neither;
    and the ids an enterprise code names (None when it is no code)."""
    size = view.index.size
    if query.code:
        found = set(db.session.scalars(select(Enterprise.id).where(Enterprise.public_key == query.code)))
        return np.array(sorted(i for i in found if i < size), dtype=np.int64), found
    return (view.index.text(query.terms) if query.terms else None), None


def _filter_key(query: Query) -> tuple:
    """What decides the matches (not their order or page): the key of cached totals and facets."""
    return astuple(replace(query, sort="", page=1, per_page=20))


def _max_page(total: int, per_page: int) -> int:
    return max(1, -(-min(total, MAX_DEPTH) // per_page))


def _page(query: Query, plan: str, broad: bool) -> list[Enterprise]:
    """A page of the matches, found by their conditions in SQL (when the bitmaps cannot serve it)."""
    statement = (
        select(Enterprise)
        .where(*_conditions(query, plan=plan))
        .order_by(*_order(query, broad))
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    )
    return list(db.session.scalars(statement))


def _load(ids: list[int]) -> list[Enterprise]:
    """The enterprises of a page, in the page's order, read by primary key (listed ones only)."""
    if not ids:
        return []
    found = {e.id: e for e in db.session.scalars(select(Enterprise).where(Enterprise.id.in_(ids), *listed()))}
    return [found[i] for i in ids if i in found]


def capped_count(query: Query, plan: str = "index") -> int:
    """How many enterprises match, counting no further than BROAD_LIMIT + 1 (a broad search
    shows "more than BROAD_LIMIT"): the count stops once it knows that, instead of reading every match."""
    matches = select(Enterprise.id).where(*_conditions(query, plan=plan)).limit(BROAD_LIMIT + 1)
    return db.session.scalar(select(func.count()).select_from(matches.subquery()))


def labels() -> dict[str, dict]:
    """What a results page names codes with — the region's communes, the sectors, the platforms —
    as plain rows (attribute access like the models), read once per registry version."""

    def read() -> dict[str, dict]:
        return {
            "communes": {
                r.code: r
                for r in db.session.execute(
                    select(Commune.code, Commune.name, Commune.former_province).where(region_communes())
                )
            },
            "sections": {
                r.code: r
                for r in db.session.execute(select(VsicSection.code, VsicSection.name_vi, VsicSection.name_en))
            },
            "platforms": {r.code: r for r in db.session.execute(select(Platform.code, Platform.name))},
        }

    return reference_value(("labels",), read)


def export_rows(query: Query, limit: int | None) -> Iterator[Enterprise]:
    """Every enterprise of the query (limit None: no cap), in the order its pages show, streamed. From
    the worker's bitmaps the ids come in order at once and the rows are read EXPORT_CHUNK at a time,
    so the first row leaves within milliseconds however broad the query; otherwise one SQL statement."""
    index = _index_for(query)
    if index is None:
        statement = select(Enterprise).where(*_conditions(query)).order_by(*_order(query))
        if limit is not None:
            statement = statement.limit(limit)
        yield from db.session.scalars(statement.execution_options(yield_per=EXPORT_CHUNK))
        return
    matches = facet_index.count(query, index, *_text_of(query, index), with_facets=False)
    number = matches.total
    wanted = number if limit is None else min(limit, number)
    order = facet_index.order_of(query, number > BROAD_LIMIT)
    if order is not None:
        ids = facet_index.page_of(index, matches, order, 0, wanted)
    else:
        ids = facet_index.relevance_page(index, matches, query, 0, wanted)
    for start in range(0, len(ids), EXPORT_CHUNK):
        yield from _load(ids[start : start + EXPORT_CHUNK])


EXPORT_CHUNK = 1000
