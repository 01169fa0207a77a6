"""A new build of the directory's index made from the current one and the records changed since.

What a compaction needs (app/directory/index_service.py): when the changed records a worker holds
beside the build pass COMPACT_AT, the machine's builder writes a build that holds them. Reading the
whole registry again for that (app/directory/index_build.py) costs a million rows for a thousand
changes; here the current build's arrays (memory-mapped) are copied with the changed ids taken out
and the changed records (app/directory/recent.py, read again from the registry) put in:

* a facet column (one value number per id) gets the records' values, a value not seen before added
  at the end of the facet's list; the platform and funding columns likewise;
* the name order gets each record inserted where a binary search over the built names puts it (the
  names, in that order, are spliced the same way); the newest and size orders, whose keys are
  columns per id, are sorted again over the listed ids (a second or so at a million);
* each text index gets the records' postings merged into its own: the changed ids' postings taken
  out, the records' words not yet in the vocabulary inserted in their sorted places, and (word, id)
  pairs merged into the sorted ones rather than sorted again.

The result answers every search as a full build of the same registry would (tests/test_index_merge.py
compares them); only the order of a facet's values in the meta may differ, which nothing shows.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

import numpy as np

from app.directory import facets as facet_lists
from app.directory import id_columns, index_files, text_index
from app.directory.changes import Position
from app.directory.recent import Doc, OrderKeys
from app.models.base import utcnow

FLAG_FACETS = ("digital", "startup", "products", "level")


def merge(index, docs: dict[int, Doc | None], into, position: Position, day: date) -> dict:
    """Put into `into` (a dict, or an index_files.Writer) the arrays of `index` (facet_index.FacetIndex)
    with the records of `docs` (id -> Doc, None: no longer listed) in place of its own, and return the
    meta of that build, read at `position` on `day`."""
    built_at = utcnow()
    changed = np.array(sorted(docs), dtype=np.int64)
    listed = [docs[i] for i in sorted(docs) if docs[i] is not None]
    ids = np.array([doc.id for doc in listed], dtype=np.int64)
    size = max(index.size, int(changed.max()) + 1 if len(changed) else 0)
    values: dict[str, list[str]] = {}
    for facet in (*facet_lists.GROUPED, *FLAG_FACETS):
        values[facet], into[f"code.{facet}"] = _column(index, facet, changed, listed, ids, size)
    platforms = sorted(set(index.columns.sets["platform"]) | {p for doc in listed for p in doc.platforms})
    for k, platform in enumerate(platforms):
        old = index.columns.sets["platform"].get(platform)
        into[f"platform.{k}"] = _marks(old, changed, ids[[platform in doc.platforms for doc in listed]], size)
    into["seeking"] = _marks(index.columns.seeking, changed, ids[[doc.seeking for doc in listed]], size)
    keys = {}
    for name, unknown in (("day", -1), ("tier", -1), ("staff", -1)):
        keys[name] = _per_id(index.keys[name], changed, ids, [getattr(doc, name) for doc in listed], size, unknown)
        into[f"key.{name}"] = keys[name]
    by_name = _name_order(index, changed, listed, into)
    _put_orders(by_name, keys, size, into)
    listed_count = len(by_name)
    del by_name, keys
    texts = {
        "words": lambda doc: doc.words,
        "names": lambda doc: doc.name_words,
        "typed": lambda doc: doc.typed_words,
        "first": lambda doc: doc.name_words[:1],
    }
    for name, words_of in texts.items():
        added = text_index.build(ids, [" ".join(words_of(doc)) for doc in listed])
        _merged_text(getattr(index, name), changed, added, size, into, f"text.{name}")
    return {
        "size": size,
        "day": day.isoformat(),
        "position": position.as_json(),
        "values": values,
        "platforms": platforms,
        "listed": listed_count,
        "built_at": built_at.isoformat(),
        "merged_into": index.name,
        "merged": len(docs),
    }


def _column(index, facet: str, changed: np.ndarray, listed: list[Doc], ids: np.ndarray, size: int):
    """A facet's value list and its column of value numbers per id, the records' values put in."""
    names = list(index.columns.values[facet])
    place = {value: k for k, value in enumerate(names)}
    numbers = []
    for doc in listed:
        value = doc.level if facet == "level" else doc.values.get(facet)
        if value and value not in place:
            place[value] = len(names)
            names.append(value)
        numbers.append(place[value] if value else -1)
    code = np.full(size, -1, dtype=np.int16)
    old = index.columns.codes[facet]
    code[: len(old)] = old
    code[changed] = -1
    code[ids] = np.array(numbers, dtype=np.int16)
    return names, code


def _marks(old: np.ndarray | None, changed: np.ndarray, marked: np.ndarray, size: int) -> np.ndarray:
    found = np.zeros(size, dtype=bool)
    if old is not None:
        found[: len(old)] = old
    found[changed] = False
    found[marked] = True
    return found


def _per_id(old: np.ndarray, changed: np.ndarray, ids: np.ndarray, new: list[int], size: int, unknown: int):
    out = np.full(size, unknown, dtype=old.dtype)
    out[: len(old)] = old
    out[changed] = unknown
    out[ids] = np.array(new, dtype=old.dtype)
    return out


def _name_order(index, changed: np.ndarray, listed: list[Doc], into) -> np.ndarray:
    """The listed ids in name order (name, then id), the names in that order put into `into` (a
    Strings' arrays): the built order without the changed ids, the records inserted where a binary
    search puts them."""
    order, names = index.orders["name"], index.name_keys
    kept = np.flatnonzero(~np.isin(order, changed, kind="sort")) if len(changed) else np.arange(len(order))
    keys = OrderKeys(len(kept), lambda k: (names[int(kept[k])], int(order[kept[k]])))
    records = sorted(listed, key=lambda doc: (doc.name, doc.id))
    at = np.array([bisect_left(keys, (doc.name, doc.id)) for doc in records], dtype=np.int64)
    by_name = np.insert(np.asarray(order[kept], dtype=np.int32), at, [doc.id for doc in records])
    _spliced(names, kept, at, [doc.name.encode() for doc in records], into, "names")
    return by_name


def _put_orders(by_name: np.ndarray, keys: dict[str, np.ndarray], size: int, into) -> None:
    """The three stored orders over the listed ids, as index_build._orders defines them, and each
    id's place in them, put into `into` one order at a time (32-bit keys: the same sort)."""
    ids = by_name.astype(np.int32)  # the ids are in name order (name, then id): each one's place is its rank
    _put_order("name", ids, size, into)
    day = keys["day"][ids].astype(np.int32)
    _put_order("newest", ids[np.lexsort((-ids, -day))], size, into)
    del day
    staff, tier = keys["staff"][ids].astype(np.int32), keys["tier"][ids].astype(np.int32)
    _put_order("size", ids[np.lexsort((np.arange(len(ids), dtype=np.int32), -staff, tier))], size, into)


def _put_order(name: str, ordered: np.ndarray, size: int, into) -> None:
    into[f"order.{name}"] = ordered
    into[f"rank.{name}"] = id_columns.ranks(size, {name: ordered})[name]


def _spliced(strings: text_index.Strings, kept: np.ndarray, at: np.ndarray, added: list[bytes], into, prefix: str):
    """Put into `into` the arrays of a Strings holding the entries `kept` (increasing) of `strings`,
    and `added` inserted before the kept entry `at[k]` (increasing; at the end for len(kept)): the
    bytes written run by run, never all of them in memory at once."""
    offsets = np.asarray(strings.offsets, dtype=np.int64)
    kept_lengths = np.diff(offsets)[kept]
    new_lengths = np.insert(kept_lengths, at, [len(b) for b in added]) if len(added) else kept_lengths
    new_offsets = np.zeros(len(new_lengths) + 1, dtype=np.int64)
    np.cumsum(new_lengths, out=new_offsets[1:])
    blob = index_files.column(into, f"{prefix}.blob", np.uint8, int(new_offsets[-1]))
    done = 0
    for k, where in enumerate([*at.tolist(), len(kept)]):
        for run in _runs(kept[done:where]):
            blob.append(strings.blob[offsets[run[0]] : offsets[run[-1] + 1]])
        if k < len(added):
            blob.append(np.frombuffer(added[k], dtype=np.uint8))
        done = where
    blob.close()
    into[f"{prefix}.offsets"] = new_offsets


def _runs(entries: np.ndarray) -> list[np.ndarray]:
    """Increasing entries split into runs of consecutive ones."""
    if not len(entries):
        return []
    return np.split(entries, np.flatnonzero(np.diff(entries) != 1) + 1)


def _merged_text(old: text_index.TextIndex, changed: np.ndarray, added: text_index.TextIndex, size: int, into, prefix):
    """Put into `into` a text index's arrays: `old` without the changed ids' postings, with `added`'s
    merged in."""
    vocabulary = old.words
    new_words = [added.words[k] for k in range(len(added.words))]  # sorted
    at = np.array([bisect_left(vocabulary, w) for w in new_words], dtype=np.int64)
    present = np.array(
        [a < len(vocabulary) and vocabulary[a] == w for a, w in zip(at.tolist(), new_words, strict=True)], dtype=bool
    )
    fresh = np.flatnonzero(~present)
    fresh_at = at[fresh]  # the j-th fresh word goes before old word fresh_at[j]: its number is fresh_at[j] + j
    old_to_new = np.arange(len(vocabulary)) + np.searchsorted(fresh_at, np.arange(len(vocabulary)), side="right")
    added_to_new = np.empty(len(new_words), dtype=np.int64)
    added_to_new[present] = old_to_new[at[present]]
    added_to_new[fresh] = fresh_at + np.arange(len(fresh))
    added_word = np.repeat(np.arange(len(new_words), dtype=np.int64), np.diff(np.asarray(added.starts)))
    added_ids = np.asarray(added.postings, dtype=np.int64)
    order = np.argsort(added_to_new[added_word] * size + added_ids, kind="stable")  # (word, id) order
    extra = _Added(added_to_new[added_word][order], added_ids[order], at[added_word][order])
    total = len(vocabulary) + len(fresh)
    into[f"{prefix}.starts"] = _merged_postings(old, changed, old_to_new, extra, total, size, into, prefix)
    _spliced(vocabulary, np.arange(len(vocabulary)), fresh_at, [new_words[k].encode() for k in fresh], into, prefix)


@dataclass(frozen=True)
class _Added:
    """The records' postings in (word, id) order: each one's merged word, id, and the old word its
    word is or comes just before (its anchor: the block of old words it is merged into)."""

    word: np.ndarray
    id: np.ndarray
    anchor: np.ndarray


BLOCKS = 32  # a text index's postings are merged this many blocks of words at a time


def _merged_postings(old, changed, old_to_new: np.ndarray, extra: _Added, total: int, size: int, into, prefix: str):
    """Write the merged postings (int32) into `into` and return their starts, made a block of the
    old vocabulary at a time so that neither the temporary (word, id) numbers nor the postings are
    ever whole in memory: the block's postings without the changed ids, and the added ones anchored
    in it, merged in (word, id) order."""
    starts = np.asarray(old.starts, dtype=np.int64)
    vocabulary_size, count = len(starts) - 1, int(starts[-1])
    removed = _removed(old.postings, changed) if len(changed) and count else 0
    out = index_files.column(into, f"{prefix}.postings", np.int32, count - removed + len(extra.id))
    starts_out = np.zeros(total + 1, dtype=np.int64)
    step = max(1, -(-count // BLOCKS))
    edges = np.searchsorted(starts, np.arange(0, count, step), side="right") - 1
    edges = np.unique(np.concatenate(([0], np.clip(edges, 0, vocabulary_size), [vocabulary_size])))
    filled = first = 0
    for low, high in itertools.pairwise(edges.tolist()):
        last = high == vocabulary_size
        segment = np.asarray(old.postings[starts[low] : starts[high]], dtype=np.int64)
        keep = ~np.isin(segment, changed, kind="table") if len(changed) and len(segment) else slice(None)
        pairs = old_to_new[np.repeat(np.arange(low, high), np.diff(starts[low : high + 1]))[keep]] * size
        pairs += segment[keep]
        mine = (extra.anchor >= low) & ((extra.anchor < high) | last)
        if mine.any():
            added = extra.word[mine] * size + extra.id[mine]
            pairs = np.insert(pairs, np.searchsorted(pairs, added), added)
        after = total if last else _first_word(high, old_to_new, extra)
        starts_out[first : after + 1] = filled + np.searchsorted(pairs, np.arange(first, after + 1) * size)
        out.append(pairs % size)
        filled, first = filled + len(pairs), after
    if vocabulary_size == 0:  # no old word: the added ones alone
        pairs = extra.word * size + extra.id
        starts_out[:] = np.searchsorted(pairs, np.arange(total + 1) * size)
        out.append(pairs % size)
    out.close()
    return starts_out


def _removed(postings: np.ndarray, changed: np.ndarray) -> int:
    """How many postings name a changed id, counted a block at a time (never a mask of them all)."""
    step = max(1, -(-len(postings) // BLOCKS))
    return sum(int(np.isin(postings[k : k + step], changed, kind="table").sum()) for k in range(0, len(postings), step))


def _first_word(old_word: int, old_to_new: np.ndarray, extra: _Added) -> int:
    """The merged number of the first word of the block that starts at `old_word`: the fresh words
    inserted just before it come first."""
    before = extra.word[extra.anchor == old_word]
    return int(min(int(old_to_new[old_word]), int(before.min()) if len(before) else int(old_to_new[old_word])))
