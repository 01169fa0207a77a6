"""The open indicators API: every target's indicator as of a day, aggregates only, small cells suppressed.

The same services as the progress pages (app/progress/services.py); the public suppression rule
applies to every caller, signed in or not.
"""

from __future__ import annotations

import re
from datetime import date

from flask import abort, jsonify, request
from werkzeug.exceptions import BadRequest

from app.api import api_bp
from app.api.openapi import DAY_PATTERN
from app.api.views import API_LIMIT
from app.extensions import limiter
from app.i18n import local_today
from app.progress import about, services
from app.progress import dimensions as dims
from app.progress.display import breakdown_rows
from app.progress.services import IndicatorView


def _as_of() -> date:
    """The day asked (yyyy-mm-dd, from 2000): today's figures, or those of the last month end on or before
    the day (what the public pages show); ``as_of`` in the answer says which. Left out, today; given, it
    must be a day: an empty ``as_of=`` is refused like any value the document's pattern refuses."""
    raw = request.args.get("as_of")
    if raw is not None and not re.fullmatch(DAY_PATTERN, raw):
        raise BadRequest("Invalid value for parameter 'as_of': a date yyyy-mm-dd from 2000-01-01.")
    today = local_today()
    try:
        day = date.fromisoformat(raw) if raw is not None else today
    except ValueError:
        raise BadRequest("Invalid value for parameter 'as_of': this date does not exist.") from None
    return services.public_day(day, today)


def _number(value):
    return None if value is None else round(float(value), 4)


def _item(view: IndicatorView, s) -> dict:
    definition = services.definition_of(view.indicator)
    figure = view.figure
    item = {
        "code": view.code,
        "name": view.indicator.name_vi,
        "name_en": view.indicator.name_en,
        "kind": view.indicator.kind,
        "unit": view.indicator.unit,
        "as_of": view.as_of.isoformat(),
        "value": _number(view.value),
        "value_date": view.value_day.isoformat() if view.value_day else None,
        "numerator": figure.numerator if figure else None,
        "denominator": figure.denominator if figure else None,
        "counted_apart": dict(figure.apart) if figure else {},
        "source": view.reported.source_document if view.reported is not None else None,
        "metadata": about.as_json(view),
        "definition": (
            {"vi": definition.rule(s)[0], "en": definition.rule(s)[1], "settings": s.plain()} if definition else None
        ),
        "targets": [
            {
                "year": t.target.year,
                "value": _number(t.target.value),
                "state": t.target.status,
                "status": t.status.kind,
                "deadline": t.status.deadline.isoformat(),
                "value_at": _number(t.status.value),
                "value_at_date": t.status.value_day.isoformat() if t.status.value_day else None,
                "progress_ratio": _number(t.status.ratio),
                "projection": _number(t.status.projection),
                "needed_per_month": _number(t.status.per_month_needed),
            }
            for t in view.targets
        ],
    }
    return item


def _breakdown(view: IndicatorView, dimension: str) -> list[dict]:
    rows = breakdown_rows(view.figure.by.get(dimension, {}), dimension)
    return [
        {
            "key": r.key,
            "label": r.label,
            "hidden": r.cell.hidden,
            "value": None
            if r.cell.hidden
            else _number(r.cell.share if view.indicator.unit != "count" else r.cell.numerator),
            "numerator": None if r.cell.hidden else r.cell.numerator,
            "denominator": None if r.cell.hidden else r.cell.denominator,
            "enterprises": None if r.cell.hidden else r.cell.enterprises,
        }
        for r in rows
    ]


@api_bp.get("/indicators")
@limiter.limit(API_LIMIT)
def indicators():
    as_of, s = _as_of(), services.current_settings()
    views = services.dashboard(as_of, s, int(s.suppression_minimum))
    items = [_item(v, s) for v in views]
    return jsonify(
        {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1), "next": None, "facets": {}}
    )


@api_bp.get("/indicators/<code>")
@limiter.limit(API_LIMIT)
def indicator(code: str):
    by = request.args.get("by")
    if by is not None and by not in dims.DIMENSIONS:
        raise BadRequest(f"Invalid value for parameter 'by': one of {', '.join(dims.DIMENSIONS)}.")
    as_of, s = _as_of(), services.current_settings()
    found = services.get_indicator(code)
    if found is None:
        abort(404)
    view = services.indicator_view(found, as_of, s, breakdowns=bool(by), minimum=int(s.suppression_minimum))
    item = _item(view, s)
    if view.is_computed:
        item["series"] = [
            {
                "date": f.as_of.isoformat(),
                "value": _number(f.value),
                "numerator": f.numerator,
                "denominator": f.denominator,
            }
            for f in view.series
        ]
    else:
        item["series"] = [
            {"date": p.day.isoformat(), "value": _number(p.value), "numerator": None, "denominator": None}
            for p in view.points
        ]
    if by:  # a reported indicator is one figure for the province: asked for its breakdown, it has none (null)
        item["breakdown"] = {"by": by, "items": _breakdown(view, by)} if view.figure is not None else None
    return jsonify(item)
