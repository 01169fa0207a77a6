"""The progress report: tables of each indicator (series, breakdowns) and the workbook sent upward.

The workbook has a summary sheet, the indicators' series side by side and their shares by commune
(pandas pivot tables), a sheet per indicator (series, breakdowns, definition, settings) and, for
staff, sheets listing the records behind each computed number. Public downloads carry
aggregates only, suppressed like the pages. Headers follow the page's language; numbers keep
Excel number formats (percentages with one decimal, counts grouped).
"""

from __future__ import annotations

import io
import itertools
import logging
import time
from datetime import date
from typing import TYPE_CHECKING

from flask import Response, current_app
from flask_babel import gettext as _

from app.cache import latest_key, latest_value, remember
from app.i18n import current_language, localized
from app.indicator_settings import Settings
from app.progress import about as indicator_about
from app.progress import dimensions as dims
from app.progress import drilldown, services, snapshots
from app.progress import report_sheets as sheets
from app.progress.display import (
    DIMENSION_LABELS,
    STATUS_LABELS,
    UNIT_LABELS,
    breakdown_rows,
    note_text,
    settings_rows,
)
from app.progress.figures import public
from app.progress.services import IndicatorView

RECORDS_CAP = 100_000  # rows of one records sheet; the drill-down page lists them all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
log = logging.getLogger(__name__)
_builds = itertools.count(1)
built = 0  # workbooks this process has built: what the report's cache saves is read from it

if TYPE_CHECKING:  # pandas is imported where a report is written (40 MB a process may not need)
    import pandas as pd


def _share(n, d) -> float | None:
    return None if not d else round(100.0 * n / d, 2)


def series_table(view: IndicatorView) -> tuple[list[str], list[list]]:
    """The indicator on each day of its series (computed) or each reported entry."""
    if view.is_computed:
        header = [_("Date"), _("Value"), _("Numerator"), _("Denominator")]
        rows = [
            [f.as_of, None if f.value is None else round(f.value, 2), f.numerator, f.denominator] for f in view.series
        ]
        return header, rows
    header = [_("Date"), _("Value"), _("Source document"), _("Note")]
    entries = sorted(view.indicator.values, key=lambda v: (v.as_of, v.entered_at))
    return header, [
        [v.as_of, float(v.value), v.source_document, v.note or ""] for v in entries if v.as_of <= view.as_of
    ]


def breakdown_table(view: IndicatorView, dimension: str) -> tuple[list[str], list[list]]:
    """One row per key of the dimension. A hidden cell's numbers are left empty and its last column
    says it is hidden (a numeric column never holds a word: the public downloads read as numbers)."""
    count = view.indicator.unit == "count"
    header = (
        [str(DIMENSION_LABELS[dimension]), _("Code")]
        + ([_("Number")] if count else [_("Value (%)"), _("Numerator"), _("Denominator")])
        + [_("Enterprises"), _("Hidden (fewer enterprises than the minimum)")]
    )
    rows = []
    for row in breakdown_rows(view.figure.by.get(dimension, {}), dimension):
        cell = row.cell
        if cell.hidden:
            rows.append([row.label, row.key] + [None] * (len(header) - 3) + [_("yes")])
        elif count:
            rows.append([row.label, row.key, cell.numerator, cell.enterprises, ""])
        else:
            rows.append(
                [
                    row.label,
                    row.key,
                    _share(cell.numerator, cell.denominator),
                    cell.numerator,
                    cell.denominator,
                    cell.enterprises,
                    "",
                ]
            )
    return header, rows


def breakdowns_over_time(view: IndicatorView, s: Settings, minimum: int | None) -> tuple[list[str], list[list]]:
    """Every breakdown of a computed indicator on every day of its series, one row per day, dimension
    and group (the long format national SDG platforms publish): the series of each group. The public
    gets each day's small groups suppressed as on the pages (numbers empty, the last column says so)."""
    code = view.indicator.code
    header = [_("Date"), _("Dimension"), _("Code"), _("Group"), _("Value"), _("Numerator"), _("Denominator")]
    header += [_("Enterprises"), _("Hidden (fewer enterprises than the minimum)")]
    rows = []
    for day in dims.series_days(s.plan_start, view.as_of):
        figure = snapshots.figure(code, day, s, breakdowns=True)
        if minimum is not None:
            figure = public(figure, minimum)
        for dimension in dims.DIMENSIONS:
            for row in breakdown_rows(figure.by.get(dimension, {}), dimension):
                cell, name = row.cell, str(DIMENSION_LABELS[dimension])
                if cell.hidden:
                    rows.append([day, name, row.key, row.label, None, None, None, None, _("yes")])
                elif cell.enterprises or cell.denominator or cell.numerator:
                    value = (
                        cell.numerator if view.indicator.unit == "count" else _share(cell.numerator, cell.denominator)
                    )
                    rows.append(
                        [day, name, row.key, row.label, value, cell.numerator, cell.denominator, cell.enterprises, ""]
                    )
    return header, rows


def _summary_frame(views: list[IndicatorView], obsolete: bool = False) -> pd.DataFrame:
    """One row per target with its unit — the live and passed ones, or (``obsolete``) the targets the
    department no longer follows, which a report keeps apart. A count is an integer, a share has one
    decimal: the sheet's number formats then show them as they are."""
    import pandas as pd

    def number(value, unit: str, digits: int = 1):
        if value is None:
            return None
        return int(round(value)) if unit in ("count", "yes_no") else round(float(value), digits)

    rows = []
    for view in views:
        unit = view.indicator.unit
        for t in view.targets:
            if (t.target.status == "obsolete") != obsolete:
                continue
            rows.append(
                {
                    _("Code"): view.code,
                    _("Indicator"): view.name,
                    _("Unit"): str(UNIT_LABELS.get(unit, unit)),
                    _("Year"): t.target.year,
                    _("Target"): number(t.target.value, unit),
                    _("Status"): str(STATUS_LABELS[t.status.kind]),
                    _("Value"): number(t.status.value, unit),
                    _("Value on"): t.status.value_day,
                    _("Projection at the deadline"): number(t.status.projection, unit),
                    _("Needed per month"): number(t.status.per_month_needed, unit, 2),
                }
            )
    return pd.DataFrame(rows)


def _indicator_sheet(writer: pd.ExcelWriter, view: IndicatorView, s: Settings) -> None:
    import pandas as pd

    sheet = view.code[:31]
    definition = services.definition_of(view.indicator)
    about = [[_("Indicator"), view.name], [_("Source"), note_text(view.indicator.source)]]
    about += [[label, value] for label, value in indicator_about.rows(view)]
    if definition is not None:
        about.append([_("How it is computed"), localized(*definition.rule(s))])
        about += [[label, value] for label, value in settings_rows(s)]
    row = sheets.write_table(writer, pd.DataFrame(about, columns=[_("Item"), _("Details")]), sheet, 0, view.name)
    sheets.wrapped_details(writer, sheet, 2, about)
    header, rows = series_table(view)
    unit = view.indicator.unit
    row = sheets.write_table(
        writer, pd.DataFrame(rows, columns=header), sheet, row, _("Series"), sheets.column_formats(header, unit)
    )
    if definition is not None and view.figure is not None:
        for dimension in dims.DIMENSIONS:
            header, rows = breakdown_table(view, dimension)
            rows, hidden = sheets.marked(rows)
            frame = pd.DataFrame(rows, columns=header)
            row = sheets.write_table(
                writer, frame, sheet, row, str(DIMENSION_LABELS[dimension]), sheets.column_formats(header, unit)
            )
            if hidden:  # on the line under the table
                writer.sheets[sheet].write(row - 2, 0, sheets.suppression_note(s))
    writer.sheets[sheet].set_column(0, 0, 34)
    writer.sheets[sheet].set_column(1, 6, 16)
    sheets.print_setup(writer.sheets[sheet])


def _records_sheet(writer: pd.ExcelWriter, view: IndicatorView, s: Settings) -> None:
    import pandas as pd

    definition = services.definition_of(view.indicator)
    header, rows = drilldown.table(definition, view.as_of, s, "numerator", {})
    rows = [r for _, r in zip(range(RECORDS_CAP), rows, strict=False)]
    sheet = _("%(code)s records", code=view.code)[:31]
    sheets.write_table(writer, pd.DataFrame(rows, columns=header), sheet, 0, str(definition.parts["numerator"]))
    writer.sheets[sheet].set_column(0, 1, 28)
    sheets.print_setup(writer.sheets[sheet])


def series_pivot(views: list[IndicatorView]) -> pd.DataFrame:
    """Every computed indicator's series side by side: one row per day, one column per indicator."""
    import pandas as pd

    points = pd.DataFrame(
        [
            {"day": f.as_of, "indicator": view.code, "value": round(f.value, 2)}
            for view in views
            if view.is_computed
            for f in view.series
            if f.value is not None
        ],
        columns=["day", "indicator", "value"],
    )
    table = points.pivot_table(index="day", columns="indicator", values="value", aggfunc="last").sort_index()
    return table.rename_axis(index=_("Date"), columns=None)


def commune_pivot(views: list[IndicatorView]) -> pd.DataFrame:
    """The share of each computed percentage indicator in each commune, side by side (a hidden cell
    shows the hidden-cell symbol; a commune with no enterprise counted for an indicator is blank)."""
    import pandas as pd

    cells = pd.DataFrame(
        [
            {
                "commune": row.label,
                "indicator": view.code,
                "value": sheets.SUPPRESSED if row.cell.hidden else _share(row.cell.numerator, row.cell.denominator),
            }
            for view in views
            if view.is_computed and view.figure is not None and view.indicator.unit != "count"
            for row in breakdown_rows(view.figure.by.get("commune", {}), "commune")
            if row.cell.hidden or row.cell.denominator
        ],
        columns=["commune", "indicator", "value"],
    )
    table = cells.pivot_table(index="commune", columns="indicator", values="value", aggfunc="first", sort=False)
    return table.rename_axis(index=str(DIMENSION_LABELS["commune"]), columns=None)


def cached_workbook(as_of: date, s: Settings, staff: bool) -> bytes:
    """The report as the public (aggregates, small cells suppressed) or staff (every cell, records sheets)
    see it, built once per registry version, day and language in each process: any write moves the
    version, so a download never shows less than the pages. One workbook is kept per audience and
    language (latest_value), so that a staff report with its records sheets never waits in memory
    for an old version to age out — and never reaches the public, whose key is another. A workbook
    built from a figure served stale while it is computed again is not kept: the pages soon show more."""
    name, key = f"progress-report:{'staff' if staff else 'public'}:{current_language()}", (as_of,)
    found = latest_value(name, key, None)
    if found is not None:
        return found
    full_key = latest_key(key)  # the version it is built from: a write meanwhile keeps it from the next one
    body = workbook(as_of, s, None if staff else int(s.suppression_minimum), with_records=staff)
    if not snapshots.served_stale():
        remember(current_app._get_current_object(), name, full_key, body)
    return body


def workbook(as_of: date, s: Settings, minimum: int | None, with_records: bool) -> bytes:
    """The report as of the day: summary, one sheet per indicator, and (staff) the records behind the numbers."""
    import pandas as pd

    global built
    built, started = next(_builds), time.perf_counter()

    indicators = services.in_order(services.all_indicators())  # the platform's own first, as the pages
    views = [services.indicator_view(i, as_of, s, breakdowns=True, minimum=minimum) for i in indicators]
    output = io.BytesIO()
    with pd.ExcelWriter(
        output,
        engine="xlsxwriter",
        date_format="dd/mm/yyyy",  # the days pandas writes (a day of the series, a value's day)
        datetime_format="dd/mm/yyyy",
        engine_kwargs={
            "options": {"strings_to_formulas": False, "strings_to_urls": False, "default_date_format": "dd/mm/yyyy"}
        },
    ) as writer:
        summary = services.summary(views, as_of)
        title = _("Progress toward the targets as of %(day)s", day=as_of.strftime("%d/%m/%Y"))
        sheet = _("Summary")[:31]
        row = sheets.write_table(writer, _summary_frame(views), sheet, 0, title)
        sheets.header_and_issuer(writer, sheet)
        writer.sheets[sheet].write(
            row,
            0,
            _(
                "%(met)s of %(total)s targets of %(year)s met.",
                met=summary.passed_met,
                total=summary.passed_total,
                year=summary.deadline_year,
            ),
        )
        if summary.live_year:
            writer.sheets[sheet].write(
                row + 1,
                0,
                _(
                    "%(on)s of %(total)s targets of %(year)s on track.",
                    on=summary.live_on_track,
                    total=summary.live_total,
                    year=summary.live_year,
                ),
            )
        plans = list(dict.fromkeys(p for p in (localized(*indicator_about.about_of(v).plan) for v in views) if p))
        for k, plan in enumerate(plans):  # the documents the targets come from, named under the table
            writer.sheets[sheet].write(row + 3 + k, 0, _("Plan: %(plan)s", plan=plan) if k == 0 else plan)
        writer.sheets[sheet].set_column(0, 0, 14)
        writer.sheets[sheet].set_column(1, 1, 88)  # an indicator's name on one line (the page fits its width)
        writer.sheets[sheet].set_column(2, 9, 14)
        obsolete = _summary_frame(views, obsolete=True)
        if not obsolete.empty:
            apart = _("Obsolete targets")[:31]
            sheets.write_table(
                writer, obsolete, apart, 0, _("Targets the department no longer follows (kept for the record)")
            )
            sheets.header_and_issuer(writer, apart)
            writer.sheets[apart].set_column(1, 1, 88)
        counts = tuple(view.code for view in views if view.indicator.unit in ("count", "yes_no"))
        sheets.pivot_sheet(
            writer,
            series_pivot(views),
            _("Series")[:31],
            _("Each indicator on each day of its series (a share in %, a count as a number)"),
            counts,
        )
        by_commune = commune_pivot(views)
        sheets.pivot_sheet(writer, by_commune, _("By commune")[:31], _("Each indicator in each commune (%)"))
        if (by_commune == sheets.SUPPRESSED).any().any():
            writer.sheets[_("By commune")[:31]].write(len(by_commune) + 3, 0, sheets.suppression_note(s))
        for view in views:
            _indicator_sheet(writer, view, s)
        if with_records:
            for view in views:
                if services.definition_of(view.indicator) is not None:
                    _records_sheet(writer, view, s)
    log.info("progress report as of %s built in %.2f s", as_of, time.perf_counter() - started)
    return output.getvalue()


def xlsx_download(name: str, body: bytes) -> Response:
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})
