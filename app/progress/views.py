"""Progress pages: the dashboard, one page per indicator, downloads and the staff drill-down.

The public sees aggregates with small cells suppressed; staff see every cell, each number linked
to the records behind it. Every figure comes from app/progress/services.py.
"""

from __future__ import annotations

from flask import abort, flash, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import charts
from app.auth.permissions import is_staff, staff_required
from app.exports import csv_response, xlsx_response
from app.extensions import limiter
from app.i18n import fmt_date, local_today, localized
from app.progress import about, display, drilldown, progress_bp, report, services
from app.progress import dimensions as dims
from app.progress import indicators as rules
from app.routing import add_alias

REPORT_LIMIT = "10 per minute"  # per address, like the API's limit: a new registry version builds it again


@progress_bp.app_context_processor
def _helpers():
    return {"progress_value": display.value_text}


PHONE_ROWS = 5  # groups a breakdown shows on a phone before "all of them"


def _as_of(today):
    """The day asked (any day for staff; for everyone else the last month end on or before it)."""
    try:
        day = services.parse_day(request.args.get("ngay"), today)
    except services.ProgressError as error:
        g.as_of_typed, g.as_of_error = request.args.get("ngay", "")[:20], str(error.message)  # shown at the field
        return today
    if is_staff(current_user):
        return day
    shown = services.public_day(day, today)
    if shown != day:
        flash(
            _("Figures are published as of the end of each month: these are as of %(day)s.", day=fmt_date(shown)),
            "info",
        )
    return shown


def _minimum(s):
    """None for staff (every cell), the suppression minimum for everyone else."""
    return None if is_staff(current_user) else int(s.suppression_minimum)


def _indicator_or_404(code: str):
    indicator = services.get_indicator(code)
    if indicator is None:
        abort(404)
    return indicator


@progress_bp.get("/tien-do")
def index():
    today = local_today()
    as_of, s = _as_of(today), services.current_settings()
    views = services.dashboard(as_of, s, _minimum(s))
    return render_template(
        "progress/index.html",
        views=views,
        summary=services.summary(views, as_of),
        as_of=as_of,
        today=today,
        staff=is_staff(current_user),
        display=display,
        settings=s,
    )


@progress_bp.get("/tien-do/<code>")
def indicator(code: str):
    today = local_today()
    item = _indicator_or_404(code)
    as_of, s = _as_of(today), services.current_settings()
    dimension = request.args.get("theo", "commune")
    if dimension not in dims.DIMENSIONS:
        dimension = "commune"
    view = services.indicator_view(item, as_of, s, breakdowns=True, minimum=_minimum(s))
    rule = services.definition_of(item)
    chart = charts.line_chart(
        display.chart_points(view),
        title=_("%(name)s, month by month", name=view.name),
        chart_id="series-chart",
        value_format=lambda v: display.value_text(v, item.unit),
        date_format=display.month_text,
        target=display.chart_targets(view),
        projection=display.chart_projection(view),
        y_max=100 if item.unit in ("percent", "percent_grdp") else None,
    )
    rows = display.breakdown_rows(view.figure.by.get(dimension, {}), dimension) if view.figure else []
    # On a phone the five largest groups, and a link to all of them (a wider screen shows every row)
    largest = {r.key for r in sorted(rows, key=lambda r: -(r.cell.enterprises or r.cell.denominator or 0))[:PHONE_ROWS]}
    every_row = request.args.get("tat-ca") == "1" or len(rows) <= PHONE_ROWS
    charted = [  # a group with no one in it is in the table only
        (r.label, r.cell.share if item.unit != "count" else (None if r.cell.hidden else r.cell.numerator))
        for r in rows
        if r.cell.hidden or r.cell.denominator or r.cell.numerator
    ]
    bars = (
        charts.bar_chart(
            charted,
            title=_(
                "%(name)s by %(dimension)s", name=view.name, dimension=str(display.DIMENSION_LABELS[dimension]).lower()
            ),
            chart_id="breakdown-chart",
            value_format=lambda v: display.value_text(v, item.unit),
            max_value=100 if item.unit == "percent" else None,
            hidden_text=_("hidden"),
            target_value=float(view.live_target.target.value)
            if view.live_target and view.live_target.target.value
            else None,
            target_label=_("Target %(year)s", year=view.live_target.target.year) if view.live_target else None,
        )
        if charted
        else None
    )
    return render_template(
        "progress/indicator.html",
        view=view,
        item=item,
        as_of=as_of,
        today=today,
        chart=chart,
        bars=bars,
        rows=rows,
        largest=largest,
        every_row=every_row,
        dimension=dimension,
        staff=is_staff(current_user),
        display=display,
        settings=s,
        rule=(localized(*rule.rule(s)) if rule else None),
        parts=(rule.parts if rule else {}),
        settings_rows=display.settings_rows(s),
        about_rows=about.rows(view),
        dimensions=dims.DIMENSIONS,
        series_rows=_series_rows(view),
    )


def _series_rows(view) -> list[tuple]:
    """The table beside the chart, newest first; a reported value with its source document."""
    if view.is_computed:
        return [(fmt_date(p.day), display.value_text(p.value, view.indicator.unit)) for p in reversed(view.points)]
    entries = sorted(
        (v for v in view.indicator.values if v.as_of <= view.as_of), key=lambda v: (v.as_of, v.entered_at), reverse=True
    )
    return [(fmt_date(v.as_of), display.value_text(v.value, view.indicator.unit), v.source_document) for v in entries]


@progress_bp.get("/tien-do/<code>/chuoi.csv")
def series_csv(code: str):
    item = _indicator_or_404(code)
    today = local_today()
    view = services.indicator_view(item, _as_of(today), services.current_settings())
    header, rows = report.series_table(view)
    return csv_response(f"{code}-chuoi.csv", header, rows)


@progress_bp.get("/tien-do/<code>/theo-<dimension>.csv")
def breakdown_csv(code: str, dimension: str):
    item = _indicator_or_404(code)
    if dimension not in dims.DIMENSIONS or item.kind != "computed":
        abort(404)
    s = services.current_settings()
    view = services.indicator_view(item, _as_of(local_today()), s, breakdowns=True, minimum=_minimum(s))
    header, rows = report.breakdown_table(view, dimension)
    return csv_response(f"{code}-{dimension}.csv", header, rows)


@progress_bp.get("/tien-do/<code>/phan-to-theo-thang.csv")
def breakdowns_csv(code: str):
    """Every breakdown on every day of the series, in the long format (report.breakdowns_over_time)."""
    item = _indicator_or_404(code)
    if item.kind != "computed":
        abort(404)
    s = services.current_settings()
    view = services.indicator_view(item, _as_of(local_today()), s, minimum=_minimum(s))
    header, rows = report.breakdowns_over_time(view, s, _minimum(s))
    return csv_response(f"{code}-breakdowns-by-month.csv", header, rows)


@progress_bp.get("/tien-do/bao-cao.xlsx")
@limiter.limit(REPORT_LIMIT)
def workbook():
    today = local_today()
    as_of, s = _as_of(today), services.current_settings()
    body = report.cached_workbook(as_of, s, staff=is_staff(current_user))
    name = f"tien-do-{as_of.isoformat()}.xlsx"
    return report.xlsx_download(name, body)


@progress_bp.get("/tien-do/<code>/ho-so")
@staff_required
def records(code: str):
    item = _indicator_or_404(code)
    definition = services.definition_of(item) or abort(404)
    today = local_today()
    as_of, s = _as_of(today), services.current_settings()
    part = request.args.get("phan", "numerator")
    if part not in definition.parts and not (
        code == "T5" and part.removeprefix("level:") in rules.LEVEL_KEYS and part.startswith("level:")
    ):
        abort(404)
    filters = {d: request.args[d] for d in dims.DIMENSIONS if request.args.get(d)}
    fmt = request.args.get("dinh-dang")
    if fmt in ("csv", "xlsx"):
        header, rows = drilldown.table(definition, as_of, s, part, filters)
        name = f"{code}-{part.replace(':', '-')}-{as_of.isoformat()}.{fmt}"
        return (csv_response if fmt == "csv" else xlsx_response)(name, header, rows)
    page = max(request.args.get("trang", 1, type=int), 1)
    records = drilldown.page(definition, as_of, s, part, filters, page)
    return render_template(
        "progress/records.html",
        item=item,
        definition=definition,
        records=records,
        part=part,
        part_label=drilldown.part_label(definition, part),
        filters=filters,
        as_of=as_of,
        filter_labels=drilldown.filter_labels(filters),
        fmt_date=fmt_date,
        rules=rules,
        args={**request.args},
    )


add_alias(progress_bp, "/progress", "progress.index")
add_alias(progress_bp, "/progress/<code>", "progress.indicator")
