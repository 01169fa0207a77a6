"""Turn an uploaded file into a header and rows of cells, trusting its content, never its name."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.errors import ServiceError
from app.imports import workbook
from app.text import fold

# Template columns: Vietnamese header first, then the English alias. Order = the template's order.
COLUMNS: dict[str, tuple[str, str]] = {
    "ma_so_doanh_nghiep": ("code", "enterprise_code"),
    "ten_doanh_nghiep": ("name", "name"),
    "loai_hinh": ("legal_form", "legal_form"),
    "ngay_thanh_lap": ("founded_on", "founded_on"),
    "ma_xa": ("commune_code", "commune_code"),
    "ten_xa": ("commune_name", "commune_name"),
    "huyen_cu": ("district", "former_district"),  # optional: the pre-2025 district, to tell old communes apart
    "dia_chi": ("address", "address"),
    "nganh_nghe_chinh": ("main_vsic", "main_vsic"),
    "so_lao_dong": ("employees", "employees"),
    "doanh_thu": ("revenue_vnd", "revenue_vnd"),
    "tong_nguon_von": ("capital_vnd", "capital_vnd"),
    "email": ("email", "email"),
    "dien_thoai": ("phone", "phone"),
    "nguoi_dai_dien": ("representative", "legal_representative"),  # as the registration names them
    "website": ("website", "website"),
    "trang_thai": ("status", "status"),
    # The legal existence dates beside the status (the registration office's own headers map to these).
    "ngay_tam_ngung": ("suspended_on", "suspended_on"),  # the first day of a suspension
    "tam_ngung_den_ngay": ("suspended_until", "suspended_until"),  # the day the business resumes
    "ngay_cham_dut": ("ceased_on", "ceased_on"),  # dissolution, bankruptcy or revocation
    # The day the row's other changes took effect (a correction reaching into the past); blank: today.
    "hieu_luc_tu": ("effective_on", "effective_on"),
}
HEADER_OF = {field: header for header, (field, _alias) in COLUMNS.items()}


@dataclass(frozen=True)
class Columns:
    """The template of a kind of file (app/imports/kinds): its columns {Vietnamese header: (field,
    English alias)} in order, the groups of fields it needs (one of each group), and the field a
    column of dates is taken for when its header says nothing (the mapping step)."""

    by_header: dict[str, tuple[str, str]]
    needed: tuple[tuple[str, ...], ...]
    date_field: str | None = None

    @property
    def header_of(self) -> dict[str, str]:
        return {field: header for header, (field, _alias) in self.by_header.items()}

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(field for field, _alias in self.by_header.values())

    def field_of(self, header: Any) -> str | None:
        """The field a header names, matched after folding ("Mã số doanh nghiệp" → code)."""
        key = "_".join(fold(str(header or "")).split())
        for name, (field, alias) in self.by_header.items():
            if key in (name, alias):
                return field
        return None

    def missing(self, fields: Iterable[str | None]) -> list[str]:
        """The first field of each needed group that no column holds."""
        present = set(fields)
        return [group[0] for group in self.needed if not present & set(group)]


REGISTRY_COLUMNS = Columns(COLUMNS, (("code",), ("name",), ("commune_code", "commune_name")), "founded_on")


class FileError(ServiceError):
    """The file as a whole cannot be read (not a spreadsheet, unknown encoding, missing columns), or
    the batch is not in a state that allows the step; `reason` (the code) says which."""

    def __init__(self, reason: str, message):
        super().__init__(message, code=reason)
        self.reason = reason


@dataclass
class Sheet:
    format: str  # csv | xlsx
    fields: list[str | None]  # the field each column holds (None: a column we do not read)
    rows: Iterator[list[Any]]  # data rows, the header excluded
    total: int  # number of data rows (may count trailing blank lines)


def stored_name(name: str | None) -> str:
    """The name the file came with, kept only to be shown: a name holding a control character (NUL,
    which PostgreSQL cannot store) or a lone surrogate is refused before anything is stored."""
    name = unicodedata.normalize("NFC", name or "") or "upload"
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise FileError(
            "file_name",
            _l("The file's name holds characters that cannot be stored: rename the file and upload it again."),
        )
    return name[:255]


def field_of(header: Any, columns: Columns = REGISTRY_COLUMNS) -> str | None:
    """The field a header names in a kind's template, matched after folding."""
    return columns.field_of(header)


def missing_required(fields: Iterable[str | None], columns: Columns = REGISTRY_COLUMNS) -> list[str]:
    """What an import needs and the columns' fields lack: the first field of each needed group
    (for the registry "code", "name", "commune_code" — the commune's code or its name)."""
    return columns.missing(fields)


def is_template(header: list[Any], columns: Columns = REGISTRY_COLUMNS) -> bool:
    """The header row is the template's: every named column is a template column (in Vietnamese or
    English, with or without marks) and the required ones are there. Any other file is mapped first."""
    fields = [columns.field_of(h) for h in header]
    unknown = [h for h, f in zip(header, fields, strict=True) if f is None and h is not None and str(h).strip()]
    return not unknown and not columns.missing(fields)


def mapped_fields(
    header: list[Any], mapping: Mapping[Any, str | None], columns: Columns = REGISTRY_COLUMNS
) -> list[str | None]:
    """The field of each column by a mapping {column index → field or None} (keys may be the index as
    text, as JSON stores them); a field named twice is read from its first column only."""
    chosen = {int(index): field for index, field in mapping.items()}
    known = set(columns.fields)
    fields: list[str | None] = []
    for index in range(len(header)):
        field = chosen.get(index)
        fields.append(field if field in known and field not in fields else None)
    return fields


def encoding_of(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1258: the whole file is checked a megabyte at a time,
    without keeping a decoded copy (100,000 rows of Vietnamese text would take twice their bytes)."""
    for encoding in ("utf-8", "cp1258"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), _PIECE):
                decoder.decode(data[start : start + _PIECE])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileError("encoding", _l("The file is neither UTF-8 nor Windows-1258 text, nor an XLSX workbook."))


_PIECE = 1 << 20


def _lines(data: bytes, encoding: str) -> Iterator[str]:
    """The file's lines, ends kept, decoded one at a time (the caller normalises each cell to NFC). A
    line break is the byte 10 in both encodings: UTF-8 never uses it inside a character, and
    Windows-1258 has one byte per character. A leading byte-order mark is no text."""
    start = len(codecs.BOM_UTF8) if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8) else 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end + 1
        yield data[start:end].decode(encoding)
        start = end


class UnreadableRow(list):
    """A row the reader could not split into cells (a cell longer than the CSV reader takes): the row
    is rejected with the reason, the rest of the file is read on."""

    reason = "cell_too_long"


def _rows_or_unreadable(reader) -> Iterator[list[Any]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield UnreadableRow()
        else:
            yield row


def _csv(data: bytes) -> tuple[list[Any], Iterator[list[Any]], int]:
    encoding = encoding_of(data)
    if b"\x00" in data[:4096]:  # NUL is the byte 0 in both encodings
        raise FileError("binary", _l("The file is neither UTF-8 nor Windows-1258 text, nor an XLSX workbook."))
    lines = _lines(data, encoding)
    first_line = next(lines, "")
    delimiter = max(",;\t", key=first_line.split("\n", 1)[0].count)
    total = estimate_rows(data)  # for progress: quoted cells may hold line breaks
    reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error:
        header = []
    return header, _rows_or_unreadable(reader), total


def inspect_xlsx(data: bytes) -> int:
    """Check a workbook's size before anything reads it, and return its number of rows.

    The archive's declared sizes, then every sheet, parsed as a stream of XML events (its dimension,
    every row's and cell's reference: app/imports/workbook.py), must stay within the limits: a
    workbook of a few KB can declare a cell at XFD1048576 (which would make the reader allocate the
    whole range) or unpack to gigabytes.
    """
    cfg = current_app.config
    max_rows, max_columns = int(cfg["IMPORT_MAX_ROWS"]), int(cfg["IMPORT_MAX_COLUMNS"])
    limits = workbook.Limits(max_rows, max_columns, int(cfg["IMPORT_MAX_UNPACKED_MB"]) * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return workbook.measure(book, limits)
    except workbook.TooBig:
        raise FileError(
            "too_big",
            _l(
                "This workbook is larger than an import takes (at most %(rows)s rows, %(columns)s "
                "columns and %(mb)s MB unpacked): split it into several files.",
                rows=f"{max_rows:,}".replace(",", "."),
                columns=max_columns,
                mb=cfg["IMPORT_MAX_UNPACKED_MB"],
            ),
        ) from None
    except (workbook.Unreadable, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as e:
        raise FileError("xlsx", _l("This XLSX workbook cannot be read.")) from e
    except (NotImplementedError, RuntimeError, ValueError) as e:  # an unknown compression, an encrypted part
        raise FileError("xlsx", _l("This XLSX workbook cannot be read.")) from e


def _xlsx(data: bytes, first: int | None = None) -> tuple[list[Any], Iterator[list[Any]], int]:
    """The first sheet's rows (only the header and `first` data rows when given: a preview)."""
    from python_calamine import CalamineError, CalamineWorkbook

    inspect_xlsx(data)
    try:
        # Named .xlsx, the file is opened as XLSX only: given bytes, the reader would try XLS, XLSB and
        # OpenDocument in turn when it is not one, formats inspect_xlsx does not measure.
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            file.write(data)
            file.flush()
            sheet = CalamineWorkbook.from_path(file.name).get_sheet_by_index(0)
            rows = sheet.to_python(skip_empty_area=False, nrows=None if first is None else first + 1)
    except (CalamineError, ValueError, OSError) as e:
        raise FileError("xlsx", _l("This XLSX workbook cannot be read.")) from e
    if not rows:
        return [], iter(()), 0
    return rows[0], iter(rows[1:]), len(rows) - 1


def sniff_format(data: bytes) -> str:
    """By content, never by the file's name: an XLSX file is a zip, which starts with PK."""
    return "xlsx" if data[:4] == b"PK\x03\x04" else "csv"


def read_table(data: bytes, first: int | None = None) -> tuple[str, list[Any], Iterator[list[Any]], int]:
    """The first sheet of a CSV or XLSX file: its format, header row, data rows and their number, the
    columns not yet checked (`first`: a workbook is read no further than that many data rows)."""
    if not data.strip():
        raise FileError("empty", _l("The file is empty."))
    fmt = sniff_format(data)
    header, rows, total = _xlsx(data, first) if fmt == "xlsx" else _csv(data)
    return fmt, header, rows, total


def read_sheet(
    data: bytes, mapping: Mapping[Any, str | None] | None = None, columns: Columns = REGISTRY_COLUMNS
) -> Sheet:
    """Read the first sheet of a CSV or XLSX file and check that it holds the required columns of its
    kind: named by the header row (the template's columns), or by `mapping` {column index → field or
    None}, the columns staff mapped for a file in other columns (app/imports/mapping.py)."""
    fmt, header, rows, total = read_table(data)
    fields = [columns.field_of(h) for h in header] if mapping is None else mapped_fields(header, mapping, columns)
    if missing := columns.missing(fields):
        if columns is REGISTRY_COLUMNS:
            message = _l(
                "The first row must name the columns: ma_so_doanh_nghiep, ten_doanh_nghiep "
                "and ma_xa or ten_xa at least (download the template)."
            )
        else:
            needed = ", ".join(columns.header_of[f] for f in missing)
            message = _l(
                "The first row must name these columns too: %(columns)s (download the template).", columns=needed
            )
        raise FileError("columns", message)
    return Sheet(fmt, fields, rows, total)


def estimate_rows(data: bytes) -> int:
    """Roughly how many data rows a file has, for a progress bar (an XLSX file is read to count)."""
    if sniff_format(data) == "xlsx":
        try:
            return max(inspect_xlsx(data) - 1, 0)
        except FileError:
            return 0
    return data.rstrip(b"\r\n").count(b"\n")
