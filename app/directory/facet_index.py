"""Facet counts from bitmaps: for each facet value, the set of listed enterprises that have it.

What search engines do (Lucene, Meilisearch): the matches of a query are one set, and a facet's
count for a value is the size of that set intersected with the value's precomputed set. Each set is
a bitmap — a Python int whose bit n stands for the enterprise with id n — so an intersection is
one `&` and a count one `bit_count()`, microseconds at a million enterprises; the counts are exact
however broad the search. The bitmaps are read from the database (the source of truth, with the
same conditions as app/directory/search.py) once per process and registry version and day (a
product's certificate counts by the day), like the other reference values of app/cache.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import reduce

import numpy as np
from flask import current_app
from sqlalchemy import select

from app.cache import latest_key, latest_value, remember
from app.directory import facets as facet_lists
from app.directory import planning, search
from app.extensions import db
from app.i18n import local_today
from app.models import Enterprise, LatestAssessment, Listing, Product
from app.registry import certificates

GROUPED = facet_lists.GROUPED  # facet -> column: counted per value


@dataclass(frozen=True)
class FacetIndex:
    size: int  # bits: the highest id + 1
    listed: int  # every enterprise the directory lists
    values: dict[str, dict[str, int]]  # facet -> value -> bitmap
    seeking: int  # looking for funding

    def filter(self, query: search.Query, facet: str) -> int:
        """The bitmap of the query's filter on one facet."""
        value = getattr(query, facet)
        key = "1" if value is True else str(value)
        return self.values[facet].get(key, 0)

    def filtered(self, query: search.Query) -> int:
        """The enterprises every filter of the query selects, its text aside."""
        return reduce(
            lambda a, b: a & b, (self.filter(query, f) for f in facet_lists.active_facets(query)), self.narrowing(query)
        )

    def narrowing(self, query: search.Query) -> int:
        """The conditions that are no facet: the investors' view, looking for funding."""
        found = self.listed
        if query.tech_or_startup:
            found &= self.values["digital"].get("1", 0) | self.values["startup"].get("1", 0)
        if query.seeking:
            found &= self.seeking
        return found


def serves(query: search.Query) -> bool:
    """Whether the bitmaps hold every condition of the query but its text (not "founded since")."""
    return query.since is None


INLINE_LIMIT = 100_000  # ids: a registry this small builds its bitmaps within the request (< 0.3 s)
_building = threading.Lock()


def current() -> FacetIndex | None:
    """The bitmaps of this registry version and day. A small registry builds them at once; a large
    one (2–3 s at a million enterprises) on a thread of this worker, while the searches that come
    meanwhile count in SQL (None)."""
    key = (local_today(),)
    low, high = planning.id_range()
    if low is None or high - low + 1 <= INLINE_LIMIT:
        return latest_value("facet_index", key, build)
    found = latest_value("facet_index", key, None)
    if found is None and _building.acquire(blocking=False):
        app = current_app._get_current_object()
        threading.Thread(target=_build_apart, args=(app, latest_key(key)), daemon=True).start()
    return found


def _build_apart(app, full_key: tuple) -> None:
    try:
        with app.app_context():
            index = build()
        remember(app, "facet_index", full_key, index)
    finally:
        _building.release()


def bitmap(ids, size: int) -> int:
    bits = np.zeros(size, dtype=bool)
    bits[np.asarray(ids, dtype=np.int64)] = True
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def members(bits: int, size: int) -> list[int]:
    """The ids of a bitmap, in increasing order."""
    raw = np.frombuffer(bits.to_bytes((size + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")).tolist()


def build() -> FacetIndex:
    listed = search._conditions(search.Query())
    columns = [Enterprise.id, *GROUPED.values(), Enterprise.is_digital_tech, Enterprise.is_startup]
    columns += [Enterprise.shows_readiness, Enterprise.funding_sought_vnd > 0]
    rows = _raw_rows(select(*columns).where(*listed))
    size = (max((r[0] for r in rows), default=0)) + 1
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    values: dict[str, dict[str, int]] = {}
    for position, facet in enumerate(GROUPED, start=1):
        codes: dict[str | None, int] = {}  # each value numbered: one vector comparison per value
        numbered = np.fromiter(
            (codes.setdefault(r[position], len(codes)) for r in rows), dtype=np.int32, count=len(rows)
        )
        values[facet] = {str(value): bitmap(ids[numbered == k], size) for value, k in codes.items() if value}
    flags = len(GROUPED) + 1
    for offset, facet in enumerate(("digital", "startup")):
        chosen = np.fromiter((bool(r[flags + offset]) for r in rows), dtype=bool, count=len(rows))
        values[facet] = {"1": bitmap(ids[chosen], size)}
    shows = {r[0] for r in rows if r[flags + 2]}
    seeking = bitmap([r[0] for r in rows if r[flags + 3]], size)
    listed_bits = bitmap(ids, size)

    def within(found) -> list[int]:
        return [i for i in found if i < size]

    certified = select(Product.enterprise_id).where(certificates.certified_today()).distinct()
    values["products"] = {"1": bitmap(within(db.session.scalars(certified)), size) & listed_bits}
    sells = (
        select(Listing.platform_code, Product.enterprise_id)
        .join(Product, Product.id == Listing.product_id)
        .where(certificates.certified_today())
        .distinct()
    )
    by_platform: dict[str, list[int]] = {}
    for platform, enterprise_id in db.session.execute(sells):
        by_platform.setdefault(platform, []).append(enterprise_id)
    values["platform"] = {p: bitmap(within(found), size) & listed_bits for p, found in by_platform.items()}
    by_level: dict[str, list[int]] = {}
    for enterprise_id, level in db.session.execute(
        select(LatestAssessment.enterprise_id, LatestAssessment.overall_level)
    ):
        if enterprise_id in shows and level is not None:
            by_level.setdefault(str(level), []).append(enterprise_id)
    values["level"] = {level: bitmap(found, size) for level, found in by_level.items()}
    return FacetIndex(size, listed_bits, values, seeking)


def _raw_rows(statement) -> list[tuple]:
    """All rows of a statement as the driver gives them: a million rows without SQLAlchemy's per-row work."""
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled))
        return cursor.fetchall()
    finally:
        cursor.close()


@dataclass
class Counted:
    total: int
    facets: dict[str, list[tuple[str, int]]]
    matches: int  # the bitmap of the matches


def count(query: search.Query, index: FacetIndex, text_ids: list[int] | None, with_facets: bool) -> Counted:
    """The matches, their number and the facet counts: `text_ids` are the enterprises the text (or
    the enterprise code) selects, None when the query has neither."""
    base = index.narrowing(query)
    if text_ids is not None:
        base &= bitmap([i for i in text_ids if i < index.size], index.size) if text_ids else 0
    active = facet_lists.active_facets(query)
    filters = {facet: index.filter(query, facet) for facet in active}
    matches = reduce(lambda a, b: a & b, filters.values(), base)
    found: dict[str, list[tuple[str, int]]] = {facet: [] for facet in facet_lists.FACETS}
    if with_facets:
        for facet in facet_lists.FACETS:
            if facet in filters:  # counted with every other filter but its own
                others = reduce(lambda a, b: a & b, (bits for f, bits in filters.items() if f != facet), base)
            else:
                others = matches
            if not others:
                continue
            for value, bits in index.values.get(facet, {}).items():
                n = (others & bits).bit_count()
                if n:
                    found[facet].append((value, n))
    return Counted(matches.bit_count(), facet_lists.arrange(found) if with_facets else {}, matches)
