"""The directory's index on disk: one folder of arrays per build, memory-mapped by every worker.

A build (app/directory/index_service.py) writes its arrays as `.npy` files, each as soon as it is
made, and its meta as `meta.json` into a new folder, renames the folder into place and then points `CURRENT` at it
(written beside and renamed: both steps are atomic on one file system). A worker opens the
folder `CURRENT` names with `numpy.load(mmap_mode="r")`: the arrays are pages of the file in the
operating system's cache, shared by every process of the machine that reads them and never copied
into a worker. A folder being written is never named by `CURRENT`, so no reader sees half a build;
an older folder is removed once a newer one is current (a worker still reading it keeps its pages
until it lets go: removing a mapped file does not take it away).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

FORMAT = 2  # the layout and meaning below (2: the label facets count verified labels only); another is built again
KEEP = 2  # folders kept: the current one and the one before


def folder(instance_path: str, configured: str | None) -> Path:
    return Path(configured) if configured else Path(instance_path) / "directory-index"


class Writer:
    """One build being written: each array is saved into a folder no reader names (`.build-…`) as
    soon as it is made, and let go, so that a build never holds all its arrays at once; `commit`
    writes the meta, renames the folder into place and makes it current. Used as a mapping of
    arrays (`writer[key] = array`, `writer.update(...)`)."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root, self.name = root, f"build-{time.time_ns()}-{os.getpid()}"
        self.partial = root / f".{self.name}"
        self.partial.mkdir()
        self.keys: list[str] = []

    def __setitem__(self, key: str, array: np.ndarray) -> None:
        np.save(self.partial / f"{key}.npy", np.ascontiguousarray(array), allow_pickle=False)
        self.keys.append(key)

    def update(self, arrays: dict[str, np.ndarray]) -> None:
        for key, array in arrays.items():
            self[key] = array

    def column(self, key: str, dtype, length: int) -> Column:
        """An array of `length` items written a piece at a time (`append`, then `close`), so that
        it is never whole in memory: a merge writes the postings and names this way."""
        self.keys.append(key)
        return FileColumn(self.partial / f"{key}.npy", np.dtype(dtype), length)

    def publish(self, meta: dict) -> Path:
        """Make the build current; returns its folder."""
        (self.partial / "meta.json").write_text(json.dumps({**meta, "format": FORMAT, "arrays": sorted(self.keys)}))
        os.rename(self.partial, self.root / self.name)
        pointer = self.root / f".CURRENT-{os.getpid()}"
        pointer.write_text(self.name)
        os.replace(pointer, self.root / "CURRENT")
        _remove_old(self.root, self.name)
        return self.root / self.name

    def abandon(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)


class Column:
    """An array made in order, a piece at a time: `append` the pieces, then `close`."""

    length: int
    done: int = 0

    def append(self, piece: np.ndarray) -> None:
        if self.done + len(piece) > self.length:
            raise ValueError(f"{self.done + len(piece)} items for a column of {self.length}")
        self._put(piece)
        self.done += len(piece)

    def close(self) -> None:
        if self.done != self.length:
            raise ValueError(f"{self.done} items written of {self.length}")
        self._finish()

    def _put(self, piece: np.ndarray) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError


class FileColumn(Column):
    """A column written into its `.npy` file as it comes (the header first: the length is known)."""

    def __init__(self, path: Path, dtype: np.dtype, length: int) -> None:
        self.dtype, self.length, self.file = dtype, length, open(path, "wb")  # noqa: SIM115 — closed by close()
        header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (length,)}
        np.lib.format.write_array_header_1_0(self.file, header)

    def _put(self, piece: np.ndarray) -> None:
        self.file.write(np.ascontiguousarray(piece, dtype=self.dtype).tobytes())

    def _finish(self) -> None:
        self.file.close()


class MemoryColumn(Column):
    """A column made in memory and put into a dict of arrays when closed (a build held in memory)."""

    def __init__(self, into: dict, key: str, dtype, length: int) -> None:
        self.into, self.key, self.length, self.array = into, key, length, np.empty(length, dtype=dtype)

    def _put(self, piece: np.ndarray) -> None:
        self.array[self.done : self.done + len(piece)] = piece

    def _finish(self) -> None:
        self.into[self.key] = self.array


def column(into, key: str, dtype, length: int) -> Column:
    """A column of `into`: written to its file by a Writer, made in memory for a dict."""
    return into.column(key, dtype, length) if isinstance(into, Writer) else MemoryColumn(into, key, dtype, length)


def write(root: Path, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    """Write one build whose arrays are all made, and make it current; returns its folder."""
    writer = Writer(root)
    writer.update(arrays)
    return writer.publish(meta)


def current_name(root: Path) -> str | None:
    try:
        return (root / "CURRENT").read_text().strip() or None
    except FileNotFoundError:
        return None


def read(root: Path, name: str) -> tuple[dict[str, np.ndarray], dict] | None:
    """The arrays (memory-mapped) and meta of a build, None if it is gone or of another layout."""
    try:
        meta = json.loads((root / name / "meta.json").read_text())
        if meta.get("format") != FORMAT:
            return None
        arrays = {key: np.load(root / name / f"{key}.npy", mmap_mode="r") for key in meta["arrays"]}
    except (FileNotFoundError, ValueError):
        return None
    return arrays, meta


def size_on_disk(root: Path, name: str) -> int:
    return sum(f.stat().st_size for f in (root / name).iterdir())


def _remove_old(root: Path, keep: str) -> None:
    builds = sorted((p for p in root.iterdir() if p.is_dir() and p.name.startswith("build-")), key=_built_at)
    for old in [p for p in builds if p.name != keep][: max(0, len(builds) - KEEP)]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".build-*"):  # a build that died half-way, more than an hour ago
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def _built_at(path: Path) -> int:
    return int(path.name.split("-")[1])
