"""Reading the listed registry into the arrays of the directory's index (app/directory/facet_index.py).

One statement reads every listed enterprise's facet values, names, words and sort keys; pandas then
numbers each column's values in C. The same reading, for a handful of ids and with the ones no
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


def build() -> tuple[dict[str, np.ndarray], dict]:
    """The arrays of the listed enterprises and what names them (the meta): at a million enterprises
    on the 2-CPU development VM about 25–30 s, 1.8 GB (PostgreSQL) to 2.7 GB (SQLite) at the peak,
    in the process that builds (app/directory/index_service.py: one per machine, not a web worker)."""
    import pandas as pd  # here: a process that builds no index (a command, the worker) saves 40 MB

    position, day = log_position(), local_today()  # before reading: a change during the reads is read again
    names = selected()
    statement = select(*names.values()).where(*search.listed()).order_by(Enterprise.id)
    rows = _raw_rows(statement)
    read = [np.asarray(values, dtype=object) for values in zip(*rows, strict=True)]
    del rows
    column = dict(zip(names, read or [np.zeros(0, object)] * len(names), strict=True))
    ids = column["id"].astype(np.int64)
    size = int(ids.max()) + 1 if len(ids) else 1
    arrays: dict[str, np.ndarray] = {}
    values: dict[str, list[str]] = {}
    for facet in facet_lists.GROUPED:
        numbered, found = pd.factorize(column[facet])  # None: -1
        values[facet], arrays[f"code.{facet}"] = id_columns.single(size, ids, numbered, found)
    listed_ids = id_columns.marked(size, ids)

    def within(found) -> np.ndarray:
        found = np.asarray(sorted(i for i in found if i < size), dtype=np.int64)
        return found[listed_ids[found]]

    groups = {
        "digital": {"1": ids[column["digital"].astype(bool)]},
        "startup": {"1": ids[column["startup"].astype(bool)]},
        "products": {"1": within(certified_ids())},
    }
    shown = set(ids[column["shows_readiness"].astype(bool)].tolist())
    by_level: dict[str, list[int]] = {}
    for enterprise_id, level in sorted(levels_of().items()):
        if enterprise_id in shown:
            by_level.setdefault(str(level), []).append(enterprise_id)
    groups["level"] = by_level
    for facet, found in groups.items():
        values[facet], arrays[f"code.{facet}"] = id_columns.grouped(size, found)
    platforms = sorted(platforms_of().items())
    for k, (_platform, found) in enumerate(platforms):
        arrays[f"platform.{k}"] = id_columns.marked(size, within(found))
    arrays["seeking"] = id_columns.marked(size, ids[column["seeking"].astype(bool)])
    keys = sort_keys(column)
    orders = _orders(ids, keys, column["name_sort"])
    for name, ordered in orders.items():
        arrays[f"order.{name}"] = ordered
    for name, rank in id_columns.ranks(size, orders).items():
        arrays[f"rank.{name}"] = rank
    for name, per_row in keys.items():
        arrays[f"key.{name}"] = _per_id(size, ids, per_row)
    by_name = np.asarray(column["name_sort"], dtype=object)[np.argsort(arrays["rank.name"][ids], kind="stable")]
    arrays.update(_prefixed("names", text_index.strings([n or "" for n in by_name])))
    for name, source in TEXTS.items():
        texts = column[source] if source else [(n or "").split(" ", 1)[0] for n in column["name_folded"]]
        arrays.update(_prefixed(f"text.{name}", text_index.build(ids, texts).arrays()))
    meta = {
        "size": size,
        "day": day.isoformat(),
        "position": position.as_json(),
        "values": values,
        "platforms": [platform for platform, _found in platforms],
        "listed": len(ids),
        "built_at": utcnow().isoformat(),
    }
    return arrays, meta


def _prefixed(prefix: str, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"{prefix}.{name}": array for name, array in arrays.items()}


def _per_id(size: int, ids: np.ndarray, per_row: np.ndarray) -> np.ndarray:
    out = np.full(size, -1, dtype=per_row.dtype)
    out[ids] = per_row
    return out


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


def sort_keys(column: dict) -> dict[str, np.ndarray]:
    """Per row, the numbers the stored orders sort on besides the name: the founding day (-1 none),
    the size tier's rank (search.SIZE_ORDER, 9 none) and the staff (-1 unknown)."""
    founded_code, days = text_index.factorize(column["founded_on"])
    day = np.array([day_number(d) for d in days] + [-1], dtype=np.int32)[founded_code]
    tier_code, tier_values = text_index.factorize(column["size"])
    tier = np.array([search.SIZE_ORDER.get(t, 9) for t in tier_values] + [9], dtype=np.int8)[tier_code]
    staff = np.fromiter((-1 if v is None else v for v in column["employees"]), dtype=np.int64)
    return {"day": day, "tier": tier, "staff": np.clip(staff, -1, 2**31 - 1).astype(np.int32)}


def _orders(ids: np.ndarray, keys: dict[str, np.ndarray], names) -> dict[str, np.ndarray]:
    """The listed ids (increasing) in each order search._order defines without a text: by name
    (byte order, as the column's collation compares: code points order UTF-8 bytes alike), newest
    first, by size. Equal values keep the id order (lexsort is stable)."""
    import pandas as pd  # here: a process that builds no index (a command, the worker) saves 40 MB

    name_rank, _ = pd.factorize(np.asarray(names, dtype=object), sort=True)
    by_name = np.lexsort((ids, name_rank))
    day, tier, staff = (keys[k].astype(np.int64) for k in ("day", "tier", "staff"))
    return {
        "name": ids[by_name].astype(np.int32),
        "newest": ids[np.lexsort((-ids, -day))].astype(np.int32),  # unknown founding dates last
        "size": ids[np.lexsort((name_rank, -staff, tier))].astype(np.int32),  # unknown staff last
    }


def day_number(value) -> int:
    """A stored date as a number (None: -1); SQLite returns it as text."""
    if value is None:
        return -1
    return (date.fromisoformat(value[:10]) if isinstance(value, str) else value).toordinal()


def position_of(meta: dict) -> Position:
    return Position.from_json(meta["position"])
