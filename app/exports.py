"""CSV and XLSX downloads: UTF-8 with BOM for Excel, formula-like cells neutralised, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

import xlsxwriter
from flask import Response, stream_with_context

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (prefix it with an apostrophe)."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    if isinstance(value, list | tuple):
        return safe_cell("; ".join(map(str, value)))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> Response:
    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def xlsx_bytes(header: list[str], rows: Iterable[list[Any]], sheet: str = "data") -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    worksheet.write_row(0, 0, [str(h) for h in header], bold)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, [safe_cell(v) for v in row])
    book.close()
    return output.getvalue()


def xlsx_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> Response:
    return Response(
        xlsx_bytes(header, rows),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
