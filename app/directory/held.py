"""The changed records held beside the build, as columns: tested and counted with numpy, not one by one.

app/directory/recent.py reads each changed enterprise again as a `Doc`. A search must test all of
them against its conditions, count their facet values and place the matching ones in its order;
done record by record in Python that costs tens of milliseconds per thousand records
(benchmarks/live_index.py). Here the listed ones are numbered 0..n-1 and held as the build holds its
own: word postings (app/directory/text_index.py) for the text and the relevance tiers, one column
per facet, and each record's rank among them in every stored order. A search's cost then follows
the number of records held no more than a build's does its size, and the records a page needs are
placed in the build's order only when they can reach the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app.directory import facets as facet_lists
from app.directory import text_index

if TYPE_CHECKING:
    from app.directory import search


@dataclass(frozen=True)
class Held:
    docs: list  # recent.Doc, in local order (by id)
    ids: np.ndarray  # their enterprise ids
    words: text_index.TextIndex  # local numbers: search_text's words
    names: text_index.TextIndex  # name_folded's
    typed: text_index.TextIndex  # name_lower's
    first: text_index.TextIndex  # the first word of name_folded
    values: dict[str, np.ndarray]  # facet -> its value per record (object; None: none); flags and level too
    platforms: dict[str, np.ndarray]  # platform -> a boolean per record
    seeking: np.ndarray
    tech: np.ndarray  # digital technology or startup: the investors' view
    ranks: dict[str, np.ndarray]  # "name", "newest", "size" -> each record's rank among them in that order

    def __len__(self) -> int:
        return len(self.ids)

    def holds(self, facet: str, key: str) -> np.ndarray:
        if facet == "platform":
            found = self.platforms.get(key)
            return found if found is not None else np.zeros(len(self), dtype=bool)
        return self.values[facet] == key

    def counted(self, facet: str, chosen: np.ndarray) -> dict[str, int]:
        if facet == "platform":
            return {p: n for p, sells in self.platforms.items() if (n := int((sells & chosen).sum()))}
        found: dict[str, int] = {}
        for value in self.values[facet][chosen]:
            if value is not None:
                found[value] = found.get(value, 0) + 1
        return found


def held_of(docs: list) -> Held:
    """The columns of the listed changed records (`docs`, recent.Doc)."""
    docs = sorted(docs, key=lambda doc: doc.id)
    local = np.arange(len(docs), dtype=np.int64)

    def text(words_of) -> text_index.TextIndex:
        return text_index.build(local, [" ".join(words_of(doc)) for doc in docs])

    values = {
        facet: np.array([doc.level if facet == "level" else doc.values.get(facet) for doc in docs] + [None], object)[
            :-1
        ]
        for facet in (*facet_lists.GROUPED, "digital", "startup", "products", "level")
    }
    platforms: dict[str, np.ndarray] = {}
    for k, doc in enumerate(docs):
        for platform in doc.platforms:
            platforms.setdefault(platform, np.zeros(len(docs), dtype=bool))[k] = True
    ids = np.array([doc.id for doc in docs], dtype=np.int64)
    names = [doc.name for doc in docs]
    by_name = sorted(range(len(docs)), key=lambda k: (names[k], docs[k].id))
    name_rank = np.empty(len(docs), dtype=np.int64)
    name_rank[by_name] = local
    day = np.array([doc.day for doc in docs], dtype=np.int64)
    tier = np.array([doc.tier for doc in docs], dtype=np.int64)
    staff = np.array([doc.staff for doc in docs], dtype=np.int64)
    return Held(
        docs,
        ids,
        text(lambda doc: doc.words),
        text(lambda doc: doc.name_words),
        text(lambda doc: doc.typed_words),
        text(lambda doc: doc.name_words[:1]),
        values,
        platforms,
        np.array([doc.seeking for doc in docs], dtype=bool),
        np.array([bool(doc.values.get("digital") or doc.values.get("startup")) for doc in docs], dtype=bool),
        {
            "name": name_rank,
            "newest": _rank(np.lexsort((-ids, -day))),
            "size": _rank(np.lexsort((name_rank, -staff, tier))),
        },
    )


def _rank(order: np.ndarray) -> np.ndarray:
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def text_mask(held: Held, terms: list[str], code_ids: set[int] | None) -> np.ndarray:
    """Which records the query's text (or its enterprise code) selects."""
    if code_ids is not None:
        return np.isin(held.ids, np.fromiter(code_ids, dtype=np.int64, count=len(code_ids)))
    return held.words.matches(terms, len(held)) if terms else np.ones(len(held), dtype=bool)


def tiers(held: Held, query: search.Query) -> np.ndarray:
    """Each record's relevance tier (0 best), as the build's are ranked (facet_index._tiers)."""
    n = len(held)
    exact = held.typed.matches(query.q.lower().split(), n, every_prefix=True)
    in_name = held.names.matches(query.terms, n, every_prefix=True)
    starts = held.first.matches(query.terms[:1], n, every_prefix=True)
    return (~exact).astype(np.int64) * 4 + (~in_name) * 2 + (~starts)
