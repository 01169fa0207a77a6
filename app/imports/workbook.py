"""Measure an XLSX workbook before the reader opens it, with an XML parser, never a pattern.

The reader (python-calamine) allocates the whole rectangle from A1 to the farthest cell it meets, so
a workbook of a few KB that names a cell at XFD1048576 would make it allocate 512 GiB and abort the
process. Here each part of the archive that could be read as a sheet (any part holding the word
`sheetData`, which the reader needs to find a cell: which part it opens first depends on the
workbook's relationships, and is not guessed) is parsed as a stream of XML events, expat over the zip
member a piece at a time: its dimension, every row's and every cell's reference, and the position the
reader gives a cell that has none, must stay within the limits. Whatever the reader could see
otherwise is refused: a document type declaration (entities), a part in another encoding than UTF-8
(the reader parses bytes as UTF-8), a part that is not well-formed, a single XML token of more than a
megabyte (padding the parser would have to hold whole). The reader is then told the file is an XLSX
workbook (`reading._xlsx`), so that it never falls back to reading it as another format.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

PIECE = 64 * 1024
MAX_TOKEN = 1024 * 1024  # bytes the parser may read without a single event: no real sheet comes near
SHEET = b"sheetData"
_REFERENCE = re.compile(r"([A-Za-z]*)([0-9]+)")


class Unreadable(Exception):
    """Not a workbook the reader can be trusted with."""


class TooBig(Exception):
    """Beyond the limits of an import."""


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    unpacked_bytes: int


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def reference(value: str) -> tuple[int, int]:
    """(row, column), both from 1, of a reference such as "B7" (column 0 when it names none), read as
    the reader reads it: letters in either case, then digits."""
    found = _REFERENCE.fullmatch(value) or _REFERENCE.fullmatch(value.strip())
    if not found or int(found[2]) == 0:
        raise Unreadable(value[:40])
    return int(found[2]), _column(found[1])


@functools.lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column


def _refuse(*_args) -> None:
    raise Unreadable("a document type declaration")


class Budget:
    """The bytes all parts may unpack to: an archive may declare sizes smaller than its parts are."""

    def __init__(self, limit: int):
        self.left = limit

    def pieces(self, book: zipfile.ZipFile, info: zipfile.ZipInfo, charged: bool = True) -> Iterator[bytes]:
        """The part unpacked a piece at a time; read again (`charged=False`), it is not counted twice."""
        with book.open(info) as part:
            while piece := part.read(PIECE):
                self.left -= len(piece) if charged else 0
                if self.left < 0:
                    raise TooBig
                yield piece


class SheetScan:
    """The start tags of one part: rows and cells counted and placed as the reader places them.

    The reader moves to the next row at a row's end tag, and back to the first column; here it is
    done at the next row's start tag (end tags are not parsed: half the events of a sheet), which
    places a cell left outside any row at the row before, and right of the cell before it: the
    farthest cell reaches at most one row less far than the reader sees it, never a column less.
    Tags named row or c before the sheet's data are not counted; after it, they are."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows = 0  # <row> elements
        self.last_row = 0  # the farthest row a reference or a position reaches
        self.row_index = -1  # the reader's position (from 0) for a row or a cell without reference
        self.column_index = 0
        self.in_sheet_data = False
        self.parser = expat.ParserCreate("utf-8")  # whatever the document declares, as the reader does
        self.parser.ordered_attributes = True
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self.parser.EntityDeclHandler = _refuse
        self.parser.ExternalEntityRefHandler = _refuse
        self.parser.StartElementHandler = self.start

    def _place(self, row: int, column: int) -> None:
        if column > self.limits.columns or row > self.limits.rows:
            raise TooBig
        if row > self.last_row:
            self.last_row = row

    def _references(self, attributes: list[str]) -> tuple[int, int] | None:
        """Every attribute named r (with a prefix or not) within the limits; the position the reader
        takes from the one without a prefix, if any."""
        position = None
        for i in range(0, len(attributes), 2):
            key = attributes[i]
            if key == "r":
                position = reference(attributes[i + 1])
            elif key[-2:] == ":r":
                self._place(*reference(attributes[i + 1]))
        return position

    def start(self, name: str, attributes: list[str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c" and self.in_sheet_data:
            row, column = self._references(attributes) or (self.row_index + 1, self.column_index + 1)
            if column > self.limits.columns or row > self.limits.rows:
                raise TooBig
            if row > self.last_row:
                self.last_row = row
            self.column_index = column  # the next cell without a reference goes right of this one
        elif name == "row" and self.in_sheet_data:
            self.rows += 1
            if self.rows > self.limits.rows:
                raise TooBig
            position = self._references(attributes)
            if position:
                self._place(*position)
            self.row_index = position[0] - 1 if position else self.row_index + 1  # its column is ignored
            self.column_index = 0
        elif name == "sheetData":
            self.in_sheet_data = True
        elif name == "dimension":
            for i in range(0, len(attributes), 2):
                if _local(attributes[i]) == "ref":
                    for corner in attributes[i + 1].split(":"):
                        self._place(*reference(corner))

    def read(self, pieces: Iterator[bytes]) -> None:
        fed = 0
        for piece in pieces:
            if not fed and piece.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise Unreadable("not UTF-8")  # the reader would not see what the parser sees
            self.parser.Parse(piece, False)
            fed += len(piece)
            # Between two calls the parser's position is just past its last event: what lies beyond
            # it, the parser holds, waiting for the end of a token.
            if fed - self.parser.CurrentByteIndex > MAX_TOKEN:
                raise Unreadable("an XML token longer than any sheet holds")
        self.parser.Parse(b"", True)


def _holds_sheet(pieces: Iterator[bytes]) -> bool:
    tail = b""
    for piece in pieces:
        if SHEET in tail + piece[: len(SHEET)] or SHEET in piece:
            return True
        tail = piece[-len(SHEET) :]
    return False


def measure(book: zipfile.ZipFile, limits: Limits) -> int:
    """The number of rows of the workbook's largest sheet, once every sheet is known to be within the
    limits (TooBig otherwise); Unreadable for a workbook the reader cannot be trusted with."""
    if sum(info.file_size for info in book.infolist()) > limits.unpacked_bytes:
        raise TooBig
    budget, rows, sheets = Budget(limits.unpacked_bytes), 0, 0
    for info in book.infolist():
        if info.is_dir() or not _holds_sheet(budget.pieces(book, info)):
            continue
        sheets += 1
        scan = SheetScan(limits)
        try:
            scan.read(budget.pieces(book, info, charged=False))
        except (expat.ExpatError, UnicodeDecodeError) as e:
            raise Unreadable(str(e)) from e
        rows = max(rows, scan.rows, scan.last_row)
    if not sheets:
        raise Unreadable("no sheet")
    return rows
