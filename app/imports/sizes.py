"""How long a text, how large a number, the registry keeps in each column: read from the columns'
types (app/models/enterprise.py), the one place they are written, so that the dry run refuses what
the database would refuse at commit (PostgreSQL enforces a varchar's length and an integer's range;
SQLite stores a longer text as it comes), on both engines alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, String

from app.imports.reading import field_of
from app.models import Enterprise


def _largest(kind) -> int | None:
    for integer, bits in ((BigInteger, 64), (SmallInteger, 16), (Integer, 32)):
        if isinstance(kind, integer):
            return 2 ** (bits - 1) - 1
    return None


LENGTHS: dict[str, int] = {
    column.name: column.type.length
    for column in Enterprise.__table__.columns
    if isinstance(column.type, String) and column.type.length
}
LARGEST: dict[str, int] = {
    column.name: largest for column in Enterprise.__table__.columns if (largest := _largest(column.type)) is not None
}


def too_big(field: str, value: Any) -> tuple[str, int] | None:
    """("too_long", length) or ("too_large", largest) when `value` does not fit the column `field`."""
    if isinstance(value, str) and field in LENGTHS and len(value) > LENGTHS[field]:
        return "too_long", LENGTHS[field]
    if isinstance(value, int) and field in LARGEST and abs(value) > LARGEST[field]:
        return "too_large", LARGEST[field]
    return None


def limit_of(column: str) -> int | None:
    """The length of the column a header names (ten_doanh_nghiep → 300), or the largest number it keeps."""
    field = field_of(column)
    return LENGTHS.get(field) or LARGEST.get(field) if field else None
