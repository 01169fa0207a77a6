"""A file in columns of its own, read once staff said which template field each column holds.

The registration office's export, the tax office's list and the OCOP lists each name their columns
their own way. A file whose header row is not its kind's template (app/imports/kinds) is previewed
(`examine`: each column's header and a few of its values) and each column gets a suggestion among the
kind's fields: from its folded header against the names the field is known by (app/imports/headers.py),
or, when the header says nothing, from its values. Staff confirm or change the choices (`problems` says
what is still wrong); the batch then keeps the mapping and the file is read with it
(reading.read_sheet). Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from stdnum.vn import mst

from app.imports import cells
from app.imports.guide import Column
from app.imports.headers import known_names, not_read
from app.imports.kinds import KINDS, REGISTRY, Kind, kind_of
from app.imports.reading import FileError, is_template, read_table
from app.text import fold

PREVIEW_ROWS = 50  # data rows read for the samples
SAMPLES = 3  # values shown for each column
SAMPLE_LENGTH = 80
HEADER_LENGTH = 200  # a header longer than any office writes is kept, shown and saved this long


@dataclass(frozen=True)
class FileColumn:
    """One column of an uploaded file, as the mapping page shows it."""

    index: int  # from 0
    header: str  # as written (NFC), "" when the header cell is blank
    samples: tuple[str, ...]  # a few of its values, as text

    @property
    def key(self) -> str:
        """How a saved source knows the column: its folded header."""
        return fold(self.header)

    @property
    def letter(self) -> str:
        """The spreadsheet's name of the column: A, B, …, Z, AA."""
        letters, n = "", self.index + 1
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        return letters


REGISTRY_KIND = KINDS[REGISTRY]


@dataclass(frozen=True)
class _Names:
    exact: dict[str, str]  # folded name → field
    contained: list[tuple[str, str]]  # (folded name of several words, field), the longest first
    not_read: frozenset[str]  # folded signs of a column no field reads


@cache
def _names(key: str) -> _Names:
    """The names of a kind's fields, folded once (the kind by its key: a Kind holds dicts, unhashable)."""
    kind = kind_of(key)
    exact: dict[str, str] = {}
    for field, names in known_names(kind.key, kind.columns.fields).items():
        for name in names:
            exact.setdefault(fold(name), field)
    contained = sorted(((k, f) for k, f in exact.items() if " " in k), key=lambda kf: -len(kf[0]))
    return _Names(exact, contained, frozenset(fold(name) for name in not_read(kind.key)))


def from_header(header: Any, kind: Kind = REGISTRY_KIND) -> str | None:
    """The field of the kind a header names: the template's header or alias, a name the field is known
    by, or a header holding such a name (the longest one) and no sign of being another column."""
    header, names = cells.text(header), _names(kind.key)
    field = kind.columns.field_of(header) or names.exact.get(fold(header))
    if field is None and not (words := f" {fold(header)} ").isspace():
        if not any(f" {sign} " in words for sign in names.not_read):
            field = next((f for name, f in names.contained if f" {name} " in words), None)
    return field if field in kind.columns.fields else None


def is_not_read(header: Any, kind: Kind = REGISTRY_KIND) -> bool:
    """A header that says its column holds nothing the kind reads (a row number, the representative's
    phone, the owner of a product)."""
    words = f" {fold(cells.text(header))} "
    return any(f" {sign} " in words for sign in _names(kind.key).not_read)


_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$|^\d{4}-\d{2}-\d{2}$")
_COMMUNE = re.compile(r"^\d{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(https?://|www\.)\S+$|^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$", re.I)
_PHONE = re.compile(r"^(\+84|0)[\d .()-]{8,16}$")


def _is_code(value: str) -> bool:
    digits = value.replace("-", "").replace(" ", "").replace(".", "")
    return len(digits) in (10, 13) and digits.isdigit() and mst.is_valid(value)


_A_DATE, _AN_ADDRESS = "<date>", "<web address>"
# What the values look like, in the order tried: an enterprise code before a phone (both may be ten digits).
_LOOKS = (
    ("code", _is_code),
    (_A_DATE, _DATE.match),
    ("commune_code", _COMMUNE.match),
    ("email", _EMAIL.match),
    (_AN_ADDRESS, _URL.match),
    ("phone", lambda v: _PHONE.match(v) and 9 <= sum(c.isdigit() for c in v) <= 12),
)
_ADDRESS_FIELDS = ("url", "website")  # a kind's field for a web address: a listing's page, a firm's site


def from_samples(samples: tuple[str, ...] | list[str], kind: Kind = REGISTRY_KIND) -> str | None:
    """The field of the kind every value of a column looks like: 10/13-digit enterprise codes,
    dd/mm/yyyy dates (read as the kind's date: for the registry the day the firm came into existence),
    5-digit commune codes, e-mails, web addresses, phones; None when the kind has no such field."""
    values = [v for v in samples if v]
    if not values:
        return None
    fields = kind.columns.fields
    found = next((field for field, looks in _LOOKS if all(looks(v) for v in values)), None)
    if found == _A_DATE:
        found = kind.columns.date_field
    elif found == _AN_ADDRESS:
        found = next((f for f in _ADDRESS_FIELDS if f in fields), None)
    return found if found in fields else None


def suggest(
    columns: list[FileColumn], taken: dict[int, str | None] | None = None, kind: Kind = REGISTRY_KIND
) -> dict[int, str | None]:
    """A field of the kind (or None) for every column: `taken` first (a saved source's choices), then
    each header, then the values of the columns whose header says nothing, never a field already chosen."""
    chosen: dict[int, str | None] = dict(taken or {})
    for column in columns:
        if column.index not in chosen:
            field = from_header(column.header, kind)
            chosen[column.index] = field if field not in chosen.values() else None
    for column in columns:
        if chosen[column.index] is None and (taken is None or column.index not in taken):
            if not is_not_read(column.header, kind) and from_header(column.header, kind) is None:
                field = from_samples(column.samples, kind)
                chosen[column.index] = field if field not in chosen.values() else None
    return chosen


@dataclass
class Problems:
    """What stops a mapping: required fields no column holds, and columns that hold a field another holds."""

    missing: list[str]  # the first field of each needed group no column holds (see `needed_message`)
    twice: dict[int, list[int]]  # column index → the other columns given its field

    def __bool__(self) -> bool:
        return bool(self.missing or self.twice)


# The registry's own words for what it needs; any other kind's are said with its guide (`needed_message`).
NEEDED = {
    "code": _l("Choose the column that holds the enterprise code."),
    "name": _l("Choose the column that holds the registered name."),
    "commune_code": _l("Choose the column that holds the commune's code, or the one that holds its name."),
}


def problems(chosen: dict[int, str | None], kind: Kind = REGISTRY_KIND) -> Problems:
    """The same rule as reading.read_sheet: the fields the kind needs held (for the registry the code,
    the name and the commune), each field once."""
    columns_of: dict[str, list[int]] = {}
    for index, field in sorted(chosen.items()):
        if field:
            columns_of.setdefault(field, []).append(index)
    twice = {i: [j for j in same if j != i] for same in columns_of.values() if len(same) > 1 for i in same}
    return Problems(kind.columns.missing(chosen.values()), twice)


def guide_of(kind: Kind) -> dict[str, Column]:
    """The kind's column guide by field, in the template's order: what each field holds and accepts."""
    return {kind.columns.by_header[c.header][0]: c for c in kind.guide if c.header in kind.columns.by_header}


def _holds(kind: Kind, group: tuple[str, ...]) -> list[str]:
    guide = guide_of(kind)
    return [str(guide[f].holds) if f in guide else f for f in group]


def needed(kind: Kind) -> list[str]:
    """What a file of the kind must hold, one entry per needed group, in the page's language
    ("Registered name"; "Commune code … or Commune name")."""
    return [f" {_('or')} ".join(_holds(kind, group)) for group in kind.columns.needed]


def needed_message(field: str, kind: Kind = REGISTRY_KIND) -> str:
    """What to do when no column holds `field` (the first of a needed group): the registry's words, or
    the kind's guide naming what the column holds."""
    if kind.key == REGISTRY and field in NEEDED:
        return str(NEEDED[field])
    holds = _holds(kind, next((g for g in kind.columns.needed if g[0] == field), (field,)))
    if len(holds) == 1:
        return _("Choose the column that holds “%(holds)s”.", holds=holds[0])
    return _("Choose the column that holds one of these: %(holds)s.", holds=", ".join(f"“{h}”" for h in holds))


def _shown(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return cells.text(value)[:SAMPLE_LENGTH]


def examine(data: bytes, kind: Kind = REGISTRY_KIND) -> tuple[bool, list[FileColumn]]:
    """(whether the header row is the kind's template, the file's columns with a few values each). Reads
    the header and the first rows only; FileError for a file that is not a spreadsheet, as the check."""
    _fmt, header, rows, _total = read_table(data, first=PREVIEW_ROWS)
    samples: list[list[str]] = [[] for _ in header]
    for _n, row in zip(range(PREVIEW_ROWS), rows, strict=False):
        for index, value in enumerate(row[: len(header)]):
            shown = _shown(value)
            if shown and len(samples[index]) < SAMPLES and shown not in samples[index]:
                samples[index].append(shown)
    columns = [
        FileColumn(i, cells.text(h)[:HEADER_LENGTH], tuple(s))
        for i, (h, s) in enumerate(zip(header, samples, strict=True))
    ]
    columns = [c for c in columns if c.header or c.samples]  # a blank column holds nothing
    if len(columns) > (most := current_app.config["IMPORT_MAX_COLUMNS"]):
        raise FileError(
            "too_many_columns",
            _l("This file has more than %(n)s columns: leave out the ones not imported.", n=most),
        )
    return is_template(header, kind.columns), columns
