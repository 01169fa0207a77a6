"""Import of certified products: the agriculture department's OCOP lists, geographical indications
and collective or certification marks, each with its decision and dates.

A list the department imports is its own record: each certificate counts as verified from its
certification day (``verified_on``). An OCOP certificate is valid for the months the indicator
settings say, unless the list gives its end of validity. A row is one certificate (a decision) of
the product of one enterprise under one kind of certificate, named by its folded name, and its day:
a second list with the same line changes nothing, a renewal (a new decision and day) adds a
certificate and leaves the earlier one, so a figure as of a past day reads the one that held then.

The engine writes one table per kind: this kind's table is the certificates (``ProductCertificate``,
audited as ``product_certificate``). A product the enterprise does not have yet is made just before
its certificates are inserted (``before_insert``), audited as ``product`` "create" under the
batch's provenance; the undo deletes it once its last certificate goes (``after_delete``), and a
product that also holds certificates recorded since stays. After each step, and after its undo, the
product's own columns mirror its latest certificate (app/registry/product_history.py).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select

from app.audit import Actor
from app.extensions import db
from app.imports import cells as cell
from app.imports.apply import audit_rows, write_audit
from app.imports.kinds.common import (
    ENTERPRISE_COLUMN,
    enterprise_guide,
    enterprises_named,
    read_enterprise,
    refresh_search,
)
from app.imports.kinds.engine import Row
from app.models import AuditEvent, Enterprise, Listing, Product, ProductCertificate
from app.models.base import utcnow
from app.models.values import Certification, OcopGroup
from app.registry import certificates, product_history
from app.text import fold, normalize

PRODUCT = Product.__table__
CERTIFICATE = ProductCertificate.__table__
NAME_LENGTH = PRODUCT.c.name.type.length

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
        lambda: _(
            "A date after the certification. Blank for OCOP: the validity the department sets (%(months)s months).",
            months=certificates.ocop_validity_months(),
        ),
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
    entity_type = product_history.ENTITY
    table = CERTIFICATE
    certificate = ("ocop_stars", "ocop_group", "certificate_no", "certifying_body", "expires_on")
    # The department's list verifies a certificate an owner declared: from its day, once.
    compared = (*certificate, "verified_on", "verified_at")
    fill_only = ("verified_on", "verified_at")
    recorded = product_history.RECORDED  # what the record's history shows

    def prepare(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        return enterprises_named(rows)

    def check(self, row: Row, cells: dict[str, Any], context: dict[str, int], today: date) -> None:
        v = row.values
        v["enterprise_id"] = read_enterprise(row, cells, context)
        v["name"] = normalize(cell.text(cells.get("name"))) or None
        if not v["name"]:
            row.fail("name", "required", "")
        elif len(v["name"]) > NAME_LENGTH:
            row.fail("name", "too_long", v["name"])
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
        return (values["enterprise_id"], values["certification"], fold(values["name"]), values["certified_on"])

    def existing(self, identities: list[tuple]) -> dict[tuple, dict[str, Any]]:
        """The certificates of the enterprises' active products that the identities name."""
        found: dict[tuple, dict[str, Any]] = {}
        owners = sorted({i[0] for i in identities})
        wanted = set(identities)
        query = (
            select(
                CERTIFICATE.c.id,
                Product.enterprise_id,
                Product.certification,
                Product.name_folded,
                CERTIFICATE.c.certified_on,
                *(CERTIFICATE.c[c] for c in self.compared),
            )
            .join(Product, Product.id == CERTIFICATE.c.product_id)
            .order_by(CERTIFICATE.c.id)
        )
        for start in range(0, len(owners), 2000):
            part = owners[start : start + 2000]
            for r in db.session.execute(
                query.where(Product.enterprise_id.in_(part), Product.is_active.is_(True))
            ).mappings():
                key = (r["enterprise_id"], r["certification"], r["name_folded"], r["certified_on"])
                if key in wanted:
                    found.setdefault(key, dict(r))
        return found

    def new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        """The certificate, with what names its product (``before_insert`` finds or makes it)."""
        return {
            "enterprise_id": values["enterprise_id"],
            "name": values["name"],
            **{c: values.get(c) for c in product_history.FIELDS},
            # the department's own list: checked, and counted from the day of the certificate
            "verified_on": values["certified_on"],
            "verified_at": values["verified_at"],
        }

    def before_insert(self, rows: list[dict[str, Any]], provenance: str, actor: Actor) -> list[dict[str, Any]]:
        """Make the products the certificates need that the enterprises do not have yet (an earlier
        step may have made one meanwhile), audited under the batch; return the certificates' rows."""
        product_of = _products({r["enterprise_id"] for r in rows})
        missing: dict[tuple, dict[str, Any]] = {}
        for r in rows:
            key = _product_key(r)
            if key not in product_of:
                missing.setdefault(key, r)
        if missing:
            now = utcnow()
            made = [
                {
                    "enterprise_id": r["enterprise_id"],
                    "name": r["name"],
                    "name_folded": fold(r["name"]),
                    **{c: r[c] for c in product_history.MIRRORED},
                    "is_active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in missing.values()
            ]
            ids = db.session.execute(insert(PRODUCT).returning(PRODUCT.c.id, sort_by_parameter_order=True), made)
            ids = ids.scalars().all()
            product_of.update(zip(missing, ids, strict=True))
            events = [
                (i, None, {"name": m["name"], "certification": m["certification"]})
                for i, m in zip(ids, made, strict=True)
            ]
            write_audit(_as_product(audit_rows(actor, "create", provenance, events)))
        now = utcnow()
        kept = (*product_history.FIELDS, "verified_on", "verified_at")
        return [
            {
                "product_id": product_of[_product_key(r)],
                **{c: r[c] for c in kept},
                "provenance": provenance,
                "created_at": now,
            }
            for r in rows
        ]

    def after_delete(self, owners: set[int], provenance: str, actor: Actor, as_provenance: str, erase: bool) -> None:
        """Delete the products an import made that have no certificate left: this batch's, or one of
        an earlier batch undone already that kept it for this batch's certificates."""
        gone = _orphans(owners)
        if not gone:
            return
        enterprises = set(db.session.scalars(select(Product.enterprise_id).where(Product.id.in_(list(gone)))))
        db.session.execute(delete(PRODUCT).where(PRODUCT.c.id.in_(list(gone))))
        erased = [e for e in gone.values() if erase and e.provenance == provenance]
        if erased:
            db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_([e.id for e in erased])))
        events = [(int(e.entity_id), e.after, None) for e in gone.values() if e not in erased]
        write_audit(_as_product(audit_rows(actor, "delete", as_provenance, events)))
        refresh_search(enterprises)

    def referenced(self, ids: list[int]) -> set[int]:
        """The certificates among ``ids`` whose undo would delete a product a listing refers to (a
        listing file imported since, or an owner's)."""
        product_of: dict[int, int] = {}
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            query = select(CERTIFICATE.c.id, CERTIFICATE.c.product_id).where(CERTIFICATE.c.id.in_(part))
            product_of.update((c, p) for c, p in db.session.execute(query))
        doomed = _orphans(set(product_of.values()), without=set(ids))
        listed = set(
            db.session.scalars(select(Listing.product_id).where(Listing.product_id.in_(list(doomed))).distinct())
        )
        return {c for c, p in product_of.items() if p in listed}

    def owners(self, ids: list[int]) -> set[int]:
        """The products the certificates belong to."""
        if not ids:
            return set()
        return set(db.session.scalars(select(CERTIFICATE.c.product_id).where(CERTIFICATE.c.id.in_(ids))))

    def refresh(self, owners: set[int]) -> None:
        """The products' mirror of their latest certificate, and their enterprises' search text."""
        product_history.mirror_all(owners)
        listed = sorted(owners)
        enterprises: set[int] = set()
        for start in range(0, len(listed), 2000):
            query = select(Product.enterprise_id).where(Product.id.in_(listed[start : start + 2000]))
            enterprises |= set(db.session.scalars(query))
        refresh_search(enterprises)

    def describe(self, ids: list[int]) -> list[str]:
        query = (
            select(Enterprise.public_key, Product.name)
            .select_from(CERTIFICATE)
            .join(Product, Product.id == CERTIFICATE.c.product_id)
            .join(Enterprise, Enterprise.id == Product.enterprise_id)
            .where(CERTIFICATE.c.id.in_(ids[:20]))
            .order_by(CERTIFICATE.c.id)
        )
        return [f"{key} · {name}" for key, name in db.session.execute(query)]


def _product_key(row: dict[str, Any]) -> tuple:
    return (row["enterprise_id"], row["certification"], fold(row["name"]))


def _products(enterprises: set[int]) -> dict[tuple, int]:
    """The enterprises' active products, by (enterprise, certification, folded name)."""
    found: dict[tuple, int] = {}
    owners = sorted(enterprises)
    query = select(Product.id, Product.enterprise_id, Product.certification, Product.name_folded)
    for start in range(0, len(owners), 2000):
        part = query.where(Product.enterprise_id.in_(owners[start : start + 2000]), Product.is_active.is_(True))
        for id_, owner, certification, name in db.session.execute(part.order_by(Product.id)):
            found.setdefault((owner, certification, name), id_)
    return found


def _orphans(products: set[int], without: set[int] | None = None) -> dict[int, Any]:
    """Among ``products``, those an import made that keep no certificate (but those in ``without``,
    which an undo is about to delete): {product id: its "create" event}."""
    if not products:
        return {}
    made = select(AuditEvent.id, AuditEvent.entity_id, AuditEvent.after, AuditEvent.provenance).where(
        AuditEvent.entity_type == "product",
        AuditEvent.action == "create",
        AuditEvent.provenance.like("import:%"),
        AuditEvent.entity_id.in_([str(i) for i in products]),
    )
    held = select(CERTIFICATE.c.product_id).where(CERTIFICATE.c.product_id.in_(sorted(products)))
    if without:
        held = held.where(CERTIFICATE.c.id.not_in(sorted(without)))
    still = set(db.session.scalars(held.distinct()))
    return {int(e.entity_id): e for e in db.session.execute(made) if int(e.entity_id) not in still}


def _as_product(events: list[dict]) -> list[dict]:
    for event in events:
        event["entity_type"] = "product"
    return events


def _failed(row: Row, field: str) -> bool:
    header = row.headers.get(field, field)
    return any(column == header for column, _reason, _value in row.errors)


RULES = ProductRules()
