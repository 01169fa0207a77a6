"""Reading the listed registry into the arrays of the directory's index (app/directory/facet_index.py).

One statement reads every listed enterprise's facet values, names, words and sort keys, a chunk of
rows at a time, each chunk reduced to numbers (pandas numbers a column's values in C) before the
next is read, so that the build's memory follows its arrays, not the rows' Python objects. The same reading, for a handful of ids and with the ones no
longer listed, is what the index's recent changes are made of (app/directory/recent.py), so a record
reads the same whichever way it arrives. The arrays are written to files (app/directory/index_files.py)
and memory-mapped by every worker of the machine.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import and_, select

from app.directory import facets as facet_lists
from app.directory import id_columns, search, text_index
from app.directory.changes import Position
from app.directory.changes import now as log_position
from app.extensions import db
from app.i18n import local_today
from app.models import Enterprise, LatestAssessment, Listing, Product
from app.models.base import utcnow
from app.registry import certificates

TEXTS = {"words": "search_text", "names": "name_folded", "typed": "name_lower", "first": None}
ORDERS = ("name", "newest", "size")


def selected() -> dict:
    """The enterprise's columns the index holds."""
    return {
        "id": Enterprise.id,
        **facet_lists.GROUPED,  # sector, commune, size, legal_form, stage
        "digital": Enterprise.verified_digital_tech,  # a label the department verified
        "startup": Enterprise.verified_startup,
        "shows_readiness": Enterprise.shows_readiness,
        "seeking": Enterprise.funding_sought_vnd > 0,
        "name_sort": Enterprise.name_sort,
        "founded_on": Enterprise.founded_on,
        "employees": Enterprise.employees,
        "search_text": Enterprise.search_text,
        "name_folded": Enterprise.name_folded,
        "name_lower": Enterprise.name_lower,
    }


def certified_ids(ids=None) -> set[int]:
    """The enterprises (of `ids`, or all) with a product whose certificate counts today."""
    statement = select(Product.enterprise_id).where(certificates.certified_today()).distinct()
    if ids is not None:
        statement = statement.where(Product.enterprise_id.in_(ids))
    return set(db.session.scalars(statement))


def platforms_of(ids=None) -> dict[str, set[int]]:
    """platform -> the enterprises (of `ids`, or all) selling a certified product on it."""
    statement = (
        select(Listing.platform_code, Product.enterprise_id)
        .join(Product, Product.id == Listing.product_id)
        .where(certificates.certified_today())
        .distinct()
    )
    if ids is not None:
        statement = statement.where(Product.enterprise_id.in_(ids))
    found: dict[str, set[int]] = {}
    for platform, enterprise_id in db.session.execute(statement):
        found.setdefault(platform, set()).add(enterprise_id)
    return found


def levels_of(ids=None) -> dict[int, int]:
    """enterprise -> the overall level of its latest counted assessment (of `ids`, or all)."""
    statement = select(LatestAssessment.enterprise_id, LatestAssessment.overall_level).where(
        LatestAssessment.overall_level.is_not(None)
    )
    if ids is not None:
        statement = statement.where(LatestAssessment.enterprise_id.in_(ids))
    return dict(db.session.execute(statement).all())


def read_some(ids: list[int]) -> list[dict]:
    """The index's facts of a few enterprises, listed or not (`listed` says), as one dict each."""
    columns = selected()
    listed = and_(*search.listed()).label("listed")
    rows = db.session.execute(select(*columns.values(), listed).where(Enterprise.id.in_(ids))).all()
    return [dict(zip([*columns, "listed"], row, strict=True)) for row in rows]


READ_CHUNK = 50_000  # rows read and reduced to numbers at a time: a build never holds every row


def build(arrays, chunk: int = READ_CHUNK) -> dict:
    """Put the arrays of the listed enterprises into `arrays` (a dict, or an index_files.Writer that
    saves each as it comes) and return what names them (the meta). The rows are read a
    chunk at a time and each chunk is reduced to numbers before the next is read; only the names
    (for the name order) are kept whole. At a million enterprises on the 2-CPU development VM: 16 s,
    0.7–0.8 GB at the peak (benchmarks/README.md, "The build read a chunk at a time"), in the
    process that builds (app/directory/index_service.py: one per machine, not a web worker)."""
    position, day = log_position(), local_today()  # before reading: a change during the reads is read again
    names = selected()
    statement = select(*names.values()).where(*search.listed()).order_by(Enterprise.id)
    read = _Read()
    for rows in _row_chunks(statement, chunk):
        read.add(
            dict(zip(names, (np.asarray(values, dtype=object) for values in zip(*rows, strict=True)), strict=True))
        )
        del rows
    ids = np.concatenate(read.ids or [np.zeros(0, np.int64)])
    size = int(ids.max()) + 1 if len(ids) else 1
    values: dict[str, list[str]] = {}
    for facet in facet_lists.GROUPED:
        numbered = np.concatenate(read.codes[facet] or [np.zeros(0, np.int64)])
        values[facet], arrays[f"code.{facet}"] = id_columns.single(size, ids, numbered, list(read.found[facet]))
    listed_ids = id_columns.marked(size, ids)

    def within(found) -> np.ndarray:
        found = np.asarray(sorted(i for i in found if i < size), dtype=np.int64)
        return found[listed_ids[found]]

    flag = {name: ids[np.concatenate(parts or [np.zeros(0, bool)])] for name, parts in read.flags.items()}
    groups = {
        "digital": {"1": flag["digital"]},
        "startup": {"1": flag["startup"]},
        "products": {"1": within(certified_ids())},
    }
    groups["level"] = _by_level(levels_of(), id_columns.marked(size, flag["shows_readiness"]))
    for facet, found in groups.items():
        values[facet], arrays[f"code.{facet}"] = id_columns.grouped(size, found)
    platforms = sorted(platforms_of().items())
    for k, (_platform, found) in enumerate(platforms):
        arrays[f"platform.{k}"] = id_columns.marked(size, within(found))
    arrays["seeking"] = id_columns.marked(size, flag["seeking"])
    keys = {name: np.concatenate(parts or [np.zeros(0, np.int32)]) for name, parts in read.keys.items()}
    names, read.names = np.concatenate(read.names or [np.zeros(0, "S1")]), []
    orders, name_positions = _orders(ids, keys, names)
    for name, ordered in orders.items():
        arrays[f"order.{name}"] = ordered
    for name, rank in id_columns.ranks(size, orders).items():
        arrays[f"rank.{name}"] = rank
    for name, per_row in keys.items():
        arrays[f"key.{name}"] = _per_id(size, ids, per_row)
    arrays.update(_prefixed("names", _strings_of(names, name_positions)))
    del names, name_positions
    for name, builder in read.texts.items():
        arrays.update(_prefixed(f"text.{name}", builder.finish(ids).arrays()))
    meta = {
        "size": size,
        "day": day.isoformat(),
        "position": position.as_json(),
        "values": values,
        "platforms": [platform for platform, _found in platforms],
        "listed": len(ids),
        "built_at": utcnow().isoformat(),
    }
    return meta


def _by_level(levels: dict[int, int], shown: np.ndarray) -> dict[str, np.ndarray]:
    """level -> the ids (increasing) of the enterprises that show their level (`shown`, a boolean
    per id), the levels in the order the lowest id of each comes."""
    ids = np.fromiter(levels, dtype=np.int64, count=len(levels))
    level = np.fromiter(levels.values(), dtype=np.int64, count=len(levels))
    kept = ids < len(shown)
    kept[kept] = shown[ids[kept]]
    order = np.argsort(ids[kept], kind="stable")
    ids, level = ids[kept][order], level[kept][order]
    found, first = np.unique(level, return_index=True)
    return {str(found[k]): ids[level == found[k]] for k in np.argsort(first)}


class _Read:
    """The rows read so far, reduced to numbers chunk by chunk: ids, each grouped facet's value
    numbers (in order of first appearance, as one reading of all would number them), the flags, the
    sort keys and the text indexes' postings. The names (the sort key, `name_sort`) are kept as one
    array of UTF-8 bytes per chunk, not as a million Python strings scattered among the rows freed."""

    def __init__(self) -> None:
        self.ids: list[np.ndarray] = []
        self.found: dict[str, dict] = {facet: {} for facet in facet_lists.GROUPED}
        self.codes: dict[str, list[np.ndarray]] = {facet: [] for facet in facet_lists.GROUPED}
        self.flags: dict[str, list[np.ndarray]] = {
            name: [] for name in ("digital", "startup", "shows_readiness", "seeking")
        }
        self.keys: dict[str, list[np.ndarray]] = {"day": [], "tier": [], "staff": []}
        self.names: list[np.ndarray] = []  # fixed-width bytes ("S"): compared as bytes, as code points
        self.texts = {name: text_index.Builder() for name in TEXTS}

    def add(self, column: dict[str, np.ndarray]) -> None:
        self.ids.append(column["id"].astype(np.int64))
        for facet in facet_lists.GROUPED:
            local, values = text_index.factorize(column[facet])
            known = self.found[facet]
            number = np.fromiter(
                (-1 if v is None else known.setdefault(v, len(known)) for v in values),
                dtype=np.int64,
                count=len(values),
            )
            found = np.append(number, -1)[local] if len(values) else np.full(len(local), -1)
            self.codes[facet].append(found.astype(np.int16))  # as the column stores them (id_columns.single)
        for name, parts in self.flags.items():
            parts.append(column[name].astype(bool))
        for name, per_row in sort_keys(column).items():
            self.keys[name].append(per_row)
        self.names.append(np.array([(name or "").encode() for name in column["name_sort"]], dtype=bytes))
        for name, source in TEXTS.items():
            texts = column[source] if source else [(n or "").split(" ", 1)[0] for n in column["name_folded"]]
            self.texts[name].add(texts)


def _prefixed(prefix: str, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"{prefix}.{name}": array for name, array in arrays.items()}


def _per_id(size: int, ids: np.ndarray, per_row: np.ndarray) -> np.ndarray:
    out = np.full(size, -1, dtype=per_row.dtype)
    out[ids] = per_row
    return out


def _row_chunks(statement, chunk: int):
    """The rows of a statement as the driver gives them, `chunk` at a time: a million rows without
    SQLAlchemy's per-row work, and never all of them at once (on PostgreSQL a server-side cursor,
    whose rows stay on the server until fetched)."""
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":  # WITH HOLD: a read may run in autocommit (app/database.py)
        cursor, kept = driver.cursor(name="directory_index_build", withhold=True), {}
    else:  # one pass over the table: no page cache, no memory map of the file for it (restored after)
        cursor = driver.cursor()
        kept = {p: cursor.execute(f"PRAGMA {p}").fetchone()[0] for p in ("mmap_size", "cache_size")}
        cursor.execute("PRAGMA mmap_size = 0")
        cursor.execute("PRAGMA cache_size = -4096")
    try:
        cursor.execute(str(compiled))
        while rows := cursor.fetchmany(chunk):
            yield rows
    finally:
        cursor.close()
        if kept:
            restore = driver.cursor()
            for pragma, value in kept.items():
                restore.execute(f"PRAGMA {pragma} = {int(value)}")
            restore.close()


def sort_keys(column: dict) -> dict[str, np.ndarray]:
    """Per row, the numbers the stored orders sort on besides the name: the founding day (-1 none),
    the size tier's rank (search.SIZE_ORDER, 9 none) and the staff (-1 unknown)."""
    founded_code, days = text_index.factorize(column["founded_on"])
    day = np.array([day_number(d) for d in days] + [-1], dtype=np.int32)[founded_code]
    tier_code, tier_values = text_index.factorize(column["size"])
    tier = np.array([search.SIZE_ORDER.get(t, 9) for t in tier_values] + [9], dtype=np.int8)[tier_code]
    staff = np.fromiter((-1 if v is None else v for v in column["employees"]), dtype=np.int64)
    return {"day": day, "tier": tier, "staff": np.clip(staff, -1, 2**31 - 1).astype(np.int32)}


def _strings_of(fixed: np.ndarray, order: np.ndarray, chunk: int = 100_000) -> dict[str, np.ndarray]:
    """The arrays of a `text_index.Strings` of fixed-width byte strings taken in `order` (the padding
    left out), a chunk at a time: never a second copy of them all."""
    width = fixed.dtype.itemsize
    lengths = np.zeros(len(order), dtype=np.int64)
    blobs = [np.zeros(0, np.uint8)]
    for start in range(0, len(order), chunk):
        part = fixed[order[start : start + chunk]]
        lengths[start : start + len(part)] = np.char.str_len(part)
        cells = part.view(np.uint8).reshape(len(part), width)
        blobs.append(cells[np.arange(width) < lengths[start : start + len(part), None]])
    offsets = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return {"blob": np.concatenate(blobs), "offsets": offsets}


def _orders(
    ids: np.ndarray, keys: dict[str, np.ndarray], names: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The listed ids (increasing) in each order search._order defines without a text: by name
    (byte order, as the column's collation compares: code points order UTF-8 bytes alike), newest
    first, by size. Equal values keep the id order (lexsort is stable). And the rows' positions in
    the name order, which place the names themselves."""
    by_name = np.argsort(names, kind="stable")  # the rows are in id order: equal names stay so
    name_rank = np.empty(len(ids), dtype=np.int64)
    name_rank[by_name] = np.arange(len(ids))
    day, tier, staff = (keys[k].astype(np.int64) for k in ("day", "tier", "staff"))
    return {
        "name": ids[by_name].astype(np.int32),
        "newest": ids[np.lexsort((-ids, -day))].astype(np.int32),  # unknown founding dates last
        "size": ids[np.lexsort((name_rank, -staff, tier))].astype(np.int32),  # unknown staff last
    }, by_name


def day_number(value) -> int:
    """A stored date as a number (None: -1); SQLite returns it as text."""
    if value is None:
        return -1
    return (date.fromisoformat(value[:10]) if isinstance(value, str) else value).toordinal()


def position_of(meta: dict) -> Position:
    return Position.from_json(meta["position"])
