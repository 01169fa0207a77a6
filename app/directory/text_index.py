"""The directory's words in memory: for each folded word of `search_text`, the enterprises that have it.

What the full-text index answers (app/registry/fulltext.py: every term a word, the last one a
prefix), answered in the worker as a bitmap, so that a text matching half the registry is counted,
faceted and paged like a narrow one (app/directory/facet_index.py). `search_text` holds folded
words separated by single spaces, the way FTS5 and PostgreSQL's `simple` parser split it, so
splitting on spaces here finds the same enterprises; tests/test_directory.py checks it on both engines.

The postings of all words sit in one array, ordered by word: the words starting with a prefix are
neighbours in the sorted vocabulary, so their enterprises are one slice of it, whatever the prefix.
The vocabulary is one block of UTF-8 bytes with the words' offsets (`Strings`), so that the whole
index is a handful of arrays a file can hold and every worker can memory-map (app/directory/index_files.py).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

_AFTER_EVERY_WORD = "\U0010ffff"


class Strings:
    """A sorted list of strings kept as one block of UTF-8 bytes and their offsets: what `bisect`
    searches, read from a memory-mapped file without making a Python string of each."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self.blob, self.offsets = blob, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, k: int) -> str:
        return bytes(self.blob[self.offsets[k] : self.offsets[k + 1]]).decode()


def strings(values: list[str]) -> dict[str, np.ndarray]:
    """The arrays of a `Strings`."""
    encoded = [value.encode() for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return {"blob": np.frombuffer(b"".join(encoded), dtype=np.uint8), "offsets": offsets}


@dataclass(frozen=True)
class TextIndex:
    words: Strings  # the vocabulary, sorted (code points: the order of the folded words)
    starts: np.ndarray  # postings[starts[k]:starts[k + 1]] are the enterprises of words[k]
    postings: np.ndarray  # enterprise ids, grouped by word

    def _slice(self, low: str, high: str) -> np.ndarray:
        first, last = bisect_left(self.words, low), bisect_left(self.words, high)
        return self.postings[self.starts[first] : self.starts[last]]

    def matches(self, terms: list[str], size: int, every_prefix: bool = False) -> np.ndarray:
        """Which enterprises (a boolean per id below `size`) have every term as a word, the last as a
        prefix (`every_prefix`: each term as the start of a word)."""
        found = None
        for position, term in enumerate(terms):
            prefix = every_prefix or position == len(terms) - 1
            ids = self._slice(term, term + _AFTER_EVERY_WORD) if prefix else self._slice(term, term + "\0")
            chosen = np.zeros(size, dtype=bool)
            chosen[ids] = True
            found = chosen if found is None else found & chosen
        return found if found is not None else np.zeros(size, dtype=bool)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "blob": self.words.blob,
            "offsets": self.words.offsets,
            "starts": self.starts,
            "postings": self.postings,
        }

    @classmethod
    def of(cls, arrays: dict[str, np.ndarray]) -> TextIndex:
        return cls(Strings(arrays["blob"], arrays["offsets"]), arrays["starts"], arrays["postings"])

    def few_matches(self, terms: list[str], limit: int) -> np.ndarray | None:
        """The ids `matches` selects, sorted, when the rarest term's words hold at most `limit`
        postings (so the matches are at most that many); None otherwise."""
        if not terms:
            return None
        postings = [
            self._slice(term, term + (_AFTER_EVERY_WORD if position == len(terms) - 1 else "\0"))
            for position, term in enumerate(terms)
        ]
        rarest = min(range(len(terms)), key=lambda k: len(postings[k]))
        if len(postings[rarest]) > limit:
            return None
        found = np.unique(postings[rarest])
        for k, other in enumerate(postings):
            if k != rarest:
                found = found[np.isin(found, other, kind="table")] if len(found) else found
        return found.astype(np.int64)


CHUNK = 100_000  # texts split at a time: their words are short-lived objects
PANDAS_FROM = 50_000  # values: fewer are numbered with a dict (a web worker's held records need no pandas)


def factorize(values) -> tuple[np.ndarray, list]:
    """Number the values in order of first appearance: (each value's number, the distinct values).
    Many are numbered by pandas (in C); a few — a worker's changed records — with a dict, so that a
    web worker never imports pandas (about 30 MB and a third of a second on its first search)."""
    if len(values) >= PANDAS_FROM:
        import pandas as pd  # here: only a build needs it; a web worker and a command save 30–40 MB

        codes, found = pd.factorize(np.asarray(values, dtype=object))
        return codes.astype(np.int64), list(found)
    first: dict = {}
    codes = np.fromiter((first.setdefault(v, len(first)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(first)


class Builder:
    """A text index built from texts given a chunk at a time, so that a build never holds every text
    at once: each chunk's words are numbered (`factorize`) and kept as an array of word numbers and
    each text's count of pieces; `finish` renumbers the words in the sorted vocabulary and groups the
    postings by word."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.words_of: list[np.ndarray] = []
        self.counts_of: list[np.ndarray] = []  # per text, its pieces (words, and empty ones)
        self.rows = 0

    def add(self, texts) -> None:
        """The texts of the next rows (None: no words)."""
        for start in range(0, len(texts), CHUNK):
            chunk = [text or "" for text in texts[start : start + CHUNK]]
            flat = " ".join(chunk).split(" ")  # one split; text k has exactly count(" ") + 1 pieces
            counts = np.fromiter((text.count(" ") + 1 for text in chunk), dtype=np.int32, count=len(chunk))
            local, found = factorize(flat)
            codes = self.codes
            known = np.fromiter((codes.setdefault(w, len(codes)) for w in found), dtype=np.int32, count=len(found))
            self.words_of.append(known[local])
            self.counts_of.append(counts.astype(np.int32))
            self.rows += len(chunk)

    def finish(self, ids: np.ndarray) -> TextIndex:
        """The index, row k of the texts added being the enterprise `ids[k]`; a word once per text."""
        codes = self.codes
        empty = codes.pop("", None)  # the piece an empty text or a double space leaves is no word
        words = sorted(codes)
        rank = np.full(len(words) + (empty is not None), -1, dtype=np.int64)
        rank[np.fromiter((codes[w] for w in words), dtype=np.int64, count=len(words))] = np.arange(len(words))
        rows = max(self.rows, 1)
        pieces, first = [], 0
        for words_of, counts in zip(self.words_of, self.counts_of, strict=True):
            pieces.append(_pairs(rank[words_of], np.repeat(np.arange(first, first + len(counts)), counts), rows))
            first += len(counts)
        pairs = np.concatenate(pieces or [np.zeros(0, np.int64)])
        del pieces
        self.words_of, self.counts_of, self.codes = [], [], {}
        pairs.sort()  # by word, then row; np.unique's hashing is several times slower here
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
        postings = ids[pairs % rows].astype(np.int32)
        starts = np.searchsorted(pairs // rows, np.arange(len(words) + 1)).astype(np.int64)
        vocabulary = strings(words)
        return TextIndex(Strings(vocabulary["blob"], vocabulary["offsets"]), starts, postings)


def _pairs(word_rank: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """(word, row) as one sortable number, the empty word left out."""
    kept = word_rank >= 0
    return word_rank[kept] * size + rows[kept]


def build(ids: np.ndarray, texts) -> TextIndex:
    """The index of the listed enterprises' texts (`ids[k]` has `texts[k]`): a few seconds at a million."""
    builder = Builder()
    builder.add(texts)
    return builder.finish(ids)
