"""The listed registry as bitmaps and id arrays: what a directory search counts, filters and pages with.

What search engines do (Lucene, Meilisearch): the matches of a query are one set, and a facet's
count for a value is the size of that set intersected with the value's precomputed set. Each set is
a bitmap — a Python int whose bit n stands for the enterprise with id n — so an intersection is
one `&` and a count one `bit_count()`, microseconds at a million enterprises; the counts are exact
however broad the search. When a text matches few enterprises, they stay a sorted array of ids and
the facets are read from one column per facet (app/directory/id_columns.py): what such a search
costs then follows its matches, not the registry's size. Beside the facet values the index holds
the enterprises of each word (app/directory/text_index.py: of `search_text` for matching, of the
names for the relevance tiers) and the listed ids in the name, newest and size orders, so that a
page of any search walks an order instead of sorting.

A build (app/directory/index_build.py) is written to files once per machine and memory-mapped by
every worker (app/directory/index_files.py, app/directory/index_service.py); only the facet values'
bitmaps are made in each worker when it opens a build (about 20 MB at a million). What changed
since the build is held apart (app/directory/recent.py): a search reads a `View` — one build, its
changed ids masked out, and the changed records held as columns (held.py) — so a write is seen without a
rebuild, and one search never mixes two versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce

import numpy as np

from app.directory import facets as facet_lists
from app.directory import held as held_columns
from app.directory import id_columns, index_build, recent, search, text_index
from app.directory.changes import Position


@dataclass(frozen=True)
class FacetIndex:
    """One build, as a worker opened it."""

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
    keys: dict[str, np.ndarray]  # per id: founding day, size tier's rank, staff (the orders' keys)
    name_keys: text_index.Strings  # the listed names in name order (where a changed record falls)
    position: Position  # the change log's position the build read at
    day: date  # the day whose certificates the products facet counts
    built_at: datetime  # when the build began (UTC)
    name: str = ""  # the build's folder

    def text(self, terms: list[str]) -> Matches:
        """The enterprises a text's terms match (app/directory/text_index.py): their ids when they
        are few (app/directory/id_columns.py), else their bitmap."""
        few = self.words.few_matches(terms, id_columns.FEW)
        return few if few is not None else _packed(self.words.matches(terms, self.size))

    def filter(self, query: search.Query, facet: str) -> int:
        """The bitmap of the query's filter on one facet."""
        return self.values[facet].get(filter_key(query, facet), 0)


def opened(arrays: dict[str, np.ndarray], meta: dict, name: str = "") -> FacetIndex:
    """A build's arrays (memory-mapped) as an index: the bitmaps are made here, the rest is read in place."""
    size, facet_values = meta["size"], meta["values"]
    codes = {facet: arrays[f"code.{facet}"] for facet in facet_values}
    values = {
        facet: {value: _packed(codes[facet] == k) for k, value in enumerate(names) if value}
        for facet, names in facet_values.items()
    }
    platform_sets = {p: arrays[f"platform.{k}"] for k, p in enumerate(meta["platforms"])}
    values["platform"] = {p: _packed(sells_on) for p, sells_on in platform_sets.items()}
    orders = {order: arrays[f"order.{order}"] for order in index_build.ORDERS}
    ranks = {order: arrays[f"rank.{order}"] for order in index_build.ORDERS}
    columns = id_columns.Columns(dict(facet_values), codes, {"platform": platform_sets}, arrays["seeking"], ranks)

    def text(prefix: str) -> text_index.TextIndex:
        return text_index.TextIndex.of({k: arrays[f"{prefix}.{k}"] for k in ("blob", "offsets", "starts", "postings")})

    return FacetIndex(
        size,
        _packed(ranks["name"] != id_columns.UNLISTED),
        values,
        _packed(arrays["seeking"]),
        orders,
        *(text(f"text.{t}") for t in index_build.TEXTS),
        columns,
        {k: arrays[f"key.{k}"] for k in ("day", "tier", "staff")},
        text_index.Strings(arrays["names.blob"], arrays["names.offsets"]),
        index_build.position_of(meta),
        date.fromisoformat(meta["day"]),
        datetime.fromisoformat(meta["built_at"]),
        name,
    )


@dataclass(frozen=True)
class View:
    """What one search reads: a build, and what changed since (masked out of the build's sets)."""

    index: FacetIndex
    recent: recent.Recent = field(default_factory=lambda: recent.Recent())
    position: Position | None = None  # the change log's position the recent changes were read at
    day: date | None = None  # the day whose certificates the recent changes count

    @property
    def listed(self) -> int:
        return self.index.listed & ~self.recent.mask_bits if self.recent.mask_bits else self.index.listed

    def narrowing(self, query: search.Query) -> int:
        """The listed enterprises the build still holds, and the conditions that are no facet: the
        investors' view, looking for funding."""
        found = self.listed
        if query.tech_or_startup:
            values = self.index.values
            found &= values["digital"].get("1", 0) | values["startup"].get("1", 0)
        if query.seeking:
            found &= self.index.seeking
        return found


Matches = int | np.ndarray  # a bitmap, or the sorted ids of few matches (app/directory/id_columns.py)


@dataclass
class Counted:
    total: int
    facets: dict[str, list[tuple[str, int]]]
    matches: Matches  # of the build
    extra: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )  # the held records that match (held.py)


def number_of(matches: Matches) -> int:
    return len(matches) if isinstance(matches, np.ndarray) else matches.bit_count()


def filter_key(query: search.Query, facet: str) -> str:
    """The value the query filters a facet on, as the facet's values are named."""
    value = getattr(query, facet)
    return "1" if value is True else str(value)


def serves(query: search.Query) -> bool:
    """Whether the index holds every condition of the query but its text (not "founded since")."""
    return query.since is None


def _packed(bits: np.ndarray) -> int:
    """A boolean per id as a bitmap."""
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def order_of(query: search.Query, broad: bool) -> str | None:
    """Which stored order a page of the query follows (search._order), None for a relevance order."""
    if query.sort in ("name", "newest", "size"):
        return query.sort
    return "name" if not query.terms or broad else None


def page_of(view: View, found: Counted, order: str, offset: int, limit: int) -> list[int]:
    """The ids of one page of the matches in a stored order: the build's and the changed records'
    merged by their places in it (a changed record's place is found by a binary search)."""
    index = view.index
    if not len(found.extra):
        return _built_page(index, found.matches, order, offset, limit)
    built = _built_page(index, found.matches, order, 0, offset + limit)
    ranks, held = index.columns.ranks[order], view.recent.held
    first = found.extra[np.argsort(held.ranks[order][found.extra], kind="stable")][: offset + limit]
    keyed = [((float(ranks[i]),), i) for i in built]
    keyed += [(view.recent.place(index, held.docs[k], order), int(held.ids[k])) for k in first]
    keyed.sort(key=lambda pair: pair[0])
    return [i for _key, i in keyed[offset : offset + limit]]


def _built_page(index: FacetIndex, matches: Matches, order: str, offset: int, limit: int) -> list[int]:
    """A page of the build's matches in a stored order: few matches are sorted by their places in
    it; otherwise the order is walked in growing chunks, so that a page of a broad search stops
    early and a narrow one costs one pass (milliseconds)."""
    if isinstance(matches, np.ndarray):
        return index.columns.in_order(matches, order)[offset : offset + limit].tolist()
    raw = np.frombuffer(matches.to_bytes((index.size + 7) // 8, "little"), dtype=np.uint8)
    chosen = np.unpackbits(raw, bitorder="little").view(bool)
    ranked, parts, start, chunk = index.orders[order], [], 0, 4096
    wanted = offset + limit
    while start < len(ranked) and sum(len(part) for part in parts) < wanted:
        part = ranked[start : start + chunk]
        parts.append(part[chosen[part]])
        start, chunk = start + chunk, chunk * 4
    hits = np.concatenate(parts) if parts else ranked[:0]
    return hits[offset:wanted].tolist()


def _tiers(index: FacetIndex, query: search.Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """search._order's relevance tiers as booleans per id: every word as typed (with its diacritics)
    starting a word of the name; every folded term starting a word of the name; the name's first
    word starting with the first term."""
    size = index.size
    return (
        index.typed.matches(query.q.lower().split(), size, every_prefix=True),
        index.names.matches(query.terms, size, every_prefix=True),
        index.first.matches(query.terms[:1], size, every_prefix=True),
    )


def relevance_page(view: View, found: Counted, query: search.Query, offset: int, limit: int) -> list[int]:
    """The ids of one page of the matches by relevance: by tier (search._order), then by name; the
    changed records merged in by their own tier and their place in the name order."""
    index = view.index
    tiers = _tiers(index, query)
    if not len(found.extra):
        return _built_relevance(index, found.matches, tiers, offset, limit)
    built = _built_relevance(index, found.matches, tiers, 0, offset + limit)
    exact, in_name, starts = tiers
    ranks, held = index.columns.ranks["name"], view.recent.held
    keyed = [(((not exact[i]) * 4 + (not in_name[i]) * 2 + (not starts[i]), float(ranks[i])), i) for i in built]
    tier = held_columns.tiers(held, query)
    first = found.extra[np.lexsort((held.ranks["name"][found.extra], tier[found.extra]))][: offset + limit]
    keyed += [((int(tier[k]), *view.recent.place(index, held.docs[k], "name")), int(held.ids[k])) for k in first]
    keyed.sort(key=lambda pair: pair[0])
    return [i for _key, i in keyed[offset : offset + limit]]


def _built_relevance(index: FacetIndex, matches: Matches, tiers, offset: int, limit: int) -> list[int]:
    if isinstance(matches, np.ndarray):  # few: sorted by tier (0 is all three), then by name
        exact, in_name, starts = (~found[matches] for found in tiers)
        tier = exact.astype(np.int8) * 4 + in_name * 2 + starts
        ranked = matches[np.lexsort((index.columns.ranks["name"][matches], tier))]
        return ranked[offset : offset + limit].tolist()
    exact, in_name, starts = (_packed(found) for found in tiers)
    found: list[int] = []
    for tier in (matches & e & n & s for e in (exact, ~exact) for n in (in_name, ~in_name) for s in (starts, ~starts)):
        number = tier.bit_count()
        if offset >= number:
            offset -= number
            continue
        found += _built_page(index, tier, "name", offset, limit - len(found))
        offset = 0
        if len(found) >= limit:
            break
    return found


def count(
    query: search.Query, view: View, text: Matches | None, code_ids: set[int] | None = None, with_facets: bool = True
) -> Counted:
    """The matches, their number and the facet counts: `text` is what the text (or the enterprise
    code, whose ids are `code_ids`) selects in the build, None when the query has neither. The
    changed records held beside the build are tested and counted in (held.py)."""
    if isinstance(text, np.ndarray):
        counted = _count_few(query, view, text, with_facets)
    else:
        counted = _count_bits(query, view, text, with_facets)
    held = view.recent.held
    if not len(held):
        return counted
    active = facet_lists.active_facets(query)
    base = held_columns.text_mask(held, query.terms, code_ids)
    if query.tech_or_startup:
        base &= held.tech
    if query.seeking:
        base &= held.seeking
    masks = {facet: held.holds(facet, filter_key(query, facet)) for facet in active}
    extra = reduce(lambda a, b: a & b, masks.values(), base)
    if with_facets:
        found = {facet: dict(values) for facet, values in counted.facets.items()}
        for facet in facet_lists.FACETS:
            chosen = extra
            if facet in masks:  # counted with every other filter but its own
                chosen = reduce(lambda a, b: a & b, (m for f, m in masks.items() if f != facet), base)
            for value, n in held.counted(facet, chosen).items():
                found[facet][value] = found[facet].get(value, 0) + n
        counted.facets = facet_lists.arrange({facet: list(values.items()) for facet, values in found.items()})
    counted.total += int(extra.sum())
    counted.extra = np.flatnonzero(extra)
    return counted


def _count_bits(query: search.Query, view: View, text: int | None, with_facets: bool) -> Counted:
    index = view.index
    base = view.narrowing(query)
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


def _count_few(query: search.Query, view: View, ids: np.ndarray, with_facets: bool) -> Counted:
    """`count` for few matches: the same sets, as booleans over the text's ids (app/directory/id_columns.py)."""
    columns = view.index.columns
    kept = columns.listed(ids) & view.recent.unmasked(ids)
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
