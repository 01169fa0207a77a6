"""The directory's change log: which enterprises changed, in commit order, for the directory's index.

Every write that can change what the directory shows of an enterprise — its own row, its products,
their certificates and listings, its latest assessment — adds a row here in the same transaction.
Database triggers write it (migration d4e6f8a0b2c3), so every path is seen: the services, the
imports' bulk statements, a merge moving products, the demo's bulk load, a manual SQL fix. The
index (app/directory/live.py) reads the rows after its own position and reads those enterprises
again; it never has to know which service wrote.

``txid`` is the writing transaction's id on PostgreSQL, where transactions can commit out of the
order of their ids: a reader asks for the rows of every transaction not finished when it last read
(app/directory/changes.py). SQLite has one writer at a time, so its ids commit in order and
``txid`` stays empty.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, func
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class DirectoryChange(db.Model):
    __tablename__ = "directory_change"
    __table_args__ = {"sqlite_autoincrement": True}  # ids never reused after the old rows are pruned

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(Integer)  # no foreign key: a deleted enterprise is a change too
    txid: Mapped[int | None] = mapped_column(BigInteger, index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
