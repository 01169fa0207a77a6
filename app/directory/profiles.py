"""What the public may see of an enterprise, in one place (HTML profile, JSON API, exports)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer, joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app.directory.contact import is_following
from app.domain import sectors
from app.domain.codes import canonical_key
from app.extensions import db
from app.i18n import localized
from app.models import Enterprise, EnterpriseSolution, LatestAssessment, Product
from app.registry import certificates
from app.registry.services import is_public_record, public_record
from app.solutions import solution_categories

PUBLIC_FIELDS = (
    "public_key",
    "name",
    "legal_form",
    "main_vsic",
    "vsic_section",
    "commune_code",
    "address",  # a household's only when it chose to publish it (Enterprise.shows_street)
    "is_address_public",
    "founded_on",
    "size_tier",
    "is_digital_tech",
    "digital_tech_verification",
    "is_startup",
    "startup_verification",
    "website",
    "status",
)


def get_public(key: str) -> Enterprise | None:
    """A published enterprise by its public key, in any spelling (code, branch code, household id),
    with its products, their listings and certificates and whether a verified member acts for it:
    one statement for most (whether it has products is a column of it), a second for those that do."""
    cfg = current_app.config
    statement = _public_by_key(cfg["REGION_PROVINCE_CODE"], cfg["REGION_FORMER_PROVINCE"])
    found = db.session.execute(statement, {"key": canonical_key(key)}).one_or_none()
    if found is None:
        return None
    enterprise, has_products = found
    products = db.session.scalars(_PRODUCTS, {"id": enterprise.id}).unique().all() if has_products else []
    set_committed_value(enterprise, "products", products)
    return enterprise


@functools.lru_cache(maxsize=8)
def _public_by_key(_province: str, _former_province: str):
    """get_public's statement for the region (the arguments key the cache): building it took
    longer than running it. Search columns and the personal id are never shown, so not read. The
    products are not joined: most enterprises have none, and every relationship loaded by a join
    costs the ORM its setup on each statement (a tenth of a profile's time, measured with wrk)."""
    hidden = (Enterprise.search_text, Enterprise.name_folded, Enterprise.name_lower, Enterprise.name_sort)
    has_products = select(Product.id).where(Product.enterprise_id == Enterprise.id).exists()
    return (
        select(Enterprise, has_products)
        .where(Enterprise.public_key == bindparam("key"), public_record())
        .options(
            undefer(Enterprise.has_verified_member),
            *(defer(column) for column in (*hidden, Enterprise.personal_id)),
        )
    )


_PRODUCTS = (  # an enterprise's products in Enterprise.products' order, with what the profile shows of each
    select(Product)
    .where(Product.enterprise_id == bindparam("id"))
    .options(joinedload(Product.listings), joinedload(Product.certificates))  # the state each one shows
    .order_by(Product.name)
)


def merged_into(key: str) -> str | None:
    """The public key of the published record a merged duplicate now lives in, if any."""
    merged = db.session.scalar(
        select(Enterprise).where(Enterprise.public_key == key, Enterprise.merged_into_id.is_not(None))
    )
    survivor = db.session.get(Enterprise, merged.merged_into_id) if merged else None
    return survivor.public_key if survivor is not None and is_public_record(survivor) else None


@dataclass(frozen=True)
class ShownProduct:
    """A product as the profile shows it: its certificate's state today and the last valid day."""

    product: Product
    state: str  # certified, expired, awaiting_verification (app/registry/certificates.py)
    valid_until: date | None


@dataclass
class ProfileView:
    products: list[ShownProduct]
    readiness: LatestAssessment | None
    digital_hint: str | None
    solutions: list[str]
    following: bool


def build(enterprise: Enterprise, viewer=None) -> ProfileView:
    months = certificates.ocop_validity_months()
    products = [
        ShownProduct(p, certificates.state_today(p), certificates.valid_until(p, months))
        for p in enterprise.products
        if p.is_active
    ]
    readiness = db.session.get(LatestAssessment, enterprise.id) if enterprise.shows_readiness else None
    solutions = []
    if enterprise.is_digital_tech:
        codes = db.session.scalars(
            select(EnterpriseSolution.category).where(EnterpriseSolution.enterprise_id == enterprise.id)
        ).all()
        if codes:
            names = solution_categories()
            solutions = [localized(names[c]["vi"], names[c]["en"]) for c in codes if c in names]
    return ProfileView(
        products,
        readiness,
        sectors.digital_tech_hint(enterprise.main_vsic),
        solutions,
        is_following(viewer, enterprise),
    )


def json_ld(enterprise: Enterprise, url: str) -> dict:
    """schema.org Organization for search engines: public fields only (a household's street only if it
    chose to publish it)."""
    address = {"@type": "PostalAddress", "addressLocality": enterprise.commune.name, "addressCountry": "VN"}
    if enterprise.public_address:
        address["streetAddress"] = enterprise.public_address
    data = {"@context": "https://schema.org", "@type": "Organization", "name": enterprise.name, "url": url}
    data["address"] = address
    if enterprise.code:
        data["taxID"] = enterprise.code
    if enterprise.founded_on:
        data["foundingDate"] = enterprise.founded_on.isoformat()
    if enterprise.website:
        data["sameAs"] = [enterprise.website]
    if enterprise.products:
        data["makesOffer"] = [
            {"@type": "Offer", "itemOffered": {"@type": "Product", "name": p.name}}
            for p in enterprise.products
            if p.is_active
        ]
    return data
