"""Import of certified products: the agriculture department's OCOP lists, geographical indications
and collective or certification marks, each with its decision and dates.

A list the department imports is its own record: each certificate counts as verified from its
certification day (``verified_on``). An OCOP certificate is valid for the months the indicator
settings say, unless the list gives its end of validity. A row is the product of one enterprise
under one kind of certificate, named by its folded name: a second list with the same line changes
nothing, a renewal (a new decision and date) updates it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.imports import cells as cell
from app.imports.kinds.common import (
    ENTERPRISE_COLUMN,
    enterprise_guide,
    enterprises_named,
    read_enterprise,
    refresh_search,
)
from app.imports.kinds.engine import Row
from app.models import Enterprise, Listing, Product
from app.models.base import utcnow
from app.models.values import Certification, OcopGroup
from app.text import fold, normalize

COLUMNS: dict[str, tuple[str, str]] = dict(
    [
        ENTERPRISE_COLUMN,
        ("ten_san_pham", ("name", "product_name")),
        ("loai_chung_nhan", ("certification", "certification")),
        ("so_sao", ("ocop_stars", "ocop_stars")),
        ("nhom_san_pham", ("ocop_group", "ocop_group")),
        ("so_quyet_dinh", ("certificate_no", "decision_no")),
        ("co_quan_cap", ("certifying_body", "certifying_body")),
        ("ngay_chung_nhan", ("certified_on", "certified_on")),
        ("ngay_het_han", ("expires_on", "expires_on")),
    ]
)
NEEDED = (("code",), ("name",), ("certified_on",))  # an OCOP list often names no certification: its stars say it
GUIDE: dict[str, tuple[bool, Any, Any, str]] = {
    "ma_so_doanh_nghiep": enterprise_guide(_l("Enterprise code of the owner")),
    "ten_san_pham": (True, _l("Product name"), _l("As on the certificate."), "Nước mắm Hải Đăng"),
    "loai_chung_nhan": (
        False,
        _l("Certification"),
        _l(
            "OCOP, Chỉ dẫn địa lý (geographical indication), Nhãn hiệu tập thể, Nhãn hiệu chứng nhận. "
            "Blank on a row with stars: OCOP (an OCOP list needs no such column)."
        ),
        "OCOP",
    ),
    "so_sao": (False, _l("OCOP stars"), _l('3, 4 or 5 ("4 sao" and ★★★★ are read too). Required for OCOP.'), "4"),
    "nhom_san_pham": (
        False,
        _l("OCOP product group"),
        _l("Thực phẩm, Đồ uống, Thảo dược, Thủ công mỹ nghệ, Sinh vật cảnh or Dịch vụ du lịch. Blank: food."),
        "Thực phẩm",
    ),
    "so_quyet_dinh": (False, _l("Decision or registration number"), _l("Text."), "1234/QĐ-UBND"),
    "co_quan_cap": (False, _l("Certifying body"), _l("Text."), "UBND tỉnh Đắk Lắk"),
    "ngay_chung_nhan": (
        True,
        _l("Date of certification"),
        _l("dd/mm/yyyy, not in the future: the certificate counts from this day."),
        "20/05/2024",
    ),
    "ngay_het_han": (
        False,
        _l("End of validity"),
        _l("A date after the certification. Blank for OCOP: the validity the department sets (36 months)."),
        "",
    ),
}
_CERTIFICATIONS = {
    "ocop": Certification.OCOP,
    "chi dan dia ly": Certification.GI,
    "cddl": Certification.GI,
    "gi": Certification.GI,
    "geographical indication": Certification.GI,
    "nhan hieu tap the": Certification.COLLECTIVE_MARK,
    "nhtt": Certification.COLLECTIVE_MARK,
    "collective mark": Certification.COLLECTIVE_MARK,
    "nhan hieu chung nhan": Certification.CERTIFICATION_MARK,
    "nhcn": Certification.CERTIFICATION_MARK,
    "certification mark": Certification.CERTIFICATION_MARK,
}
_GROUPS = {
    "thuc pham": OcopGroup.FOOD,
    "do uong": OcopGroup.BEVERAGE,
    "thao duoc": OcopGroup.HERBAL,
    "thu cong my nghe": OcopGroup.HANDICRAFT,
    "vai va may mac": OcopGroup.HANDICRAFT,
    "sinh vat canh": OcopGroup.ORNAMENTAL,
    "dich vu du lich": OcopGroup.TOURISM,
    "dich vu du lich cong dong": OcopGroup.TOURISM,
    "du lich": OcopGroup.TOURISM,
    **{g.value: g for g in OcopGroup},
}
_STARS = re.compile(r"^([345])(?:[.,]0+)?\s*(?:sao|\*)?$")


def parse_certification(value: Any) -> str | None:
    key = fold(cell.text(value))
    if not key:
        return None
    found = _CERTIFICATIONS.get(key) or (Certification.OCOP if key.startswith("ocop") else None)
    if found is None:
        raise cell.CellError("bad_certification")
    return found.value


def parse_stars(value: Any) -> int | None:
    raw = cell.text(value).replace("★", "*").strip()
    if not raw:
        return None
    if set(raw) == {"*"} and 3 <= len(raw) <= 5:
        return len(raw)
    found = _STARS.match(fold(raw))
    if found is None:
        raise cell.CellError("bad_stars")
    return int(found[1])


def parse_group(value: Any) -> str | None:
    key = fold(cell.text(value))
    if not key:
        return None
    group = _GROUPS.get(key) or _GROUPS.get(key.removeprefix("nhom ").strip())
    if group is None:
        raise cell.CellError("bad_ocop_group")
    return group.value


class ProductRules:
    entity_type = "product"
    table = Product.__table__
    certificate = ("ocop_stars", "ocop_group", "certificate_no", "certifying_body", "certified_on", "expires_on")
    # The department's list verifies a certificate an owner declared: from its day, once.
    compared = (*certificate, "verified_on", "verified_at")
    fill_only = ("verified_on", "verified_at")
    recorded = ("name", "certification", *certificate, "verified_on")  # what the record's history shows

    def prepare(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        return enterprises_named(rows)

    def check(self, row: Row, cells: dict[str, Any], context: dict[str, int], today: date) -> None:
        v = row.values
        v["enterprise_id"] = read_enterprise(row, cells, context)
        v["name"] = normalize(cell.text(cells.get("name"))) or None
        if not v["name"]:
            row.fail("name", "required", "")
        certification = row.read("certification", parse_certification, cells.get("certification"))
        stars = row.read("ocop_stars", parse_stars, cells.get("ocop_stars"))
        if certification is None and stars is not None:  # a row with stars is an OCOP product
            certification = v["certification"] = Certification.OCOP.value
        if certification is None and not _failed(row, "certification"):
            row.fail("certification", "required", "")
        group = row.read("ocop_group", parse_group, cells.get("ocop_group"))
        for name in ("certificate_no", "certifying_body"):
            v[name] = normalize(cell.text(cells.get(name))) or None
        certified = row.read("certified_on", lambda x: cell.parse_date(x, today), cells.get("certified_on"))
        expires = row.read("expires_on", lambda x: cell.parse_date(x, date.max), cells.get("expires_on"))
        if certified is None and not _failed(row, "certified_on"):
            row.fail("certified_on", "required", "")
        v["verified_on"], v["verified_at"] = certified, utcnow()  # the department's own list: checked
        if certified and expires and expires <= certified:
            row.fail("expires_on", "ends_before_certified", cells.get("expires_on"))
        if certification == Certification.OCOP:
            if stars is None and not _failed(row, "ocop_stars"):
                row.fail("ocop_stars", "ocop_needs_stars", "")
            v["ocop_group"] = group or OcopGroup.FOOD.value
        else:
            v["ocop_stars"] = v["ocop_group"] = None

    def identity(self, values: dict[str, Any]) -> tuple:
        return (values["enterprise_id"], values["certification"], fold(values["name"]))

    def existing(self, identities: list[tuple]) -> dict[tuple, dict[str, Any]]:
        found: dict[tuple, dict[str, Any]] = {}
        owners = sorted({i[0] for i in identities})
        wanted = set(identities)
        query = select(Product.id, Product.enterprise_id, Product.certification, Product.name_folded, *self._compared())
        for start in range(0, len(owners), 2000):
            part = owners[start : start + 2000]
            for r in db.session.execute(
                query.where(Product.enterprise_id.in_(part), Product.is_active.is_(True))
            ).mappings():
                key = (r["enterprise_id"], r["certification"], r["name_folded"])
                if key in wanted:
                    found[key] = dict(r)
        return found

    def _compared(self):
        return [Product.__table__.c[c] for c in self.compared]

    def new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        now = utcnow()
        return {
            "enterprise_id": values["enterprise_id"],
            "name": values["name"],
            "name_folded": fold(values["name"]),
            "certification": values["certification"],
            **{c: values.get(c) for c in self.certificate},
            "is_active": True,
            # the department's own list: checked, and counted from the day of the certificate
            "verified_at": now,
            "verified_on": values["certified_on"],
            "created_at": now,
            "updated_at": now,
        }

    def referenced(self, ids: list[int]) -> set[int]:
        """The products among ``ids`` that a listing refers to (a listing file imported since, or an owner's)."""
        found: set[int] = set()
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            found |= set(db.session.scalars(select(Listing.product_id).where(Listing.product_id.in_(part)).distinct()))
        return found

    def owners(self, ids: list[int]) -> set[int]:
        return set(db.session.scalars(select(Product.enterprise_id).where(Product.id.in_(ids)))) if ids else set()

    def refresh(self, owners: set[int]) -> None:
        refresh_search(owners)

    def describe(self, ids: list[int]) -> list[str]:
        query = (
            select(Enterprise.public_key, Product.name)
            .join(Enterprise, Enterprise.id == Product.enterprise_id)
            .where(Product.id.in_(ids[:20]))
        )
        return [f"{key} · {name}" for key, name in db.session.execute(query)]


def _failed(row: Row, field: str) -> bool:
    header = row.headers.get(field, field)
    return any(column == header for column, _reason, _value in row.errors)


RULES = ProductRules()
