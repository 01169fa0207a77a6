"""A write that reaches into the past: the figures stored for the days it changes no longer hold.

The progress pages keep each indicator as of a past day once computed (app/progress/snapshots.py):
records dated later cannot change it. A correction given an earlier effective day, a merge, an
import of dated facts (a registration in 2019, a certificate of 2024, a listing checked last year, a
past result) or the undo of one does change it. Every writer of dated facts calls `changed_from`
with the first day its write changes, in its own transaction: the figures stored for that day and
after are marked stale, so pages compute them again (in the background where the queue runs, the
older figure shown meanwhile with the time it was computed) and `flask progress rebuild` is never
needed after a write made through the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import update

from app.extensions import db
from app.models import IndicatorSnapshot

STALE = "stale"  # IndicatorSnapshot.registry_version of a figure a later write into its past changed


def changed_from(day: date | None, today: date) -> None:
    """Mark stale the stored figures of ``day`` and after, when ``day`` is before today (executes only:
    the caller commits). Today's figure follows every write on its own (its registry version)."""
    if day is None or day >= today:
        return
    db.session.execute(
        update(IndicatorSnapshot)
        .where(IndicatorSnapshot.as_of >= day, IndicatorSnapshot.registry_version != STALE)
        .values(registry_version=STALE)
        .execution_options(synchronize_session=False)
    )


def earliest(days: Iterable[date | None]) -> date | None:
    """The first of the days given (None where none is)."""
    return min((d for d in days if d is not None), default=None)


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and 10 <= len(value) <= 32 and value[4:5] == "-" and value[7:8] == "-":
        try:  # a day as the audit trail keeps it (ISO text)
            return datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None


def earliest_in(records: Iterable[Mapping[str, Any] | None]) -> date | None:
    """The first day any of the records' values holds (dates, times, ISO text as audit events keep
    them): the first day a write of those records — dated facts an import brings or takes back — can
    change."""
    return earliest(_day(v) for record in records if record for v in record.values())
