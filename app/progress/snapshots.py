"""Snapshots: each computed indicator as of a day, stored once, read by every page, report and API.

A figure as of a past day reads only records dated up to that day, so once computed it stands and
is kept in ``indicator_snapshot`` under (indicator, day, settings key) — until a write dated on or
before that day marks it stale (app/registry/past.py: a back-dated correction, a merge, an import of
past facts); a change of settings makes a new key and figures are computed anew. Today's figure is
computed again when a recorded write moved the registry version and the stored one is older than PROGRESS_REFRESH_SECONDS: by a task of
the queue while the stored one is served (PROGRESS_BACKGROUND_REFRESH), or in the request.
``flask progress rebuild`` recomputes every month end since the plan began (after a bulk load, or
SQL by hand); ``flask demo load`` and ``generate`` run it.

Snapshots are written on their own connection, so reading a page never writes in the request's
transaction, and a busy database only means the figure is computed again next time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from app import tasks
from app.cache import registry_version
from app.extensions import db
from app.i18n import local_today
from app.indicator_settings import Settings
from app.models import IndicatorSnapshot
from app.models.base import as_utc, utcnow
from app.progress import dimensions as dims
from app.progress import indicators
from app.progress.dimensions import end_of, month_end
from app.progress.figures import Figure
from app.registry import past

log = logging.getLogger(__name__)
TABLE = IndicatorSnapshot.__table__


def _is_fresh(row, as_of: date, today: date) -> bool:
    if row.registry_version == past.STALE:
        return False  # a write reached back before the day (app/registry/past.py)
    if as_of < today and as_utc(row.computed_at) >= end_of(as_of):
        return True  # computed after the day ended: records dated later cannot change it
    if row.registry_version == registry_version():
        return True
    age = utcnow() - as_utc(row.computed_at)
    return age < timedelta(seconds=current_app.config["PROGRESS_REFRESH_SECONDS"])


def _key(code: str, s: Settings) -> str:
    """The snapshot key of an indicator: the settings its rule reads."""
    return indicators.DEFINITIONS[code].key(s)


def _store(figure: Figure, s: Settings) -> None:
    key = _key(figure.code, s)
    values = {
        "indicator_code": figure.code,
        "as_of": figure.as_of,
        "settings_key": key,
        "registry_version": registry_version(),
        "summary": figure.summary(),
        "data": figure.breakdowns(),
        "computed_at": utcnow(),
    }
    where = (TABLE.c.indicator_code == figure.code) & (TABLE.c.as_of == figure.as_of) & (TABLE.c.settings_key == key)
    try:
        with db.engine.begin() as conn:
            if conn.execute(TABLE.update().where(where).values(values)).rowcount == 0:
                conn.execute(TABLE.insert().values(values))
    except (IntegrityError, DBAPIError) as error:  # another worker stored it first, or the database is busy
        log.info("snapshot %s %s not stored: %s", figure.code, figure.as_of, error.__class__.__name__)


_asked: dict[tuple[str, date, str], float] = {}  # refreshes this process queued, and when
_asked_lock = threading.Lock()
ASK_AGAIN_SECONDS = 60


def _refresh_later(code: str, as_of: date, s: Settings) -> None:
    """Queue the computation of today's figure (a task, app/tasks.py), at most once a minute per figure
    from this process.

    The stale figure is served meanwhile (the page says the day and time it was computed); a
    refresh lost with a worker is simply asked again by a later request, or done by `flask progress refresh`.
    """
    key = (code, as_of, _key(code, s))
    now = time.monotonic()
    with _asked_lock:
        if now - _asked.get(key, -ASK_AGAIN_SECONDS) < ASK_AGAIN_SECONDS:
            return
        _asked[key] = now
    tasks.enqueue_now("refresh_figure", code, as_of, s.values)


@tasks.task
def refresh_figure(code: str, as_of: date, values: dict) -> None:
    """The task: compute the figure and store it (on its own connection, see `_store`)."""
    s = Settings(values)
    _store(indicators.compute(code, as_of, s), s)


def _served(row, code: str, as_of: date, s: Settings, today: date) -> bool:
    """Whether a stored snapshot may be served: fresh, or stale while a refresh runs in the background."""
    if row is None:
        return False
    if _is_fresh(row, as_of, today):
        return True
    if current_app.config["PROGRESS_BACKGROUND_REFRESH"]:
        _refresh_later(code, as_of, s)
        if has_request_context():
            g.stale_figures = True  # what this request shows is kept by no cache (the report's)
        return True
    return False


def served_stale() -> bool:
    """Whether this request was given a stored figure older than the registry while it is computed again."""
    return has_request_context() and bool(g.get("stale_figures"))


def figure(code: str, as_of: date, s: Settings, breakdowns: bool = False) -> Figure:
    """The indicator as of the day, from its snapshot or computed (and stored) now."""
    today = local_today()
    row = db.session.execute(
        select(
            IndicatorSnapshot.summary,
            IndicatorSnapshot.registry_version,
            IndicatorSnapshot.computed_at,
            *([IndicatorSnapshot.data] if breakdowns else []),
        ).where(
            IndicatorSnapshot.indicator_code == code,
            IndicatorSnapshot.as_of == as_of,
            IndicatorSnapshot.settings_key == _key(code, s),
        )
    ).first()
    if _served(row, code, as_of, s, today):
        return Figure.restore(row.summary, row.data if breakdowns else None)
    computed = indicators.compute(code, as_of, s)
    if as_of == today or as_of == month_end(as_of):  # the series' days: any other day is computed, not kept
        _store(computed, s)
    return computed


def series(code: str, s: Settings, days: Iterable[date]) -> list[Figure]:
    """The indicator on each day (summaries only), computing the days that have no snapshot yet."""
    days = list(days)
    today = local_today()
    stored = {
        row.as_of: row
        for row in db.session.execute(
            select(
                IndicatorSnapshot.as_of,
                IndicatorSnapshot.summary,
                IndicatorSnapshot.registry_version,
                IndicatorSnapshot.computed_at,
            ).where(
                IndicatorSnapshot.indicator_code == code,
                IndicatorSnapshot.settings_key == _key(code, s),
                IndicatorSnapshot.as_of.in_(days),
            )
        )
    }
    out = []
    for day in days:
        row = stored.get(day)
        out.append(Figure.restore(row.summary) if _served(row, code, day, s, today) else figure(code, day, s))
    return out


def refresh(s: Settings, day: date) -> int:
    """Compute every computed indicator as of the day now (`flask progress refresh`, and the worker)."""
    for code in indicators.DEFINITIONS:
        _store(indicators.compute(code, day, s), s)
    return len(indicators.DEFINITIONS)


def rebuild(s: Settings, codes: Iterable[str] | None = None, until: date | None = None) -> int:
    """Recompute every series day of the given indicators (all computed ones by default); returns the count."""
    codes = list(codes or indicators.DEFINITIONS)
    until = until or local_today()
    days = dims.series_days(s.plan_start, until)
    with db.engine.begin() as conn:
        for code in codes:
            conn.execute(delete(TABLE).where(TABLE.c.indicator_code == code, TABLE.c.settings_key == _key(code, s)))
    for code in codes:
        for day in days:
            _store(indicators.compute(code, day, s), s)
    return len(codes) * len(days)
