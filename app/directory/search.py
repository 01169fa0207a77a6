"""Directory search: one query object, its conditions, its results (facet counts: app/directory/facets.py).

Text matching runs on the folded `search_text` through the engine's full-text index (FTS5 on
SQLite, a GIN tsvector index on PostgreSQL): every term must match a word, the last one as a
prefix. Both engines tokenise the folded text the same way, so they return the same enterprises.
A search that matches most of the registry tests the same words on each row instead (plan_for),
reading rows in the order shown, so that a page and its capped total stop early.
Ordering is defined in SQL on stored columns, identically for both.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields, replace
from datetime import date

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement

from app.cache import memoized
from app.directory import facets as facet_lists
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
SIZE_ORDER = {"large": 0, "medium": 1, "small": 2, "micro": 3, "unknown": 4, "not_applicable": 5}


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


def _conditions(query: Query, skip: str | None = None, plan: str = "index") -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [public_record(), Enterprise.status != "dissolved"]
    if query.code:
        conditions.append(Enterprise.public_key == query.code)
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
    if query.digital and skip != "digital":
        conditions.append(Enterprise.is_digital_tech.is_(True))
    if query.startup and skip != "startup":
        conditions.append(Enterprise.is_startup.is_(True))
    if query.products and skip != "products":
        conditions.append(_has_products())
    if query.platform and skip != "platform":
        conditions.append(_sells_on(query.platform))
    if query.tech_or_startup:
        conditions.append(Enterprise.is_digital_tech.is_(True) | Enterprise.is_startup.is_(True))
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


def _order(query: Query, broad: bool = False) -> list:
    by_name = [Enterprise.name_sort, Enterprise.id]  # byte order (the column's collation): its index serves it
    if query.sort == "name" or (query.sort == "relevance" and (not query.terms or broad)):
        return by_name
    if query.sort == "newest":
        return [Enterprise.founded_on.desc().nulls_last(), Enterprise.id.desc()]
    if query.sort == "size":
        size_rank = case(SIZE_ORDER, value=Enterprise.size_tier, else_=9)
        return [size_rank, Enterprise.employees.desc().nulls_last(), *by_name]
    typed = query.q.lower()
    folded = " ".join(query.terms)
    exact = case((contains(Enterprise.name_lower, typed), 0), else_=1)
    starts = case((Enterprise.name_folded.like(f"{folded}%") if folded else literal(False), 0), else_=1)
    return [exact, starts, *by_name]


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
    key = _filter_key(query)
    plan = memoized(("plan", key), lambda: plan_for(query))
    total = memoized(("total", key), lambda: capped_count(query, plan))
    broad = total > BROAD_LIMIT
    reachable = min(total, MAX_DEPTH)
    max_page = max(1, -(-reachable // query.per_page))
    page = min(query.page, max_page)
    items = list(
        db.session.scalars(
            select(Enterprise)
            .where(*_conditions(query, plan=plan))
            .order_by(*_order(query, broad))
            .limit(query.per_page)
            .offset((page - 1) * query.per_page)
        )
    )
    facets = {}
    if with_facets:
        facets = (
            memoized(("facet_values",), facet_lists.facet_values)
            if broad
            else memoized(("facets", key), lambda: facet_lists.facet_counts(query, plan))
        )
    return Results(replace(query, page=page), total, items, facets, max_page, broad, BROAD_LIMIT)


def _filter_key(query: Query) -> tuple:
    """What decides the matches (not their order or page): the key of cached totals and facets."""
    return astuple(replace(query, sort="", page=1, per_page=20))


SAMPLE_RUNS, SAMPLE_RUN = 40, 25  # 1000 ids


def plan_for(query: Query) -> str:
    """How to find the matches of a text search: "index" through the full-text index, or "scan",
    testing the words on rows read in the order shown, when a sample says more than BROAD_LIMIT
    enterprises match — then a page and the capped count stop after a few rows, whereas the index
    would first gather every match. Either plan returns the same enterprises."""
    if not query.terms:
        return "index"
    # Two subqueries: SQLite reads min() or max() from the primary key only when each is alone.
    low, high = db.session.execute(
        select(select(func.min(Enterprise.id)).scalar_subquery(), select(func.max(Enterprise.id)).scalar_subquery())
    ).one()
    if low is None or high - low + 1 <= BROAD_LIMIT:
        return "index"
    # Runs of consecutive ids spread over the whole range: a run shares its pages, so the sample
    # reads few of them, and the spread keeps a batch imported together from skewing the share.
    span = high - low + 1
    if span <= SAMPLE_RUNS * SAMPLE_RUN:
        runs = [(low, high)]
    else:
        runs = [
            (start, start + SAMPLE_RUN - 1) for start in (low + span * i // SAMPLE_RUNS for i in range(SAMPLE_RUNS))
        ]
    in_runs = or_(*(Enterprise.id.between(first, last) for first, last in runs))
    hits = db.session.scalar(
        select(func.count()).select_from(Enterprise).where(in_runs, *_conditions(query, plan="scan"))
    )
    estimated = hits / sum(last - first + 1 for first, last in runs) * span
    return "scan" if estimated > BROAD_LIMIT else "index"


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

    return memoized(("labels",), read)


def export_rows(query: Query, limit: int | None):
    """Every enterprise of the query, in its order, streamed (limit None: no cap)."""
    statement = select(Enterprise).where(*_conditions(query)).order_by(*_order(query))
    if limit is not None:
        statement = statement.limit(limit)
    return db.session.scalars(statement.execution_options(yield_per=1000))
