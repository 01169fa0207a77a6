"""Whose a product or an assessment was on a day: a merge moves them, figures of earlier days do not.

A merge (app/registry/merges.py) moves the duplicate's products and assessments to the record kept
and leaves an `EarlierOwner` row for each, saying the duplicate owned it until the day the two became
one. Figures of a day before that count the item under the duplicate, as they did before the merge —
the record kept may not have existed then, and when staff gave a day, both records still count.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, func, select

from app.extensions import db
from app.models import EarlierOwner


def owner_on(kind: str, item_id: ColumnElement, enterprise_id: ColumnElement, as_of: date) -> ColumnElement:
    """The owner of the item (``kind``: "product" or "assessment") as of the day: its enterprise now,
    unless a merge moved it on a later day. Where no merge's day is after ``as_of`` (nearly always),
    the column itself, so that the query keeps its indexes."""
    later = select(EarlierOwner.id).where(EarlierOwner.kind == kind, EarlierOwner.until > as_of).limit(1)
    if db.session.scalar(later) is None:
        return enterprise_id
    earlier = (
        select(EarlierOwner.enterprise_id)
        .where(EarlierOwner.kind == kind, EarlierOwner.item_id == item_id, EarlierOwner.until > as_of)
        .order_by(EarlierOwner.until, EarlierOwner.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(earlier, enterprise_id)
