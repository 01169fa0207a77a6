#!/usr/bin/env python3
"""Issue 24, "choose by measuring": the directory's facet counting done two ways on one build.

The index keeps, per facet value, the set of enterprises that have it; a search counts each value
among its matches. Two ways to hold those sets, on the same build and the same stream of queries:

- **int** (what app/directory/facet_index.py does): a Python int per value, bit n for id n, made in
  each worker from the build's memory-mapped columns; a count is `(matches & value).bit_count()`.
- **app**: what a search does today: with at most FEW (20,000) matches the ids stay an array and each
  facet is counted from its column of value numbers (app/directory/id_columns.py, one `bincount`);
  with more, the int bitmaps above.
- **roaring**: a `pyroaring.BitMap` per value (compressed bitmaps, what Lucene and Pilosa use); a
  count is `matches.intersection_cardinality(value)`. A roaring bitmap cannot be read in place from
  a memory-mapped file (`deserialize` copies), so each worker would hold its own copy too.

For each of --queries distinct queries (one or two words of the build's vocabulary, from rare to
common, as a stream of visitors types them) it times the whole facet count both ways, the matches
made from the word postings both ways, and prints the medians and p95s, each design's memory for
the value sets, and the time a worker takes to make them when it opens the build. Reads only the
build's `.npy` files (no app, no database); pyroaring is not a dependency of the app:

    python3 -m venv /tmp/roar && /tmp/roar/bin/pip install pyroaring numpy
    /tmp/roar/bin/python benchmarks/bitmap_designs.py /tmp/m1/inst/directory-index --queries 300
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

try:
    from pyroaring import BitMap
except ImportError:  # pragma: no cover - a benchmark's own dependency
    sys.exit("pyroaring is not installed: see the module's docstring.")


FEW = 20_000  # app/directory/id_columns.FEW


def load(folder: Path) -> tuple[dict[str, np.ndarray], dict]:
    name = (folder / "CURRENT").read_text().strip()
    meta = json.loads((folder / name / "meta.json").read_text())
    arrays = {key: np.load(folder / name / f"{key}.npy", mmap_mode="r") for key in meta["arrays"]}
    return arrays, meta


def packed(mask: np.ndarray) -> int:
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def value_sets(arrays, meta) -> tuple[dict, dict, float, float]:
    """Per facet value, its ids as a Python int and as a roaring bitmap; and the seconds each took."""
    ints, roaring, seconds = {}, {}, {"int": 0.0, "roaring": 0.0}
    for facet, names in meta["values"].items():
        codes = np.asarray(arrays[f"code.{facet}"])
        for k, value in enumerate(names):
            if value:
                chosen = codes == k
                started = time.perf_counter()
                ints[(facet, value)] = packed(chosen)
                made = time.perf_counter()
                roaring[(facet, value)] = BitMap(np.flatnonzero(chosen).astype(np.uint32))
                seconds["int"] += made - started
                seconds["roaring"] += time.perf_counter() - made
    return ints, roaring, seconds["int"], seconds["roaring"]


def queries(arrays, count: int, seed: int) -> list[np.ndarray]:
    """Postings of `count` distinct queries: one word, or two words' intersection, of every frequency."""
    rng = random.Random(seed)
    starts = np.asarray(arrays["text.words.starts"])
    postings = arrays["text.words.postings"]
    sizes = np.diff(starts)
    words = np.flatnonzero(sizes > 0)
    by_size = words[np.argsort(sizes[words])]
    found, seen = [], set()
    while len(found) < count:
        picks = tuple(sorted(int(by_size[int(len(by_size) * rng.random() ** 0.3)]) for _ in range(rng.choice((1, 2)))))
        if picks in seen:
            continue
        seen.add(picks)
        ids = np.asarray(postings[starts[picks[0]] : starts[picks[0] + 1]])
        for other in picks[1:]:
            ids = np.intersect1d(ids, np.asarray(postings[starts[other] : starts[other + 1]]))
        found.append(np.unique(ids).astype(np.int64))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="an index folder (INSTANCE_PATH/directory-index)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=24)
    args = parser.parse_args()
    arrays, meta = load(args.folder)
    size = meta["size"]
    ints, roaring, int_open, roaring_open = value_sets(arrays, meta)
    stream = queries(arrays, args.queries, args.seed)
    timing = {"int matches": [], "int counts": [], "app counts": [], "roaring matches": [], "roaring counts": []}
    columns = {facet: np.asarray(arrays[f"code.{facet}"]).astype(np.int64) + 1 for facet in meta["values"]}
    for ids in stream:
        started = time.perf_counter()
        mask = np.zeros(size, dtype=bool)
        mask[ids] = True
        matches = packed(mask)
        made = time.perf_counter()
        int_counts = {key: (matches & bits).bit_count() for key, bits in ints.items()}
        counted = time.perf_counter()
        timing["int matches"].append(made - started)
        timing["int counts"].append(counted - made)
        started = time.perf_counter()
        if len(ids) <= FEW:
            app_counts = {
                facet: np.bincount(codes[ids], minlength=len(meta["values"][facet]) + 1)
                for facet, codes in columns.items()
            }
        else:
            app_counts = int_counts
        timing["app counts"].append(time.perf_counter() - started + (0 if len(ids) <= FEW else counted - made))
        assert app_counts is not None
        started = time.perf_counter()
        matched = BitMap(ids.astype(np.uint32))
        made = time.perf_counter()
        roaring_counts = {key: matched.intersection_cardinality(bits) for key, bits in roaring.items()}
        counted = time.perf_counter()
        timing["roaring matches"].append(made - started)
        timing["roaring counts"].append(counted - made)
        assert roaring_counts == int_counts  # the same answer both ways
    print(f"build: {meta['listed']:,} listed enterprises, {len(ints)} facet values; {len(stream)} distinct queries")
    print(
        f"matches per query: median {statistics.median(len(q) for q in stream):,.0f}, max {max(len(q) for q in stream):,}"
    )
    for name, seconds in timing.items():
        seconds = sorted(seconds)
        print(
            f"  {name:16s} median {1000 * statistics.median(seconds):7.3f} ms"
            f"  p95 {1000 * seconds[int(0.95 * (len(seconds) - 1))]:7.3f} ms"
        )
    int_bytes = sum((bits.bit_length() + 7) // 8 for bits in ints.values())
    roaring_bytes = sum(len(bits.serialize()) for bits in roaring.values())
    print(
        f"  value sets in memory: int {int_bytes / 2**20:.1f} MB (made in {int_open:.2f} s per worker), "
        f"roaring {roaring_bytes / 2**20:.1f} MB serialized (made in {roaring_open:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
