"""The enterprises changed since the directory's index was built: read again and held apart.

The built index (app/directory/facet_index.py) is immutable and shared by the machine's workers.
The change log (app/directory/changes.py) names every enterprise written since its build; each
worker reads those few rows again with the build's own reading (index_build.read_some) and keeps
them here as plain records (`Doc`). A search then answers from both: the built arrays with the
changed ids masked out, and these records held as columns (app/directory/held.py) and tested against
the query's conditions — those of app/directory/search.py's SQL — then placed in each stored order by
a binary search over the built one. A write is thus found by the next search once the worker has
read the log (at most REGISTRY_VERSION_CHECK_MS later), and nothing is rebuilt.

A `Recent` is never changed once made: a refresh makes a new one, so a search holds one version
of the index from its first count to its page.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np

from app.directory import facets as facet_lists
from app.directory import index_build
from app.directory.held import Held, held_of


@dataclass(frozen=True)
class Doc:
    """What the directory knows of one changed enterprise (None in `Recent.docs`: not listed)."""

    id: int
    values: dict[str, str]  # facet -> its value (grouped facets, and "1" for the flags and products)
    platforms: frozenset[str]
    level: str | None  # shown readiness level
    seeking: bool
    words: tuple[str, ...]  # search_text's words
    name_words: tuple[str, ...]  # name_folded's
    typed_words: tuple[str, ...]  # name_lower's
    name: str  # name_sort
    day: int  # founding day number, -1 unknown
    tier: int
    staff: int


def doc_of(row: dict, certified: bool, platforms: frozenset[str], level: int | None, keys: tuple[int, int, int]) -> Doc:
    """The doc of one listed row; ``keys`` are its founding day, size tier and staff as the build
    sorts on them (index_build.sort_keys, computed for a whole chunk of rows at once)."""
    values = {facet: str(row[facet]) for facet in facet_lists.GROUPED if row[facet]}
    for flag in ("digital", "startup"):
        if row[flag]:
            values[flag] = "1"
    if certified:
        values["products"] = "1"
    shown = str(level) if row["shows_readiness"] and level is not None else None
    return Doc(
        row["id"],
        values,
        platforms,
        shown,
        bool(row["seeking"]),
        tuple(w for w in (row["search_text"] or "").split(" ") if w),
        tuple(w for w in (row["name_folded"] or "").split(" ") if w),
        tuple(w for w in (row["name_lower"] or "").split(" ") if w),
        row["name_sort"] or "",
        *keys,
    )


def read(ids: set[int]) -> dict[int, Doc | None]:
    """The changed enterprises as the index sees them now (None: not listed, or gone)."""
    found: dict[int, Doc | None] = dict.fromkeys(ids)
    ordered = sorted(ids)
    for start in range(0, len(ordered), 900):  # SQLite's bound parameters
        chunk = ordered[start : start + 900]
        certified, levels = index_build.certified_ids(chunk), index_build.levels_of(chunk)
        platforms: dict[int, set[str]] = {}
        for platform, sellers in index_build.platforms_of(chunk).items():
            for enterprise_id in sellers:
                platforms.setdefault(enterprise_id, set()).add(platform)
        rows = [row for row in index_build.read_some(chunk) if row["listed"]]
        if not rows:
            continue
        keys = index_build.sort_keys({k: [row[k] for row in rows] for k in ("founded_on", "size", "employees")})
        for k, row in enumerate(rows):
            owned = frozenset(platforms.get(row["id"], ()))
            sorted_on = (int(keys["day"][k]), int(keys["tier"][k]), int(keys["staff"][k]))
            found[row["id"]] = doc_of(row, row["id"] in certified, owned, levels.get(row["id"]), sorted_on)
    return found


@dataclass(frozen=True)
class Recent:
    """The changed enterprises of one version: ids below the build's size are masked out of it."""

    docs: dict[int, Doc | None] = field(default_factory=dict)
    masked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # sorted
    mask_bits: int = 0  # the same ids as a bitmap
    places: dict[tuple[int, str], tuple] = field(default_factory=dict)  # (id, order) -> place, found once
    held: Held = field(default_factory=lambda: held_of([]))  # the listed ones as columns (app/directory/held.py)

    def with_changes(self, changed: dict[int, Doc | None], size: int) -> Recent:
        docs = {**self.docs, **changed}
        masked = np.array(sorted(i for i in docs if i < size), dtype=np.int64)
        bits = self.mask_bits
        for i in changed:
            if i < size:
                bits |= 1 << i
        # a copy first: a request of this worker may add a place while the refresher thread reads them
        places = {key: found for key, found in self.places.copy().items() if key[0] not in changed}
        return Recent(docs, masked, bits, places, held_of([doc for doc in docs.values() if doc is not None]))

    def place(self, index, doc: Doc, order: str) -> tuple:
        """Where the doc falls in a built order (`place`), found once per version of the doc."""
        key = (doc.id, order)
        if key not in self.places:
            self.places[key] = place(index, doc, order)
        return self.places[key]

    def unmasked(self, ids: np.ndarray) -> np.ndarray:
        """For each id, whether the build's facts of it still hold (it has not changed since)."""
        return ~np.isin(ids, self.masked, kind="sort") if len(self.masked) else np.ones(len(ids), dtype=bool)


class OrderKeys:
    """A stored order's keys as a sequence `bisect` can search (key(k) for the k-th of the order)."""

    def __init__(self, length: int, key):
        self.length, self.key = length, key

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, k: int):
        return self.key(k)


def name_place(index, doc: Doc) -> float:
    """Where the doc falls in the built name order (between two places: x.5)."""
    names, order = index.name_keys, index.orders["name"]
    keys = OrderKeys(len(order), lambda k: (names[k], int(order[k])))
    return bisect_left(keys, (doc.name, doc.id)) - 0.5


def place(index, doc: Doc, order: str) -> tuple:
    """Where the doc falls in one of the built orders (name, newest, size): between two built
    places (x.5), then among the changed records that fall there by the order's own keys."""
    at_name = name_place(index, doc)
    if order == "name":
        return (at_name, doc.name, doc.id)
    ordered, keys = index.orders[order], index.keys
    if order == "newest":
        found = OrderKeys(len(ordered), lambda k: (-int(keys["day"][ordered[k]]), -int(ordered[k])))
        return (bisect_left(found, (-doc.day, -doc.id)) - 0.5, -doc.day, -doc.id)
    ranks = index.columns.ranks["name"]
    by_size = OrderKeys(
        len(ordered),
        lambda k: (int(keys["tier"][ordered[k]]), -int(keys["staff"][ordered[k]]), int(ranks[ordered[k]])),
    )
    mine = (doc.tier, -doc.staff, at_name)
    return (bisect_left(by_size, mine) - 0.5, *mine, doc.name, doc.id)
