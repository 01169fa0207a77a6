"""The directory as a spreadsheet: headers in the page's language over a row of field codes,
codes written as their labels (legal form, size, status, yes/no), times in the province's time zone."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.registry.records import display_value, field_label

PUBLIC_COLUMNS = (
    "code",
    "name",
    "legal_form",
    "vsic",
    "sector",
    "commune_code",
    "commune",
    "address",
    "founded_on",
    "size_tier",
    "is_digital_tech",
    "digital_tech_verification",  # declared, or verified by the department
    "is_startup",
    "startup_verification",
    "website",
    "status",
)
STAFF_COLUMNS = PUBLIC_COLUMNS + (
    "personal_id",
    "employees",
    "revenue_vnd",
    "capital_vnd",
    "email",
    "phone",
    "representative",
    "digital_tech_basis",
    "startup_basis",
    "record_state",
    "provenance",
    "provenance_ref",
    "updated_at",
)
# Columns the record pages do not name (FIELD_LABELS names the rest).
_HEADERS = {
    "vsic": _l("Main line of business (VSIC)"),
    "sector": _l("Sector (VSIC section)"),
    "commune_code": _l("Commune code"),
    "commune": _l("Commune or ward"),
    "size_tier": _l("Size"),
    "personal_id": _l("Personal ID of the household head"),
    "provenance": _l("Source of the record"),
    "provenance_ref": _l("Source reference"),
    "updated_at": _l("Last changed"),
}
# Columns holding a code that people read by its label.
_LABELLED = {
    "legal_form",
    "size_tier",
    "status",
    "is_digital_tech",
    "is_startup",
    "digital_tech_verification",
    "startup_verification",
    "record_state",
}


def header(columns: tuple[str, ...]) -> list[str]:
    return [str(_HEADERS[c]) if c in _HEADERS else field_label(c) for c in columns]


def row(enterprise, columns: tuple[str, ...], public: bool = True) -> list[Any]:
    """One enterprise's cells; ``public``: as anyone may see it (a household's street only if it chose so)."""
    special = {
        "code": enterprise.public_key,
        "vsic": enterprise.main_vsic,
        "sector": enterprise.vsic_section,
        "commune": enterprise.commune.name,
        "address": enterprise.public_address if public else enterprise.address,
    }
    values = []
    for column in columns:
        value = special[column] if column in special else getattr(enterprise, column)
        if column in _LABELLED and value is not None:
            value = display_value(column, value)
        values.append(value)
    return values
