"""Check one row of an import: every cell parsed, every failure named with its column and reason."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from stdnum.vn import mst

from app.domain.codes import CodeError, validate_enterprise_code, validate_personal_id
from app.domain.legal_forms import DEPENDENT_UNITS
from app.imports import cells, sizes
from app.imports.reading import HEADER_OF
from app.reference.communes import CommuneResolver, Resolution

TEXT_FIELDS = ("name", "address", "phone", "representative")
UNREADABLE = "_unreadable"  # a row the reader could not split into cells: its reason
AMOUNT_FIELDS = ("employees", "revenue_vnd", "capital_vnd")
PAST_DATES = ("founded_on", "suspended_on", "ceased_on", "effective_on")


class RowCheck:
    """The outcome for one row: the values read, the failures, and the commune resolution."""

    __slots__ = ("number", "values", "errors", "commune", "section", "guessed_form")

    def __init__(self, number: int):
        self.number = number
        self.values: dict[str, Any] = {}
        self.errors: list[tuple[str, str, str]] = []  # (column header, reason, value as typed)
        self.commune: Resolution | None = None
        self.section: str | None = None  # a VSIC section given as a letter alone
        self.guessed_form: str | None = None  # the legal form the name or code implies, for a new record

    def fail(self, field: str, reason: str, raw: Any) -> None:
        self.errors.append((HEADER_OF[field], reason, cells.text(raw)[:200]))

    @property
    def key(self) -> str | None:
        return self.values.get("code") or self.values.get("personal_id")


_AS_NUMBER = re.compile(r"^([0-9]+)(?:\.0+)?$")


def _repaired(raw: Any, numeric: bool) -> str:
    """The code as typed, with the leading zero a spreadsheet drops when it reads a code as a number.

    A number cell, or a text cell that holds one ("314409058002.0" from a CSV that Excel saved), lost
    its leading zero: 9 digits were an enterprise code, 12 a branch code (0314409058-002), 11 a
    personal ID. A 12-digit text that does not start with 0 cannot be a personal ID (they begin with
    the 0 of their province code [S]), so it is a branch code that lost its zero too.
    """
    typed = cells.text(raw)
    found = _AS_NUMBER.match(typed)
    if not found:
        return typed
    digits = found[1]
    lost_zero = numeric or typed != digits
    if (lost_zero and len(digits) in (9, 11, 12)) or (len(digits) == 12 and not digits.startswith("0")):
        return "0" + digits
    return digits


def _code(row: RowCheck, raw: Any, numeric: bool, legal_form: str | None) -> None:
    typed = _repaired(raw, numeric)
    compact = mst.compact(typed)
    if not compact:
        row.fail("code", "required", raw)
    elif len(compact) == 13 and legal_form not in (None, *DEPENDENT_UNITS):
        row.fail("code", "branch_code_with_company_form", raw)  # 13 digits: a dependent unit, whatever the cell says
    elif len(compact) == 12 and compact.isdigit() and legal_form in (None, "hkd"):
        try:
            row.values["personal_id"] = validate_personal_id(compact)
            row.values["legal_form"] = "hkd"
        except CodeError as e:
            row.fail("code", e.reason, raw)
    else:
        try:
            row.values["code"] = validate_enterprise_code(typed).value
        except CodeError as e:
            row.fail("code", e.reason, raw)


def _dependent_form(name: str, code: str | None) -> str | None:
    """A branch or representative office, by its 13-digit code or by a name that starts with what it is."""
    named = cells.legal_form_in_name(name)
    if named in DEPENDENT_UNITS:
        return named
    if code and len(code) == 14:
        return "branch"
    return None


def check_row(number: int, cells_by_field: dict[str, Any], resolver: CommuneResolver, today: date) -> RowCheck:
    """Read and check one row's cells (``cells_by_field`` maps a field to its raw cell)."""
    row = RowCheck(number)
    if UNREADABLE in cells_by_field:
        row.errors.append(("", cells_by_field[UNREADABLE], ""))
        return row
    get = cells_by_field.get
    for field in ("name", "address"):
        value = cells.text(get(field))
        if cells.looks_mis_encoded(value):
            row.fail(field, "mojibake", value)
    try:
        legal_form = cells.parse_legal_form(get("legal_form"))
    except cells.CellError as e:
        row.fail("legal_form", e.reason, get("legal_form"))
        legal_form = None
    _code(row, get("code"), isinstance(get("code"), int | float), legal_form)
    name = cells.text(get("name"))
    if not name:
        row.fail("name", "required", "")
    row.values["legal_form"] = row.values.get("legal_form") or legal_form
    row.guessed_form = _dependent_form(name, row.values.get("code")) or cells.legal_form_in_name(name)
    for field in TEXT_FIELDS:
        row.values[field] = cells.text(get(field)) or None

    commune_code, commune_name = cells.text(get("commune_code")), cells.text(get("commune_name"))
    if commune_code:
        row.commune = resolver.by_code(commune_code)
        column, typed = "commune_code", commune_code
    elif commune_name:
        row.commune = resolver.by_name(commune_name, cells.text(get("district")))
        column, typed = "commune_name", commune_name
    else:
        row.fail("commune_name" if "commune_name" in cells_by_field else "commune_code", "required", "")
    if row.commune is not None:
        if row.commune.code is None and not row.commune.is_held:
            row.fail(column, "unknown_commune", typed)
        row.values["commune_code"] = row.commune.code

    parsers = (
        *((f, lambda v: cells.parse_date(v, today)) for f in PAST_DATES),
        ("suspended_until", lambda v: cells.parse_date(v, date.max)),  # a suspension may end next year
        ("status", cells.parse_status),
        ("email", cells.parse_email),
        ("website", cells.parse_website),
        *((f, cells.parse_amount) for f in AMOUNT_FIELDS),
    )
    for field, parse in parsers:
        raw = get(field)
        if raw is None or raw == "":  # a column the file does not have, or a blank cell
            row.values[field] = None
            continue
        try:
            row.values[field] = parse(raw)
        except cells.CellError as e:
            row.fail(field, e.reason, raw)
    _existence(row, today)
    row.values["main_vsic"] = None
    try:
        row.values["main_vsic"], row.section = cells.parse_vsic(get("main_vsic"))
        if row.values["main_vsic"]:
            row.section = None
    except cells.CellError as e:
        row.fail("main_vsic", e.reason, get("main_vsic"))
    for field, value in row.values.items():  # what the registry's columns would refuse at commit
        if (oversized := sizes.too_big(field, value)) is not None:
            typed_in = "code" if field == "personal_id" else field
            row.fail(typed_in, oversized[0], get(typed_in))
    return row


def _existence(row: RowCheck, today: date) -> None:
    """The status and the days of the firm's legal existence, as the row's cells tell them together.

    A blank status follows the dates: a day it ceased makes it dissolved, a suspension that has not
    ended makes it suspended. The row's ``ceased_on`` becomes the day it left "active" (the day it
    ceased, or the first day of a suspension still running), ``resumes_on`` the day it comes back;
    ``suspended_on`` and ``suspended_until`` stay with the row for the record's history (a suspension
    already over).
    """
    v = row.values
    founded, ceased, since, until = (v.get(f) for f in ("founded_on", "ceased_on", "suspended_on", "suspended_until"))
    running = since is not None and (until is None or until > today)
    if v.get("status") is None:
        v["status"] = "dissolved" if ceased else "suspended" if running else None
    status = v["status"]
    if until is not None and since is None:
        row.fail("suspended_until", "suspension_without_start", until.strftime("%d/%m/%Y"))
    elif until is not None and until <= since:
        row.fail("suspended_until", "suspension_ends_before_it_starts", until.strftime("%d/%m/%Y"))
    if status == "suspended" and since is not None and not running:
        row.fail("status", "suspension_over", str(v["status"]))
    if ceased is not None and status in ("active", "suspended"):
        row.fail("ceased_on", "ceased_but_active", ceased.strftime("%d/%m/%Y"))
    for field in ("ceased_on", "suspended_on"):
        if founded is not None and v.get(field) is not None and v[field] < founded:
            row.fail(field, "before_first_registration", v[field].strftime("%d/%m/%Y"))
    v["ceased_on"] = ceased if status == "dissolved" else since if status == "suspended" else None
    v["resumes_on"] = until if status == "suspended" else None
    v["resumed_on"] = until if since is not None and not running else None  # back in business, as the file tells
