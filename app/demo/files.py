"""The demo province's files, in the import formats: what a department would bring on its first day.

The registry export (with registration, suspension and cessation days), the labels the department
verified, the OCOP list and the region's marks, the listings and their dated checks, and an earlier
readiness survey. Each table names its columns by the headers of its kind's template
(app/imports/kinds: the same columns the template download and the column guide show), and writes
its cells the way the department's own files do: days as dd/mm/yyyy, legal forms, statuses,
certifications and labels by their Vietnamese names. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from app.demo.composer import Draft
from app.domain.legal_forms import LEGAL_FORMS
from app.exports import xlsx_bytes
from app.imports.cells import STATUS_NAMES
from app.imports.kinds import KINDS, REGISTRY

# The fields each file fills, in the template's order (each must be a column of its kind).
REGISTRY_FIELDS = (
    "code",
    "name",
    "legal_form",
    "founded_on",
    "commune_code",
    "address",
    "main_vsic",
    "employees",
    "revenue_vnd",
    "capital_vnd",
    "email",
    "phone",
    "website",
    "status",
    "suspended_on",
    "ceased_on",
)
LABEL_FIELDS = ("code", "label", "basis", "verified_on")
PRODUCT_FIELDS = (
    "code",
    "name",
    "certification",
    "ocop_stars",
    "ocop_group",
    "certificate_no",
    "certifying_body",
    "certified_on",
    "expires_on",
)
LISTING_FIELDS = ("code", "name", "platform", "url", "checked_on", "is_available", "certification", "note")
RESULT_FIELDS = ("code", "submitted_on", "instrument", "instrument_name", "overall_level", "score")

# How the department's lists write what the kinds read (each name is one the kind parses).
CERTIFICATIONS = {
    "ocop": "OCOP",
    "gi": "Chỉ dẫn địa lý",
    "collective_mark": "Nhãn hiệu tập thể",
    "certification_mark": "Nhãn hiệu chứng nhận",
}
OCOP_GROUPS = {
    "food": "Thực phẩm",
    "beverage": "Đồ uống",
    "herbal": "Thảo dược",
    "handicraft": "Thủ công mỹ nghệ",
    "ornamental": "Sinh vật cảnh",
    "tourism": "Dịch vụ du lịch",
}
LABELS = {"digital_tech": "Công nghệ số", "startup": "Khởi nghiệp sáng tạo"}
SELLING = {True: "Có", False: "Không"}


def dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _cell(value: Any, fmt: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return dmy(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if fmt == "xlsx" else str(value)
    return value


def table(kind: str, fields: Sequence[str], rows: Iterable[Mapping[str, Any]], fmt: str = "csv") -> bytes:
    """A file of the kind: its template's headers for ``fields``, then one line per row (CSV in UTF-8
    with a byte-order mark, as Excel saves it, or an XLSX workbook)."""
    header_of = KINDS[kind].columns.header_of
    header = [header_of[field] for field in fields]  # a field the kind no longer has fails here, loudly
    lines = [[_cell(row.get(field), fmt) for field in fields] for row in rows]
    if fmt == "xlsx":
        return xlsx_bytes(header, lines, sheet=kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return buffer.getvalue().encode("utf-8-sig")


def key_in_files(fields: Mapping[str, Any]) -> str:
    """How the files name a record: its enterprise code, or the personal ID a household business is
    registered under (its key on the site is made by the import)."""
    return fields.get("code") or fields["personal_id"]


def registry_rows(drafts: Iterable[Draft]) -> list[dict[str, Any]]:
    """The registry export: each record with its first registration and the days it stopped."""
    rows = []
    for draft in drafts:
        f = draft.fields
        status = f["status"]
        rows.append(
            {
                **{k: f.get(k) for k in REGISTRY_FIELDS},
                "code": key_in_files(f),
                "legal_form": LEGAL_FORMS[f["legal_form"]].name_vi,
                "status": STATUS_NAMES[status],
                # the day it left "active": a suspension's first day, or the day it was dissolved
                "suspended_on": f["ceased_on"] if status == "suspended" else None,
                "ceased_on": f["ceased_on"] if status == "dissolved" else None,
            }
        )
    return rows


def registry_file(drafts: Iterable[Draft]) -> bytes:
    """A CSV file: the largest of them, read fastest so (the OCOP list is the workbook)."""
    return table(REGISTRY, REGISTRY_FIELDS, registry_rows(drafts))


def labels_file(drafts: Iterable[Draft]) -> bytes:
    """The labels the department verified, each with its basis and day (a claim it has not decided
    yet is no line of its list)."""
    rows = []
    for draft in drafts:
        f = draft.fields
        for label, name in LABELS.items():
            if f.get(f"is_{label}") and f.get(f"{label}_verified_on"):
                rows.append(
                    {
                        "code": key_in_files(f),
                        "label": name,
                        "basis": f[f"{label}_basis"],
                        "verified_on": f[f"{label}_verified_on"],
                    }
                )
    return table("labels", LABEL_FIELDS, rows)


def product_row(code: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **{k: fields.get(k) for k in PRODUCT_FIELDS},
        "code": code,
        "certification": CERTIFICATIONS[fields["certification"]],
        "ocop_group": OCOP_GROUPS.get(fields.get("ocop_group") or ""),
    }


def products_file(rows: Iterable[dict[str, Any]]) -> bytes:
    """An XLSX workbook, as the agriculture department sends its OCOP list (so that the workbook
    reader is exercised too)."""
    return table("products", PRODUCT_FIELDS, rows, "xlsx")


def listing_rows(code: str, product: Mapping[str, Any], listings: Iterable[Mapping[str, Any]], platforms) -> list:
    """One line per check of each listing of the product (``platforms``: code → name)."""
    return [
        {
            "code": code,
            "name": product["name"],
            "platform": platforms.get(listing["platform_code"], listing["platform_code"]),
            "url": listing["url"],
            "checked_on": day,
            "is_available": SELLING[available],
            "certification": CERTIFICATIONS[product["certification"]],
            "note": note,
        }
        for listing in listings
        for day, available, note in listing["checks"]
    ]


def listings_file(rows: Iterable[dict[str, Any]]) -> bytes:
    return table("listings", LISTING_FIELDS, rows)


def results_file(rows: Iterable[dict[str, Any]]) -> bytes:
    return table("results", RESULT_FIELDS, rows)
