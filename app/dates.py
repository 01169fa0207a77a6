"""Days in the province's time zone: the end of a day as stored timestamps see it, month arithmetic."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def typed_day_problem(text: str) -> str | None:
    """What is wrong with a day typed dd/mm/yyyy whose numbers are there but name no day (None: the
    form itself is wrong, or nothing is): the month is not 1–12, or the month has fewer days."""
    parts = text.strip().split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        return None
    day, month, year = (int(p) for p in parts)
    if not 1 <= month <= 12:
        return _("There is no month %(month)s: the month comes second, from 01 to 12.", month=parts[1])
    days = monthrange(year, month)[1]
    if not 1 <= day <= days:
        return _(
            "%(month)02d/%(year)s has %(n)s days: there is no day %(day)s.",
            month=month,
            year=year,
            n=days,
            day=parts[0],
        )
    return None


def typed_day(text: str) -> date:
    """A day as people type it in a form: dd/mm/yyyy (the site's own), or yyyy-mm-dd (what a browser's
    date field sends). Raises ValueError for anything else, and for a day no calendar has (31/02)."""
    text = text.strip()
    return date.fromisoformat(text) if "-" in text else datetime.strptime(text, "%d/%m/%Y").date()


def end_of(day: date) -> datetime:
    """The first instant after ``day`` in the province's time zone, in UTC (timestamps are stored in UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone()).astimezone(UTC)


def local_day(moment: datetime) -> date:
    """The day a stored timestamp fell on in the province (a naive one is UTC, as SQLite returns them)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone()).date()


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def month_end(day: date) -> date:
    return date(day.year, day.month, monthrange(day.year, day.month)[1])


def month_ends(start: date, until: date) -> Iterator[date]:
    """The last day of each month from ``start``'s month up to ``until`` (exclusive of later months)."""
    day = month_end(start)
    while day <= until:
        yield day
        day = month_end(day + timedelta(days=1))


def series_days(start: date, today: date) -> list[date]:
    """The days of a monthly series: every month end since the plan began, then today."""
    days = [d for d in month_ends(start, today) if d < today]
    return [*days, today]
