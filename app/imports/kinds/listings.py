"""Import of e-commerce listings and their checks: where each certified product was seen selling, and
on which day (T4, app/progress/products_online.py, reads the checks as of any past day).

A row is one dated check of one listing: the product (an enterprise's active product, by its folded
name: the certified products are imported first), the platform, the address, the day it was checked,
and whether it was still selling. It is named by (product, address as two lists name the same page,
day): a second run of the same file changes nothing, a later file with a new day adds a check, and
the same day with another answer corrects that day's check. The address must be a product's own
page on the platform's domains (app/domain/listings.py, the owners' form's rule); a blank platform
is the one whose domains the address is on.

The engine writes one table per kind: this kind's table is the checks (``ListingCheck``, audited as
``listing_check``). A listing the product does not have yet is made just before its checks are
inserted (``before_insert``), audited as ``listing`` "create" under the batch's provenance, as the
owners' form audits it; the undo deletes it once its last check goes (``after_delete``), and a
listing that also holds checks made since stays. A check's ``checked_by_label`` is the batch's
provenance (``import:<id>``): the list is the department's, the batch says who uploaded it and when.
Each listing's ``last_verified_on`` stays the day of its latest check that found it selling, as the
owners' check keeps it, after an import and after its undo (``refresh``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update

from app.audit import Actor
from app.domain.listings import NOT_AN_ADDRESS, platform_of, same_listing, url_problem
from app.extensions import db
from app.imports import cells as cell
from app.imports.apply import audit_rows, write_audit
from app.imports.kinds.common import ENTERPRISE_COLUMN, enterprise_guide, enterprises_named, read_enterprise
from app.imports.kinds.engine import Row
from app.imports.kinds.products import parse_certification
from app.models import AuditEvent, Enterprise, Listing, ListingCheck, Platform, Product
from app.text import fold, normalize

COLUMNS: dict[str, tuple[str, str]] = dict(
    [
        ENTERPRISE_COLUMN,
        ("ten_san_pham", ("name", "product_name")),
        ("san", ("platform", "platform")),
        ("duong_dan", ("url", "url")),
        ("ngay_kiem_tra", ("checked_on", "checked_on")),
        ("con_ban", ("is_available", "still_selling")),
        ("loai_chung_nhan", ("certification", "certification")),
        ("ghi_chu", ("note", "note")),
    ]
)
NEEDED = (("code",), ("name",), ("url",), ("checked_on",))
GUIDE: dict[str, tuple[bool, Any, Any, str]] = {
    "ma_so_doanh_nghiep": enterprise_guide(_l("Enterprise code of the owner")),
    "ten_san_pham": (
        True,
        _l("Product name"),
        _l("As in the registry's certified products (import them first): case and accents do not matter."),
        "Nước mắm Hải Đăng",
    ),
    "san": (
        False,
        _l("Platform"),
        _l("Its name or code, such as Shopee, TikTok Shop, Lazada or Tiki. Blank: the one the address is on."),
        "Shopee",
    ),
    "duong_dan": (
        True,
        _l("Address of the listing"),
        _l("The product's own page on the platform, starting with https:// (not a shop's home page or a search)."),
        "https://shopee.vn/Nuoc-mam-Hai-Dang-i.123456.7890123",
    ),
    "ngay_kiem_tra": (
        True,
        _l("Day it was checked"),
        _l("dd/mm/yyyy, not in the future: a check that found it selling counts for 12 months from this day."),
        "15/03/2024",
    ),
    "con_ban": (
        False,
        _l("Still selling"),
        _l("Có or Không (yes, no, x, 1, 0, còn bán, ngừng bán). Blank: still selling."),
        "Có",
    ),
    "loai_chung_nhan": (
        False,
        _l("Certification"),
        _l("Only when the enterprise has two certified products of this name: OCOP, Chỉ dẫn địa lý, …"),
        "",
    ),
    "ghi_chu": (False, _l("Note"), _l("Text."), ""),
}
_YES = {"co", "c", "yes", "y", "x", "1", "true", "con", "con ban", "dang ban", "van ban", "con hang"}
_NO = {"khong", "k", "ko", "no", "n", "0", "false", "ngung ban", "da ngung ban", "khong con ban", "khong ban"}
_NO |= {"het ban", "da go", "bi go", "go"}
_PLATFORM_PREFIXES = ("san thuong mai dien tu ", "san tmdt ", "san ")
URL_LENGTH = Listing.__table__.c.url.type.length
LISTING = Listing.__table__
CHECK = ListingCheck.__table__


def parse_selling(value: Any) -> bool:
    """Whether a check found the listing still selling; blank: it did."""
    key = fold(cell.text(value))
    if not key or key in _YES:
        return True
    if key in _NO:
        return False
    raise cell.CellError("bad_selling")


@dataclass(frozen=True)
class Lookup:
    """What a chunk's checks look up: its enterprises, their active products, the platforms."""

    enterprises: dict[str, int]
    products: dict[tuple[int, str], list[tuple[int, str]]]  # (enterprise, folded name) → [(id, certification)]
    platforms: dict[str, str]  # a platform's folded code, name or domain → its code
    domains: dict[str, str]  # code → its domains, space-separated


def _platform_key(typed: str) -> str:
    key = fold(typed)
    for prefix in _PLATFORM_PREFIXES:
        key = key.removeprefix(prefix)
    return key


class ListingRules:
    entity_type = "listing_check"
    table = CHECK
    compared = ("is_available", "note")

    def prepare(self, rows: list[dict[str, Any]]) -> Lookup:
        enterprises = enterprises_named(rows)
        products: dict[tuple[int, str], list[tuple[int, str]]] = {}
        owners = sorted(set(enterprises.values()))
        query = select(Product.id, Product.enterprise_id, Product.name_folded, Product.certification)
        for start in range(0, len(owners), 2000):
            part = query.where(Product.enterprise_id.in_(owners[start : start + 2000]), Product.is_active.is_(True))
            for id_, owner, name, certification in db.session.execute(part.order_by(Product.id)):
                products.setdefault((owner, name), []).append((id_, certification))
        platforms, domains = {}, {}
        for p in db.session.scalars(select(Platform).order_by(Platform.code)):
            domains[p.code] = p.domains
            platforms.update({fold(word): p.code for word in (*p.domains.split(), p.name, p.code)})
        return Lookup(enterprises, products, platforms, domains)

    def check(self, row: Row, cells: dict[str, Any], context: Lookup, today: date) -> None:
        v = row.values
        enterprise = read_enterprise(row, cells, context.enterprises)
        v["name"] = normalize(cell.text(cells.get("name")))[:300] or None
        if not v["name"]:
            row.fail("name", "required", "")
        v["product_id"] = _product(row, cells, context, enterprise)
        v["platform_code"], v["url"] = _where(row, cells, context)
        v["url_key"] = same_listing(v["url"]) if v["url"] else None
        if not cell.text(cells.get("checked_on")):
            row.fail("checked_on", "required", "")
        else:
            row.read("checked_on", lambda x: cell.parse_date(x, today), cells.get("checked_on"))
        row.read("is_available", parse_selling, cells.get("is_available"))
        v["note"] = normalize(cell.text(cells.get("note")))[:500] or None

    def identity(self, values: dict[str, Any]) -> tuple:
        return (values["product_id"], values["url_key"], values["checked_on"])

    def _listings(self, products: set[int]) -> dict[tuple[int, str], int]:
        """The products' listings, by (product, address as two lists name the same page)."""
        found: dict[tuple[int, str], int] = {}
        listed = sorted(products)
        for start in range(0, len(listed), 2000):
            query = select(Listing.id, Listing.product_id, Listing.url).where(
                Listing.product_id.in_(listed[start : start + 2000])
            )
            for id_, product, url in db.session.execute(query.order_by(Listing.id)):
                found.setdefault((product, same_listing(url)), id_)
        return found

    def existing(self, identities: list[tuple]) -> dict[tuple, dict[str, Any]]:
        wanted = set(identities)
        named = {id_: key for key, id_ in self._listings({i[0] for i in identities}).items()}
        found: dict[tuple, dict[str, Any]] = {}
        ids = sorted(named)
        query = select(ListingCheck.id, ListingCheck.listing_id, ListingCheck.checked_on, *self._compared())
        for start in range(0, len(ids), 2000):
            part = query.where(ListingCheck.listing_id.in_(ids[start : start + 2000])).order_by(ListingCheck.id)
            for r in db.session.execute(part).mappings():
                key = (*named[r["listing_id"]], r["checked_on"])
                if key in wanted:
                    found[key] = dict(r)
        return found

    def _compared(self):
        return [CHECK.c[c] for c in self.compared]

    def new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        """The check, with what makes its listing when the product has none at that address yet
        (``before_insert`` resolves it when the step is written)."""
        keys = ("product_id", "url_key", "url", "platform_code", "checked_on", "is_available", "note")
        return {k: values[k] for k in keys}

    def before_insert(self, rows: list[dict[str, Any]], provenance: str, actor: Actor) -> list[dict[str, Any]]:
        """Make the listings the checks need that the products do not have yet (an earlier step, or
        someone else, may have made one meanwhile), audited as the owners' form audits them; return
        the checks as ``ListingCheck`` rows."""
        listing_of = self._listings({r["product_id"] for r in rows})
        missing: dict[tuple[int, str], dict[str, Any]] = {}
        for r in rows:
            if (r["product_id"], r["url_key"]) not in listing_of:
                missing.setdefault((r["product_id"], r["url_key"]), r)
        if missing:
            made = [
                {"product_id": r["product_id"], "platform_code": r["platform_code"], "url": r["url"]}
                for r in missing.values()
            ]
            ids = (
                db.session.execute(insert(LISTING).returning(LISTING.c.id, sort_by_parameter_order=True), made)
                .scalars()
                .all()
            )
            listing_of.update(zip(missing, ids, strict=True))
            events = [
                (i, None, {"product": m["product_id"], "platform_code": m["platform_code"], "url": m["url"]})
                for i, m in zip(ids, made, strict=True)
            ]
            write_audit(_as_listing(audit_rows(actor, "create", provenance, events)))
        return [
            {
                "listing_id": listing_of[(r["product_id"], r["url_key"])],
                "checked_on": r["checked_on"],
                "is_available": r["is_available"],
                "note": r["note"],
                "checked_by_id": None,
                "checked_by_label": provenance,
            }
            for r in rows
        ]

    def after_delete(self, owners: set[int], provenance: str, actor: Actor, as_provenance: str, erase: bool) -> None:
        """Delete the listings an import made that have no check left: this batch's, or one of an
        earlier batch undone already that kept it for this batch's checks."""
        if not owners:
            return
        made = select(AuditEvent.id, AuditEvent.entity_id, AuditEvent.after, AuditEvent.provenance).where(
            AuditEvent.entity_type == "listing",
            AuditEvent.action == "create",
            AuditEvent.provenance.like("import:%"),
            AuditEvent.entity_id.in_([str(i) for i in owners]),
        )
        checked = select(ListingCheck.listing_id).where(ListingCheck.listing_id.in_(sorted(owners)))
        still = set(db.session.scalars(checked.distinct()))
        gone = [e for e in db.session.execute(made) if int(e.entity_id) not in still]
        if not gone:
            return
        db.session.execute(delete(LISTING).where(LISTING.c.id.in_([int(e.entity_id) for e in gone])))
        erased = [e for e in gone if erase and e.provenance == provenance]
        if erased:
            db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_([e.id for e in erased])))
        events = [(int(e.entity_id), e.after, None) for e in gone if e not in erased]
        write_audit(_as_listing(audit_rows(actor, "delete", as_provenance, events)))

    def owners(self, ids: list[int]) -> set[int]:
        """The listings the checks belong to."""
        if not ids:
            return set()
        return set(db.session.scalars(select(ListingCheck.listing_id).where(ListingCheck.id.in_(ids))))

    def refresh(self, owners: set[int]) -> None:
        """Each listing's ``last_verified_on``: the day of its latest check that found it selling."""
        latest = (
            select(func.max(CHECK.c.checked_on))
            .where(CHECK.c.listing_id == LISTING.c.id, CHECK.c.is_available.is_(True))
            .scalar_subquery()
        )
        listed = sorted(owners)
        for start in range(0, len(listed), 2000):
            part = listed[start : start + 2000]
            db.session.execute(update(LISTING).where(LISTING.c.id.in_(part)).values(last_verified_on=latest))

    def describe(self, ids: list[int]) -> list[str]:
        query = (
            select(Enterprise.public_key, Product.name, Listing.url, ListingCheck.checked_on)
            .join(Listing, Listing.id == ListingCheck.listing_id)
            .join(Product, Product.id == Listing.product_id)
            .join(Enterprise, Enterprise.id == Product.enterprise_id)
            .where(ListingCheck.id.in_(ids[:20]))
        )
        return [f"{key} · {name} · {url} · {day:%d/%m/%Y}" for key, name, url, day in db.session.execute(query)]


def _as_listing(events: list[dict]) -> list[dict]:
    for event in events:
        event["entity_type"] = "listing"
    return events


def _product(row: Row, cells: dict[str, Any], context: Lookup, enterprise: int | None) -> int | None:
    """The enterprise's active certified product the row names, or None with the failure recorded."""
    certification = row.read("certification", parse_certification, cells.get("certification"))
    name = row.values["name"]
    if enterprise is None or not name or (cell.text(cells.get("certification")) and certification is None):
        return None
    found = [p for p in context.products.get((enterprise, fold(name)), []) if certification in (None, p[1])]
    if not found:
        row.fail("name", "product_not_in_registry", name)
    elif len(found) > 1:
        row.fail("certification", "product_ambiguous", "")
    return found[0][0] if len(found) == 1 else None


def _where(row: Row, cells: dict[str, Any], context: Lookup) -> tuple[str | None, str | None]:
    """The listing's platform and address, checked by the owners' rule, or what fails."""
    url = cell.text(cells.get("url"))
    typed = cell.text(cells.get("platform"))
    code = context.platforms.get(_platform_key(typed)) if typed else None
    if typed and code is None:
        row.fail("platform", "unknown_platform", typed)
    if not url:
        row.fail("url", "required", "")
        return code, None
    if len(url) > URL_LENGTH:
        row.fail("url", "too_long", url)
        return code, None
    if not typed:
        code = platform_of(url, context.domains.items())
        if code is None:
            problem = url_problem("", "", url)  # no address at all, or one on no platform's domains
            row.fail("url", problem if problem == NOT_AN_ADDRESS else "url_on_no_platform", url)
            return None, None
    if code is not None and (problem := url_problem(code, context.domains[code], url)):
        row.fail("url", problem, url)
    return code, url


RULES = ListingRules()
