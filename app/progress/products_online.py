"""T4, certified products on e-commerce: the products counted as of a day, the figure, and its rule.

A product counts on a day when one of its certificates is verified by then and valid that day and it
was not withdrawn that day (app/registry/certificates.py: a renewal or a withdrawal today leaves a
past day as it was); it is online when the latest check of one of its listings by the day, within
the freshness window, found it selling. indicators.py lists T4 with the other computed indicators
and dispatches to these functions.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import Select, case, exists, func, not_, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.indicator_settings import Settings
from app.models import EnterprisePeriod as Span
from app.models import Listing, ListingCheck, Product, ProductCertificate
from app.models.values import Certification, OcopGroup
from app.progress import dimensions as dims
from app.progress.figures import Cell, Figure
from app.progress.owners import owner_on
from app.registry import certificates


def _listed(as_of: date, s: Settings):
    """A listing of the product whose latest check by the day found it selling, within the freshness window."""
    later = aliased(ListingCheck)
    fresh_from = dims.months_before(as_of, s.t4_freshness_months)
    return exists(
        select(ListingCheck.id)
        .join(Listing, Listing.id == ListingCheck.listing_id)
        .where(
            Listing.product_id == Product.id,
            ListingCheck.is_available.is_(True),
            ListingCheck.checked_on <= as_of,
            ListingCheck.checked_on > fresh_from,
            not_(
                exists(
                    select(later.id).where(
                        later.listing_id == ListingCheck.listing_id,
                        later.checked_on <= as_of,
                        later.is_available.is_(False),
                        or_(
                            later.checked_on > ListingCheck.checked_on,
                            (later.checked_on == ListingCheck.checked_on) & (later.id > ListingCheck.id),
                        ),
                    )
                )
            ),
        )
    )


def _held(as_of: date, s: Settings, column):
    """What the product's latest certificate counting on the day says (its certification, its group):
    the product's own columns mirror its latest certificate, so a renewal today would rewrite the past."""
    return (
        select(column)
        .where(
            ProductCertificate.product_id == Product.id,
            certificates.certificate_counts(as_of, s.ocop_validity_months),
        )
        .order_by(ProductCertificate.certified_on.desc(), ProductCertificate.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def product_units(as_of: date, s: Settings) -> Select:
    """Each product active on the day and certified by then, with its state that day: unverified (no
    certificate verified by the day), expired (none valid on it), tourism (an OCOP community-tourism
    service, by the group of the certificate counting that day) or counted."""
    tourism = (_held(as_of, s, ProductCertificate.certification) == Certification.OCOP) & (
        _held(as_of, s, ProductCertificate.ocop_group) == OcopGroup.TOURISM
    )
    state = case(
        (not_(certificates.verified_by(as_of)), "unverified"),
        (certificates.expired_by(as_of, s.ocop_validity_months), "expired"),
        (tourism, "tourism"),
        else_="counted",
    )
    owner = owner_on("product", Product.id, Product.enterprise_id, as_of)  # a merge moved it later
    return (
        select(
            Product.id.label("id"),
            owner.label("enterprise_id"),
            *dims.columns().values(),
            func.coalesce(_held(as_of, s, ProductCertificate.certification), Product.certification).label(
                "certification"
            ),
            state.label("state"),
            case((_listed(as_of, s), 1), else_=0).label("listed"),
        )
        .join(Span, Span.enterprise_id == owner)
        .where(
            certificates.active_on(as_of),
            certificates.known_by(as_of),
            dims.counted_record(),
            dims.active_on(as_of),
        )
    )


def certified_products_online(as_of: date, s: Settings) -> Figure:
    """T4: the share of certified products with at least one listing checked within the freshness window.

    Certified products: OCOP products of 3 to 5 stars within ``ocop_validity_months`` of their
    certification, and geographical-indication, collective-mark and certification-mark products
    while their right of use is valid, verified by the department by the day. Numerator: those with
    a listing whose latest check by the day, within ``t4_freshness_months``, found it selling.
    Expired and unverified certificates leave both numerator and denominator and are counted apart,
    and so are OCOP community-tourism services, which no platform sells.
    """
    rows = db.session.execute(product_units(as_of, s)).all()
    counted = [r for r in rows if r.state == "counted"]
    total = Cell(sum(r.listed for r in counted), len(counted), len({r.enterprise_id for r in counted}))
    apart = Counter(r.state for r in rows if r.state != "counted")
    by: dict[str, dict[str, Cell]] = {}
    for dim in dims.DIMENSIONS:
        numerators, products, owners = Counter(), Counter(), {}
        for r in counted:
            for key in dims.keys_of(dim, getattr(r, dim)):
                numerators[key] += r.listed
                products[key] += 1
                owners.setdefault(key, set()).add(r.enterprise_id)
        by[dim] = {k: Cell(numerators[k], products[k], len(owners[k])) for k in products}
    certifications: dict[str, list[int]] = {}
    for r in counted:
        pair = certifications.setdefault(r.certification, [0, 0])
        pair[0], pair[1] = pair[0] + r.listed, pair[1] + 1
    extra = {"by_certification": certifications}
    return Figure(
        "T4",
        as_of,
        "percent",
        s.plain(),
        total,
        {k: apart.get(k, 0) for k in ("tourism", "expired", "unverified")},
        extra,
        by,
    )


def t4_rule(s: Settings) -> tuple[str, str]:
    return (
        f"Số sản phẩm được chứng nhận (OCOP 3–5 sao trong {s.ocop_validity_months} tháng kể từ ngày công nhận; sản "
        f"phẩm mang chỉ dẫn địa lý, nhãn hiệu tập thể, nhãn hiệu chứng nhận còn hiệu lực), đã được Sở xác minh, có ít "
        f"nhất một gian hàng trên sàn thương mại điện tử được kiểm tra còn bán trong {s.t4_freshness_months} tháng "
        f"tính đến ngày số liệu, chia cho tổng số sản phẩm được chứng nhận. Chứng nhận hết hạn hoặc chưa xác minh "
        f"không nằm trong tử số lẫn mẫu số; dịch vụ du lịch cộng đồng OCOP (không sàn nào bán) được đếm riêng.",
        f"Certified products (OCOP 3 to 5 stars within {s.ocop_validity_months} months of certification; "
        f"geographical-indication, collective-mark and certification-mark products while valid), verified by the "
        f"department, with at least one e-commerce listing checked to be selling within {s.t4_freshness_months} "
        f"months before the day, divided by all certified products. Expired or unverified certificates leave both "
        f"numerator and denominator; OCOP community-tourism services, which no platform sells, are counted apart.",
    )


def t4_part(units, part: str, s: Settings):
    if part == "numerator":
        return (units.c.state == "counted") & (units.c.listed == 1)
    if part == "denominator":
        return units.c.state == "counted"
    return units.c.state == part
