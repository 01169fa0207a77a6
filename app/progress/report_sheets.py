"""How the progress report's sheets are written (app/progress/report.py says what is in them): tables
under a bold title with their numbers formatted, a summary sheet's header and print set-up, the
hidden-cell symbol and its note, and the side-by-side tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _

from app.exports import safe_cell
from app.i18n import localized
from app.indicator_settings import Settings

if TYPE_CHECKING:
    import pandas as pd

SHARE_FORMAT, COUNT_FORMAT = "0.0", "#,##0"  # a percentage with one decimal; a count with thousands


def write_table(
    writer: pd.ExcelWriter,
    frame: pd.DataFrame,
    sheet: str,
    start: int,
    title: str | None = None,
    formats: dict[str, str] | None = None,
) -> int:
    """Write a table (under a bold title) at a row of a sheet, its numbers in the columns `formats`
    names shown with that number format (a text in such a column, the hidden-cell symbol, stays as
    it is); returns the next free row."""
    frame = frame.map(lambda v: safe_cell(v) if isinstance(v, str) else v) if not frame.empty else frame
    first = start + (1 if title else 0)
    frame.to_excel(writer, sheet_name=sheet, startrow=first, index=False)
    if title:
        writer.sheets[sheet].write(start, 0, title, writer.book.add_format({"bold": True, "font_size": 12}))
    for column, wanted in (formats or {}).items():
        if column not in frame.columns:
            continue
        shown = number_format(writer, wanted)
        at = list(frame.columns).index(column)
        for k, value in enumerate(frame[column].tolist()):
            if isinstance(value, int | float) and not isinstance(value, bool) and value == value:  # not NaN
                writer.sheets[sheet].write_number(first + 1 + k, at, value, shown)
    return start + len(frame) + (4 if title else 3)


def number_format(writer: pd.ExcelWriter, wanted: str):
    """The workbook's cell format showing numbers as `wanted`."""
    return cell_format(writer, num_format=wanted)


def cell_format(writer: pd.ExcelWriter, **properties):
    """The workbook's cell format with these properties, made once per workbook."""
    made = writer.book.__dict__.setdefault("_progress_formats", {})
    key = tuple(sorted(properties.items()))
    if key not in made:
        made[key] = writer.book.add_format(properties)
    return made[key]


def column_formats(header: list[str], unit: str) -> dict[str, str]:
    """The number format of each numeric column of a series or breakdown table."""
    value = COUNT_FORMAT if unit in ("count", "yes_no") else SHARE_FORMAT
    counts = (_("Numerator"), _("Denominator"), _("Enterprises"), _("Number"))
    return {
        column: COUNT_FORMAT if column in counts else value
        for column in header
        if column in (*counts, _("Value"), _("Value (%)"))
    }


def header_and_issuer(writer: pd.ExcelWriter, sheet: str) -> None:
    """A summary table's header row bold and frozen, and the sheet set up for print (`print_setup`)
    with that header on every page."""
    worksheet = writer.sheets[sheet]
    worksheet.set_row(1, 30, writer.book.add_format({"bold": True, "text_wrap": True, "valign": "top"}))
    worksheet.freeze_panes(2, 2)
    print_setup(worksheet)
    worksheet.repeat_rows(1)


def print_setup(worksheet) -> None:
    """A sheet printed on A4 landscape, as wide as one page (as many pages down as it takes), the
    issuing department in the header of every page and the page's number in the footer."""
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.fit_to_pages(1, 0)
    issuer = localized(current_app.config["DEPARTMENT_NAME_VI"], current_app.config["DEPARTMENT_NAME_EN"])
    worksheet.set_header(f"&L{issuer.replace('&', '&&')}")
    worksheet.set_footer("&C&P / &N")


def wrapped_details(writer: pd.ExcelWriter, sheet: str, first: int, rows: list[list], columns: int = 6) -> None:
    """A two-column table of long texts (from row `first`) printed in full: each label wrapped in the
    first column, each text wrapped across the `columns` next ones, each row as tall as its longer
    side (34 characters for the first column, 16 for each other, as the indicator sheets set them)."""
    wrap = cell_format(writer, text_wrap=True, valign="top")
    for k, (label, text) in enumerate(rows):
        label, text = safe_cell(str(label)), safe_cell(str(text))
        lines = max(_lines(label, 34), _lines(text, 16 * columns))
        writer.sheets[sheet].write_string(first + k, 0, label, wrap)
        writer.sheets[sheet].merge_range(first + k, 1, first + k, columns, text, wrap)
        writer.sheets[sheet].set_row(first + k, 15 * lines)


def _lines(text: str, per_line: int) -> int:
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


SUPPRESSED = "x"  # a hidden cell in the report, as statistical tables mark a confidential one


def marked(rows: list[list]) -> tuple[list[list], bool]:
    """A breakdown's rows with each hidden cell's empty numbers shown as SUPPRESSED (its last column
    says it is hidden), and whether any is."""
    marked = [[SUPPRESSED if value is None else value for value in r] if r[-1] else r for r in rows]
    return marked, any(r[-1] for r in rows)


def suppression_note(s: Settings) -> str:
    return _(
        "%(symbol)s: hidden to protect the enterprises' data — a group of fewer than %(n)s enterprises, "
        "or the next smallest group when a single one is hidden, so that it cannot be worked out from the total.",
        symbol=SUPPRESSED,
        n=int(s.suppression_minimum),
    )


def pivot_sheet(
    writer: pd.ExcelWriter, frame: pd.DataFrame, sheet: str, title: str, counts: tuple[str, ...] = ()
) -> None:
    """A table of indicators side by side under a bold title, its header repeated on every printed
    page; the `counts` columns as counts, the others as percentages."""
    if frame.empty:
        return
    frame.to_excel(writer, sheet_name=sheet, startrow=1)
    worksheet = writer.sheets[sheet]
    worksheet.write(0, 0, title, writer.book.add_format({"bold": True, "font_size": 12}))
    worksheet.set_column(0, 0, 30)
    for k, column in enumerate(frame.columns, start=1):
        worksheet.set_column(k, k, 12, number_format(writer, COUNT_FORMAT if column in counts else SHARE_FORMAT))
    worksheet.freeze_panes(2, 1)
    print_setup(worksheet)
    worksheet.repeat_rows(1)
