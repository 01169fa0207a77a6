"""Check one row of an import: every cell parsed, every failure named with its column and reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.vn import mst

from app.domain.codes import CodeError, validate_enterprise_code, validate_personal_id
from app.imports import cells
from app.imports.communes import CommuneResolver, Resolution
from app.imports.reading import HEADER_OF

TEXT_FIELDS = ("name", "address", "phone", "website")
AMOUNT_FIELDS = ("employees", "revenue_vnd", "capital_vnd")


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


def _code(row: RowCheck, raw: Any, numeric: bool, legal_form: str | None) -> None:
    typed = cells.text(raw)
    if numeric and typed.isdigit() and len(typed) == 9:
        typed = "0" + typed  # a spreadsheet read the code as a number and dropped its leading zero
    compact = mst.compact(typed)
    if not compact:
        row.fail("code", "required", raw)
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


def check_row(number: int, cells_by_field: dict[str, Any], resolver: CommuneResolver, today: date) -> RowCheck:
    """Read and check one row's cells (``cells_by_field`` maps a field to its raw cell)."""
    row = RowCheck(number)
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
    row.guessed_form = cells.legal_form_in_name(name) or ("branch" if len(row.values.get("code") or "") == 14 else None)
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
        ("founded_on", lambda v: cells.parse_date(v, today)),
        ("status", cells.parse_status),
        ("email", cells.parse_email),
        *((f, cells.parse_amount) for f in AMOUNT_FIELDS),
    )
    for field, parse in parsers:
        try:
            row.values[field] = parse(get(field))
        except cells.CellError as e:
            row.fail(field, e.reason, get(field))
    row.values["main_vsic"] = None
    try:
        row.values["main_vsic"], row.section = cells.parse_vsic(get("main_vsic"))
        if row.values["main_vsic"]:
            row.section = None
    except cells.CellError as e:
        row.fail("main_vsic", e.reason, get("main_vsic"))
    return row
