"""CSV and XLSX downloads: UTF-8 with BOM for Excel, formula-like cells neutralised, streamed.

The header is written in the page's language; a second header row may give each column's field
code (the same in every language), for whoever reads the file with a program. Times are written
in the province's time zone."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import xlsxwriter
from flask import Response, stream_with_context

from app.dates import zone

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (prefix it with an apostrophe)."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    if isinstance(value, list | tuple):
        return safe_cell("; ".join(map(str, value)))
    if isinstance(value, datetime):
        local = value.replace(tzinfo=value.tzinfo or UTC).astimezone(zone())  # stored in UTC
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[list[Any]], codes: list[str] | None = None
) -> Response:
    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow([safe_cell(str(h)) for h in header])
        if codes:
            writer.writerow(codes)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        content_type="text/csv; charset=utf-8",  # as it is: a mimetype would get its charset a second time
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def xlsx_bytes(
    header: list[str], rows: Iterable[list[Any]], sheet: str = "data", codes: list[str] | None = None
) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    worksheet.write_row(0, 0, [str(h) for h in header], bold)
    if codes:
        worksheet.write_row(1, 0, codes)
    for index, row in enumerate(rows, start=2 if codes else 1):
        worksheet.write_row(index, 0, [safe_cell(v) for v in row])
    book.close()
    return output.getvalue()


def xlsx_response(
    filename: str, header: list[str], rows: Iterable[list[Any]], codes: list[str] | None = None
) -> Response:
    return Response(
        xlsx_bytes(header, rows, codes=codes),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
