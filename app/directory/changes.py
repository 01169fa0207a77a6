"""Which enterprises changed since a position in the directory's change log (app/models/directory.py).

The log is written by triggers in the writing transaction, so a row is visible exactly when the
write is. On SQLite one writer commits at a time, in the order of the ids: everything after the
last id read is new. On PostgreSQL a transaction takes its ids when it writes and may commit after
later ones: the position keeps the oldest transaction still running when it was read
(`pg_snapshot_xmin`), and the next read asks again for every row of that transaction and later
ones, skipping the rows already seen. A row is never missed, and one seen twice only reads its
enterprise again, which changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text

from app.extensions import db
from app.models import DirectoryChange
from app.models.base import utcnow

RETAIN_DAYS = 7  # the log's rows kept after a full build covers them: a base older than this is built again

_XMIN = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


@dataclass(frozen=True)
class Position:
    """Where a reader stands: every change up to `last` (SQLite) or of every transaction below `xmin`
    (PostgreSQL, with the ids of the later ones already `seen`)."""

    last: int = 0
    xmin: int | None = None
    seen: frozenset[int] = field(default_factory=frozenset)

    def as_json(self) -> dict:
        return {"last": self.last, "xmin": self.xmin, "seen": sorted(self.seen)}

    @classmethod
    def from_json(cls, data: dict) -> Position:
        return cls(int(data["last"]), data.get("xmin"), frozenset(data.get("seen", ())))


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def now() -> Position:
    """The position of a reader about to read the registry: every change committed before its
    reads is after it or covered by them (a change read again is harmless)."""
    last = db.session.scalar(select(func.coalesce(func.max(DirectoryChange.id), 0)))
    if _postgres():
        return Position(last, db.session.scalar(_XMIN))
    return Position(last)


def since(position: Position) -> tuple[set[int], Position]:
    """The enterprises changed after the position, and the position after reading them."""
    if not _postgres():
        rows = db.session.execute(
            select(DirectoryChange.id, DirectoryChange.enterprise_id).where(DirectoryChange.id > position.last)
        ).all()
        last = max((row.id for row in rows), default=position.last)
        return {row.enterprise_id for row in rows}, Position(last)
    xmin = db.session.scalar(_XMIN)  # first: a transaction finished before it has its rows visible below
    rows = db.session.execute(
        select(DirectoryChange.id, DirectoryChange.enterprise_id, DirectoryChange.txid).where(
            DirectoryChange.txid >= (position.xmin if position.xmin is not None else 0)
        )
    ).all()
    fresh = [row for row in rows if row.id not in position.seen]
    seen = frozenset(row.id for row in rows if row.txid >= xmin)
    last = max((row.id for row in rows), default=position.last)
    return {row.enterprise_id for row in fresh}, Position(max(last, position.last), xmin, seen)


def covers(position: Position, built_at: datetime) -> bool:
    """Whether the log still holds every change after a build's position: the database is the one it
    was read from (not restored from an older copy), and the build is younger than the rows `prune`
    keeps (a day's margin), so none after its position can have been removed."""
    highest = db.session.scalar(select(func.coalesce(func.max(DirectoryChange.id), 0)))
    return highest >= position.last and utcnow() - built_at < timedelta(days=RETAIN_DAYS - 1)


def prune(position: Position) -> int:
    """Forget the changes a full build at `position` covers and that are older than RETAIN_DAYS,
    keeping the newest row (SQLite numbers after it). Returns how many went."""
    cutoff = utcnow() - timedelta(days=RETAIN_DAYS)
    statement = delete(DirectoryChange).where(DirectoryChange.id <= position.last, DirectoryChange.changed_at < cutoff)
    highest = db.session.scalar(select(func.max(DirectoryChange.id)))
    if highest is not None:
        statement = statement.where(DirectoryChange.id < highest)
    return db.session.execute(statement).rowcount or 0
