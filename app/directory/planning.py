"""How a directory search finds its matches: a sample of the registry estimates how many enterprises
its text, its filters and each "all but one facet" set would match, and the plan follows — the
full-text index for a selective text, the words tested on each row for a broad one (app/directory/search.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import and_, case, func, or_, select, true

from app.cache import reference_value
from app.directory import facets as facet_lists
from app.directory import search
from app.extensions import db
from app.models import Enterprise

SAMPLE_RUNS, SAMPLE_RUN = 40, 25  # 1000 ids
# A sample of 1000 rows showing three times BROAD_LIMIT's share (150 rows at a million) leaves no doubt
# that more than BROAD_LIMIT enterprises match: the capped count, which reads rows up to the limit, is skipped.
SURELY_BROAD = 3


@dataclass(frozen=True)
class Estimate:
    """How many enterprises a sample of the registry says would match: the text alone, the whole
    query, and the query without each of its active facets (what that facet is counted over)."""

    text: float
    all: float
    without: dict[str, float]


def estimate_for(query: search.Query) -> Estimate | None:
    """Estimates from a sample of 1000 rows (40 runs of consecutive ids spread over the whole range:
    a run shares its pages, and the spread keeps a batch imported together from skewing the share);
    None when the registry is too small for any search to be broad."""
    low, high = id_range()
    if low is None or high - low + 1 <= search.BROAD_LIMIT:
        return None
    span = high - low + 1
    if span <= SAMPLE_RUNS * SAMPLE_RUN:
        runs = [(low, high)]
    else:
        starts = (low + span * i // SAMPLE_RUNS for i in range(SAMPLE_RUNS))
        runs = [(start, start + SAMPLE_RUN - 1) for start in starts]
    in_runs = or_(*(Enterprise.id.between(first, last) for first, last in runs))
    active = facet_lists.active_facets(query)
    everything = and_(true(), *search._conditions(query, plan="scan")[2:])
    sums = [func.sum(case((everything, 1), else_=0))]
    text_only = and_(true(), *search._conditions(replace(query, **_cleared(active)), plan="scan")[2:])
    sums.append(func.sum(case((text_only, 1), else_=0)))
    for facet in active:
        sums.append(func.sum(case((and_(true(), *search._conditions(query, facet, plan="scan")[2:]), 1), else_=0)))
    row = db.session.execute(
        select(func.count(), *sums)
        .select_from(Enterprise)
        .where(in_runs, *search._conditions(search.Query(), plan="scan"))
    ).one()
    sampled = sum(last - first + 1 for first, last in runs)
    scale = span / sampled
    shares = [(n or 0) * scale for n in row[1:]]
    return Estimate(text=shares[1], all=shares[0], without=dict(zip(active, shares[2:], strict=True)))


def id_range() -> tuple[int | None, int | None]:
    """The lowest and the highest enterprise id, read once per registry version."""
    return reference_value(("id_range",), _id_range)


def _id_range() -> tuple[int | None, int | None]:
    # Two subqueries: SQLite reads min() or max() from the primary key only when each is alone.
    return tuple(
        db.session.execute(
            select(select(func.min(Enterprise.id)).scalar_subquery(), select(func.max(Enterprise.id)).scalar_subquery())
        ).one()
    )


def _cleared(facets: list[str]) -> dict:
    return {facet: search._DEFAULTS[facet] for facet in facets}


_SAMPLE = Estimate(0, 0, {})  # plan_for's default: sample the registry


def plan_for(query: search.Query, estimate: Estimate | None = _SAMPLE) -> str:
    """How to find the matches of a text search: "index" through the full-text index, or "scan",
    testing the words on rows read by the other conditions' indexes or in the order shown, when the
    text alone would match more than search.BROAD_LIMIT enterprises — then a narrow facet drives the
    search (the index would first gather every match of the text), and a broad page and its capped
    count stop after a few rows. Either plan returns the same enterprises."""
    if not query.terms:
        return "index"
    if estimate is _SAMPLE:
        estimate = estimate_for(query)
    return "scan" if estimate is not None and estimate.text > search.BROAD_LIMIT else "index"
