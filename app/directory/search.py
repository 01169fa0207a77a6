"""Directory search: one query object, its conditions, results, facet counts.

Text matching runs on the folded `search_text` through the engine's full-text index (FTS5 on
SQLite, a GIN tsvector index on PostgreSQL): every term must match a word, the last one as a
prefix. Both engines tokenise the folded text the same way, so they return the same enterprises.
Ordering is defined in SQL on stored columns, identically for both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date

from sqlalchemy import case, func, literal, select, text
from sqlalchemy.sql import ColumnElement

from app.domain.codes import CodeError, looks_like_enterprise_code, validate_enterprise_code
from app.extensions import db
from app.models import Commune, Enterprise, LatestAssessment, Listing, Product
from app.reference.services import region_communes
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
    since: int | None = None        # founded in this year or later
    stage: str = ""                 # self-declared startup stage
    seeking: bool = False           # looking for funding
    tech_or_startup: bool = False   # the investors' view: digital-technology firms and startups only
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
            q=normalize(args.get("q", ""))[:200], sector=args.get("sector", "")[:1].upper(),
            commune=args.get("commune", "")[:5], size=args.get("size", "")[:20], legal_form=args.get("legal_form", "")[:20],
            digital=flag("digital"), startup=flag("startup"), products=flag("products"),
            platform=args.get("platform", "")[:20], level=number("level", None),
            since=number("since", None), stage=args.get("stage", "")[:20], seeking=flag("seeking"),
            sort=sort if sort in SORTS else "relevance", page=max(1, number("page", 1) or 1),
            per_page=per_page if per_page in PER_PAGE_CHOICES else 20,
        )

    def as_args(self, **changes) -> dict[str, str]:
        """URL parameters for this query (with changes), defaults left out, so URLs stay short."""
        values = asdict(replace(self, **changes))
        defaults = asdict(Query())
        out = {}
        for key, value in values.items():
            if key == "tech_or_startup" or value == defaults[key] or value in ("", None, False):
                continue
            out[key] = "1" if value is True else str(value)
        return out

    @property
    def terms(self) -> list[str]:
        return query_terms(self.q)


def code_in_query(q: str) -> str | None:
    """The stored form of an enterprise code typed in the search box, if it is one."""
    if not looks_like_enterprise_code(q):
        return None
    try:
        return validate_enterprise_code(q).value
    except CodeError:
        return None


def match_condition(terms: list[str]) -> ColumnElement[bool]:
    """All terms match words of search_text; the last one as a prefix."""
    if db.engine.dialect.name == "sqlite":
        expression = " ".join(f'"{t}"' for t in terms[:-1]) + (" " if len(terms) > 1 else "") + f'"{terms[-1]}"*'
        return Enterprise.id.in_(
            select(text("rowid")).select_from(text("enterprise_fts")).where(text("enterprise_fts MATCH :fts"))
            .params(fts=expression)
        )
    expression = " & ".join(terms[:-1] + [f"{terms[-1]}:*"])
    # The same expression as the GIN index ix_enterprise_search_tsv, so that the index is used.
    return text("to_tsvector('simple', enterprise.search_text) @@ to_tsquery('simple', :tsq)").bindparams(tsq=expression)


def _conditions(query: Query, skip: str | None = None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Enterprise.record_state == "published",
        Enterprise.status != "dissolved",
        Enterprise.commune_code.in_(select(Commune.code).where(region_communes())),
    ]
    if query.terms:
        conditions.append(match_condition(query.terms))
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
        conditions.append(Enterprise.id.in_(select(LatestAssessment.enterprise_id).where(LatestAssessment.overall_level == query.level)))
    return conditions


# Uncorrelated IN subqueries: evaluated once per statement, not once per enterprise.
def _has_products() -> ColumnElement[bool]:
    return Enterprise.id.in_(select(Product.enterprise_id).where(Product.is_active.is_(True)))


def _sells_on(platform: str) -> ColumnElement[bool]:
    return Enterprise.id.in_(
        select(Product.enterprise_id).join(Listing, Listing.product_id == Product.id)
        .where(Product.is_active.is_(True), Listing.platform_code == platform)
    )


def _binary(column):
    return column.collate("C") if db.engine.dialect.name == "postgresql" else column


def _order(query: Query, broad: bool = False) -> list:
    by_name = [_binary(Enterprise.name_sort), Enterprise.id]
    if query.sort == "name" or (query.sort == "relevance" and (not query.terms or broad)):
        return by_name
    if query.sort == "newest":
        return [Enterprise.founded_on.desc().nulls_last(), Enterprise.id.desc()]
    if query.sort == "size":
        size_rank = case(SIZE_ORDER, value=Enterprise.size_tier, else_=9)
        return [size_rank, Enterprise.employees.desc().nulls_last(), *by_name]
    typed = query.q.lower()
    folded = " ".join(query.terms)
    exact = case((_contains(Enterprise.name_lower, typed), 0), else_=1)
    starts = case((Enterprise.name_folded.like(f"{folded}%") if folded else literal(False), 0), else_=1)
    return [exact, starts, *by_name]


def _contains(column, needle: str) -> ColumnElement[bool]:
    """Case-sensitive containment on both engines (the column is already lower-cased)."""
    if db.engine.dialect.name == "sqlite":
        return func.instr(column, needle) > 0
    return func.strpos(column, needle) > 0


@dataclass
class Results:
    query: Query
    total: int
    items: list[Enterprise]
    facets: dict[str, list[tuple[str, int | None]]]
    max_page: int
    broad: bool = False  # too many matches for counts per facet value


def run(query: Query, with_facets: bool = True) -> Results:
    conditions = _conditions(query)
    total = db.session.scalar(select(func.count()).select_from(Enterprise).where(*conditions))
    broad = total > BROAD_LIMIT
    reachable = min(total, MAX_DEPTH)
    max_page = max(1, -(-reachable // query.per_page))
    page = min(query.page, max_page)
    items = list(db.session.scalars(
        select(Enterprise).where(*conditions).order_by(*_order(query, broad))
        .limit(query.per_page).offset((page - 1) * query.per_page)
    ))
    facets = (facet_values() if broad else facet_counts(query)) if with_facets else {}
    return Results(replace(query, page=page), total, items, facets, max_page, broad)


def facet_values() -> dict[str, list[tuple[str, int | None]]]:
    """Every facet's values without counts: what a broad search offers to narrow it."""
    from app.domain.legal_forms import LEGAL_FORMS
    from app.domain.size import ALL_TIERS
    from app.models import Platform, VsicSection

    return {
        "sector": [(code, None) for code in db.session.scalars(select(VsicSection.code).order_by(VsicSection.code))],
        "commune": [(code, None) for code in db.session.scalars(select(Commune.code).where(region_communes()).order_by(Commune.name))],
        "size": [(tier, None) for tier in ALL_TIERS],
        "legal_form": [(code, None) for code in LEGAL_FORMS],
        "digital": [("1", None)], "startup": [("1", None)], "products": [("1", None)],
        "platform": [(code, None) for code in db.session.scalars(select(Platform.code).order_by(Platform.code))],
        "level": [(str(level), None) for level in range(6)],
        "stage": [],
    }


def export_rows(query: Query, limit: int | None):
    """Every enterprise of the query, in its order, streamed (limit None: no cap)."""
    statement = select(Enterprise).where(*_conditions(query)).order_by(*_order(query))
    if limit is not None:
        statement = statement.limit(limit)
    return db.session.scalars(statement.execution_options(yield_per=1000))


def _grouped(column, query: Query, skip: str) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(column, func.count()).select_from(Enterprise).where(*_conditions(query, skip))
        .group_by(column).order_by(func.count().desc())
    ).all()
    return [(value, count) for value, count in rows if value is not None]


def _count(query: Query, skip: str, extra: ColumnElement[bool]) -> int:
    return db.session.scalar(select(func.count()).select_from(Enterprise).where(*_conditions(query, skip), extra))


def facet_counts(query: Query) -> dict[str, list[tuple[str, int]]]:
    """Counts per facet value, each computed with every other filter applied but its own."""
    from app.models import Platform

    facets = {
        "sector": _grouped(Enterprise.vsic_section, query, "sector"),
        "commune": _grouped(Enterprise.commune_code, query, "commune"),
        "size": _grouped(Enterprise.size_tier, query, "size"),
        "legal_form": _grouped(Enterprise.legal_form, query, "legal_form"),
        "digital": [("1", _count(query, "digital", Enterprise.is_digital_tech.is_(True)))],
        "startup": [("1", _count(query, "startup", Enterprise.is_startup.is_(True)))],
        "products": [("1", _count(query, "products", _has_products()))],
    }
    platforms = db.session.scalars(select(Platform.code).order_by(Platform.code)).all()
    facets["platform"] = [(code, n) for code in platforms if (n := _count(query, "platform", _sells_on(code)))]
    level_rows = db.session.execute(
        select(LatestAssessment.overall_level, func.count())
        .join(Enterprise, Enterprise.id == LatestAssessment.enterprise_id)
        .where(*_conditions(query, "level"), Enterprise.shows_readiness.is_(True))
        .group_by(LatestAssessment.overall_level).order_by(LatestAssessment.overall_level)
    ).all()
    facets["level"] = [(str(level), n) for level, n in level_rows]
    facets["stage"] = _grouped(Enterprise.stage, query, "stage")
    return facets


