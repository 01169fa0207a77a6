"""The listed registry in a worker's memory: facet values, words and orders, as bitmaps and id arrays.

What search engines do (Lucene, Meilisearch): the matches of a query are one set, and a facet's
count for a value is the size of that set intersected with the value's precomputed set. Each set is
a bitmap — a Python int whose bit n stands for the enterprise with id n — so an intersection is
one `&` and a count one `bit_count()`, microseconds at a million enterprises; the counts are exact
however broad the search. The bitmaps are read from the database (the source of truth, with the
same conditions as app/directory/search.py) once per process and registry version and day (a
product's certificate counts by the day), like the other reference values of app/cache.py. When a
text matches few enterprises, they stay a sorted array of ids and the facets are read from one
column per facet (app/directory/id_columns.py): what such a search costs then follows its matches,
not the registry's size.

Beside the facet values the worker keeps the enterprises of each word (app/directory/text_index.py:
of `search_text` for matching, of the names for the relevance tiers) and the listed ids in the
name, newest and size orders, so that a page of any search walks an order instead of sorting.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from functools import reduce

import numpy as np
from flask import current_app
from sqlalchemy import select

from app.cache import earlier_value, latest_key, latest_value, remember
from app.directory import facets as facet_lists
from app.directory import id_columns, planning, search, text_index
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
    orders: dict[str, np.ndarray]  # "name", "newest", "size" -> the listed ids in that order
    words: text_index.TextIndex  # the listed enterprises' words (search_text)
    names: text_index.TextIndex  # the words of their names, folded
    typed: text_index.TextIndex  # the words of their names as written, lower case
    first: text_index.TextIndex  # the first word of their names, folded
    columns: id_columns.Columns  # the same facts per id, for a search with few matches

    def text(self, terms: list[str]) -> Matches:
        """The enterprises a text's terms match (app/directory/text_index.py): their ids when they
        are few (app/directory/id_columns.py), else their bitmap."""
        few = self.words.few_matches(terms, id_columns.FEW)
        return few if few is not None else _packed(self.words.matches(terms, self.size))

    def filter(self, query: search.Query, facet: str) -> int:
        """The bitmap of the query's filter on one facet."""
        return self.values[facet].get(filter_key(query, facet), 0)

    def narrowing(self, query: search.Query) -> int:
        """The conditions that are no facet: the investors' view, looking for funding."""
        found = self.listed
        if query.tech_or_startup:
            found &= self.values["digital"].get("1", 0) | self.values["startup"].get("1", 0)
        if query.seeking:
            found &= self.seeking
        return found


Matches = int | np.ndarray  # a bitmap, or the sorted ids of few matches (app/directory/id_columns.py)


def number_of(matches: Matches) -> int:
    return len(matches) if isinstance(matches, np.ndarray) else matches.bit_count()


def filter_key(query: search.Query, facet: str) -> str:
    """The value the query filters a facet on, as the facet's values are named."""
    value = getattr(query, facet)
    return "1" if value is True else str(value)


def serves(query: search.Query) -> bool:
    """Whether the bitmaps hold every condition of the query but its text (not "founded since")."""
    return query.since is None


INLINE_LIMIT = 100_000  # ids: a registry this small builds its bitmaps within the request (< 0.3 s)
_building = threading.Lock()


def current() -> FacetIndex | None:
    """The bitmaps of this registry version and day. A small registry builds them at once; a large
    one (25–30 s at a million enterprises) on a thread of this worker. Meanwhile the searches are
    answered from the bitmaps of the version before, when the worker holds them: they miss at most
    the writes of the last half-minute, and no cache keeps those answers (app/cache.py,
    earlier_value); the page rows are read afresh and hidden ones dropped (search._load). A worker
    that holds none (it has just started, or the day changed) counts in SQL (None)."""
    key = (local_today(),)
    low, high = planning.id_range()
    if low is None or high - low + 1 <= INLINE_LIMIT:
        return latest_value("facet_index", key, build)
    found = latest_value("facet_index", key, None)
    if found is None:
        if _building.acquire(blocking=False):
            app = current_app._get_current_object()
            threading.Thread(target=_build_apart, args=(app, latest_key(key)), daemon=True).start()
        found = earlier_value("facet_index", key)
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
    return _packed(bits)


def _packed(bits: np.ndarray) -> int:
    """A boolean per id as a bitmap."""
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def build() -> FacetIndex:
    """The bitmaps, orders and words of the listed enterprises: read in one statement, then handled a
    column at a time (pandas factorises a million values in C). At a million enterprises, on the
    2-CPU development VM: 25–30 s, 1.8 GB (PostgreSQL) to 2.7 GB (SQLite) at the peak, about 550 MB
    held by the worker after."""
    import pandas as pd  # here: a process that builds no index (a command, the worker) saves 40 MB

    listed = search._conditions(search.Query())
    selected = {
        "id": Enterprise.id,
        **GROUPED,  # sector, commune, size, legal_form, stage
        "digital": Enterprise.is_digital_tech,
        "startup": Enterprise.is_startup,
        "shows_readiness": Enterprise.shows_readiness,
        "seeking": Enterprise.funding_sought_vnd > 0,
        "name_sort": Enterprise.name_sort,
        "founded_on": Enterprise.founded_on,
        "employees": Enterprise.employees,
        "search_text": Enterprise.search_text,
        "name_folded": Enterprise.name_folded,
        "name_lower": Enterprise.name_lower,
    }
    rows = _raw_rows(select(*selected.values()).where(*listed).order_by(Enterprise.id))
    read = [np.asarray(values, dtype=object) for values in zip(*rows, strict=True)]
    del rows
    column = dict(zip(selected, read or [np.zeros(0, object)] * len(selected), strict=True))
    ids = column["id"].astype(np.int64)
    size = int(ids.max()) + 1 if len(ids) else 1
    values: dict[str, dict[str, int]] = {}
    value_lists: dict[str, list[str]] = {}  # the facets' columns (app/directory/id_columns.py)
    codes: dict[str, np.ndarray] = {}
    for facet in GROUPED:
        numbered, found = pd.factorize(column[facet])  # None: -1
        values[facet] = {str(value): bitmap(ids[numbered == k], size) for k, value in enumerate(found) if value}
        value_lists[facet], codes[facet] = id_columns.single(size, ids, numbered, found)
    for flag in ("digital", "startup"):
        flagged = ids[column[flag].astype(bool)]  # None: False
        values[flag] = {"1": bitmap(flagged, size)}
        value_lists[flag], codes[flag] = id_columns.grouped(size, {"1": flagged})
    listed_bits, listed_ids = bitmap(ids, size), id_columns.marked(size, ids)

    def within(found) -> np.ndarray:
        found = np.asarray([i for i in found if i < size], dtype=np.int64)
        return found[listed_ids[found]]

    certified = within(
        db.session.scalars(select(Product.enterprise_id).where(certificates.certified_today()).distinct())
    )
    values["products"] = {"1": bitmap(certified, size)}
    value_lists["products"], codes["products"] = id_columns.grouped(size, {"1": certified})
    sells = (
        select(Listing.platform_code, Product.enterprise_id)
        .join(Product, Product.id == Listing.product_id)
        .where(certificates.certified_today())
        .distinct()
    )
    by_platform: dict[str, list[int]] = {}
    for platform, enterprise_id in db.session.execute(sells):
        by_platform.setdefault(platform, []).append(enterprise_id)
    platforms = {p: id_columns.marked(size, within(found)) for p, found in by_platform.items()}
    values["platform"] = {p: _packed(sells_on) for p, sells_on in platforms.items()}
    by_level: dict[str, list[int]] = {}
    readiness_shown = set(ids[column["shows_readiness"].astype(bool)].tolist())
    for enterprise_id, level in db.session.execute(
        select(LatestAssessment.enterprise_id, LatestAssessment.overall_level)
    ):
        if enterprise_id in readiness_shown and level is not None:
            by_level.setdefault(str(level), []).append(enterprise_id)
    values["level"] = {level: bitmap(found, size) for level, found in by_level.items()}
    value_lists["level"], codes["level"] = id_columns.grouped(size, by_level)
    orders = _orders(ids, column["name_sort"], column["founded_on"], column["size"], column["employees"])
    words = text_index.build(ids, column["search_text"])
    name_words, typed = text_index.build(ids, column["name_folded"]), text_index.build(ids, column["name_lower"])
    first = text_index.build(ids, [name.split(" ", 1)[0] for name in column["name_folded"]])
    seeking = ids[column["seeking"].astype(bool)]
    columns = id_columns.Columns(
        value_lists, codes, {"platform": platforms}, id_columns.marked(size, seeking), id_columns.ranks(size, orders)
    )
    return FacetIndex(
        size, listed_bits, values, bitmap(seeking, size), orders, words, name_words, typed, first, columns
    )


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


def _orders(ids: np.ndarray, names, founded, tiers, employees) -> dict[str, np.ndarray]:
    """The listed ids (increasing) in each order search._order defines without a text: by name
    (byte order, as the column's collation compares: code points order UTF-8 bytes alike), newest
    first, by size. Equal values keep the id order (lexsort is stable)."""
    import pandas as pd  # here: a process that builds no index (a command, the worker) saves 40 MB

    name_rank, _ = pd.factorize(names, sort=True)
    by_name = np.lexsort((ids, name_rank))
    founded_code, days = pd.factorize(founded)
    day = np.array([_day_number(d) for d in days] + [-1], dtype=np.int64)[founded_code]  # None: -1
    tier_code, tier_values = pd.factorize(tiers)
    tier = np.array([search.SIZE_ORDER.get(t, 9) for t in tier_values] + [9], dtype=np.int64)[tier_code]
    staff = pd.Series(employees, dtype=object).fillna(-1).to_numpy(dtype=np.int64)
    return {
        "name": ids[by_name].astype(np.int32),
        "newest": ids[np.lexsort((-ids, -day))].astype(np.int32),  # unknown founding dates last
        "size": ids[np.lexsort((name_rank, -staff, tier))].astype(np.int32),  # unknown staff last
    }


def _day_number(value) -> int:
    """A stored date as a number (None: -1); SQLite returns it as text."""
    if value is None:
        return -1
    return (date.fromisoformat(value[:10]) if isinstance(value, str) else value).toordinal()


def order_of(query: search.Query, broad: bool) -> str | None:
    """Which stored order a page of the query follows (search._order), None for a relevance order."""
    if query.sort in ("name", "newest", "size"):
        return query.sort
    return "name" if not query.terms or broad else None


def page_of(index: FacetIndex, matches: Matches, order: str, offset: int, limit: int) -> list[int]:
    """The ids of one page of the matches in a stored order: few matches are sorted by their places
    in it; otherwise the order is walked in growing chunks, so that a page of a broad search stops
    early and a narrow one costs one pass (milliseconds)."""
    if isinstance(matches, np.ndarray):
        return index.columns.in_order(matches, order)[offset : offset + limit].tolist()
    raw = np.frombuffer(matches.to_bytes((index.size + 7) // 8, "little"), dtype=np.uint8)
    chosen = np.unpackbits(raw, bitorder="little").view(bool)
    ranked, found, start, chunk = index.orders[order], [], 0, 4096
    wanted = offset + limit
    while start < len(ranked) and sum(len(part) for part in found) < wanted:
        part = ranked[start : start + chunk]
        found.append(part[chosen[part]])
        start, chunk = start + chunk, chunk * 4
    hits = np.concatenate(found) if found else ranked[:0]
    return hits[offset:wanted].tolist()


def relevance_page(index: FacetIndex, matches: Matches, query: search.Query, offset: int, limit: int) -> list[int]:
    """The ids of one page of the matches by relevance, in search._order's tiers: every word as
    typed (with its diacritics) starting a word of the name, then every folded term starting a word
    of the name, then the name's first word starting with the first term; each tier in name order."""
    size = index.size
    tiers = (
        index.typed.matches(query.q.lower().split(), size, every_prefix=True),
        index.names.matches(query.terms, size, every_prefix=True),
        index.first.matches(query.terms[:1], size, every_prefix=True),
    )
    if isinstance(matches, np.ndarray):  # few: sorted by tier (0 is all three), then by name
        exact, in_name, starts = (~found[matches] for found in tiers)
        tier = exact.astype(np.int8) * 4 + in_name * 2 + starts
        ranked = matches[np.lexsort((index.columns.ranks["name"][matches], tier))]
        return ranked[offset : offset + limit].tolist()
    exact, in_name, starts = (_packed(found) for found in tiers)
    found: list[int] = []
    for tier in (matches & e & n & s for e in (exact, ~exact) for n in (in_name, ~in_name) for s in (starts, ~starts)):
        count = tier.bit_count()
        if offset >= count:
            offset -= count
            continue
        found += page_of(index, tier, "name", offset, limit - len(found))
        offset = 0
        if len(found) >= limit:
            break
    return found


@dataclass
class Counted:
    total: int
    facets: dict[str, list[tuple[str, int]]]
    matches: Matches


def count(query: search.Query, index: FacetIndex, text: Matches | None, with_facets: bool) -> Counted:
    """The matches, their number and the facet counts: `text` is what the text (or the enterprise
    code) selects, None when the query has neither."""
    if isinstance(text, np.ndarray):
        return _count_few(query, index.columns, text, with_facets)
    base = index.narrowing(query)
    if text is not None:
        base &= text
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


def _count_few(query: search.Query, columns: id_columns.Columns, ids: np.ndarray, with_facets: bool) -> Counted:
    """`count` for few matches: the same sets, as booleans over the text's ids (app/directory/id_columns.py)."""
    kept = columns.listed(ids)
    if query.tech_or_startup:
        kept &= columns.holds("digital", "1", ids) | columns.holds("startup", "1", ids)
    if query.seeking:
        kept &= columns.seeking[ids]
    ids = ids[kept]
    filters = {facet: columns.holds(facet, filter_key(query, facet), ids) for facet in facet_lists.active_facets(query)}
    every = np.ones(len(ids), dtype=bool)
    matches = ids[reduce(lambda a, b: a & b, filters.values(), every)]
    found: dict[str, list[tuple[str, int]]] = {facet: [] for facet in facet_lists.FACETS}
    if with_facets:
        for facet in facet_lists.FACETS:
            if facet in filters:  # counted with every other filter but its own
                others = ids[reduce(lambda a, b: a & b, (held for f, held in filters.items() if f != facet), every)]
            else:
                others = matches
            if len(others):
                found[facet] = columns.counted(facet, others)
    return Counted(len(matches), facet_lists.arrange(found) if with_facets else {}, matches)
