"""A search with few matches, answered from one column per facet instead of the facet values' bitmaps.

A bitmap of a million enterprises is 125 KB, and counting a facet intersects the matches with the
bitmap of each of its values: some 150 intersections of 125 KB for a page of facets, whether the
text matched two hundred enterprises or half the registry. That is what made a narrow search at a
million slower than the same search at ten thousand (P3). When the text matches at most FEW
enterprises (app/directory/text_index.py, `few_matches`), the matches stay a sorted array of ids
and each facet is read from a column giving every enterprise's value as a number (its place in the
facet's list of values, -1 for none): a filter is one comparison over the matches, a facet's
counts one `bincount`, and a page sorts the matches by their place in a stored order. The work
follows the number of matches, not the size of the registry; the answers are the bitmaps' own
(tests/test_directory.py compares both ways on every kind of query).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEW = 20_000  # matches kept as ids: ~1 ms of facets at most, where the bitmaps cost ~3 ms at a million
UNLISTED = np.iinfo(np.int32).max  # the place in an order of an id the directory does not list


@dataclass(frozen=True)
class Columns:
    values: dict[str, list[str]]  # facet -> its values: codes[facet][id] is a place in this list, -1 none
    codes: dict[str, np.ndarray]  # the facets an enterprise has one value of (int16 per id)
    sets: dict[str, dict[str, np.ndarray]]  # a facet it may have several values of (platform): a boolean per id
    seeking: np.ndarray  # a boolean per id: looking for funding
    ranks: dict[str, np.ndarray]  # "name", "newest", "size" -> each listed id's place in that order

    def listed(self, ids: np.ndarray) -> np.ndarray:
        """For each id, whether the directory lists it (a place in the name order)."""
        return self.ranks["name"][ids] != UNLISTED

    def holds(self, facet: str, key: str, ids: np.ndarray) -> np.ndarray:
        """For each id, whether it has the value `key` of the facet."""
        if facet in self.sets:
            found = self.sets[facet].get(key)
            return found[ids] if found is not None else np.zeros(len(ids), dtype=bool)
        try:
            place = self.values[facet].index(key)
        except ValueError:
            return np.zeros(len(ids), dtype=bool)
        return self.codes[facet][ids] == place

    def counted(self, facet: str, ids: np.ndarray) -> list[tuple[str, int]]:
        """Each of the facet's values the ids have, with how many have it."""
        if facet in self.sets:
            return [(value, n) for value, found in self.sets[facet].items() if (n := int(found[ids].sum()))]
        names = self.values[facet]
        numbers = np.bincount(self.codes[facet][ids].astype(np.int64) + 1, minlength=len(names) + 1)[1:]
        return [(names[k], int(numbers[k])) for k in np.flatnonzero(numbers)]

    def in_order(self, ids: np.ndarray, order: str) -> np.ndarray:
        """The ids in a stored order."""
        return ids[np.argsort(self.ranks[order][ids], kind="stable")]


def single(size: int, ids: np.ndarray, numbered: np.ndarray, found) -> tuple[list[str], np.ndarray]:
    """The column of a facet read with the enterprises (`ids[k]` has `found[numbered[k]]`, -1 none);
    an empty value is none."""
    code = np.full(size, -1, dtype=np.int16)
    code[ids] = numbered
    for place, value in enumerate(found):
        if not value:
            code[code == place] = -1
    return [str(value) for value in found], code


def grouped(size: int, groups: dict[str, list[int]]) -> tuple[list[str], np.ndarray]:
    """The column of a facet read as the ids of each value (an enterprise has at most one)."""
    code = np.full(size, -1, dtype=np.int16)
    for place, found in enumerate(groups.values()):
        code[np.asarray(found, dtype=np.int64)] = place
    return list(groups), code


def marked(size: int, ids) -> np.ndarray:
    """A boolean per id: whether it is one of `ids`."""
    found = np.zeros(size, dtype=bool)
    found[np.asarray(ids, dtype=np.int64)] = True
    return found


def ranks(size: int, orders: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each id's place in each stored order (UNLISTED for the ids it does not list)."""
    out = {}
    for name, ordered in orders.items():
        rank = np.full(size, UNLISTED, dtype=np.int32)
        rank[ordered] = np.arange(len(ordered), dtype=np.int32)
        out[name] = rank
    return out
