"""Owners' self-service rules: read a listing form into checked fields; products and listings."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.domain import sectors
from app.domain.codes import CodeError, validate_enterprise_code, validate_personal_id
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.numbers import parse_amount_vnd
from app.extensions import db
from app.models import Commune, Enterprise, Listing, Platform, Product
from app.reference.services import region_communes
from app.registry.services import refresh_search_text
from app.text import fold, normalize


class FieldErrors(ValueError):
    def __init__(self, errors: dict[str, Any]):
        super().__init__(", ".join(errors))
        self.errors = errors


def read_enterprise_form(data: dict[str, Any], existing: Enterprise | None = None) -> dict[str, Any]:
    """Check what an owner typed; return the fields to store or raise FieldErrors (every field at once)."""
    errors: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    legal_form = data.get("legal_form")
    if legal_form not in LEGAL_FORMS:
        errors["legal_form"] = _l("Choose the legal form.")
    if "code" in data:
        raw_code = (data.get("code") or "").strip()
        if legal_form == "hkd" and not raw_code:
            try:
                fields["personal_id"] = validate_personal_id(data.get("personal_id"))
                fields["code"] = None
            except CodeError as e:
                errors["personal_id"] = e.message
        else:
            try:
                code = validate_enterprise_code(raw_code)
                fields["code"] = code.value
                if code.is_branch != (legal_form in ("branch", "rep_office")):
                    errors["code"] = _l("A 13-digit code belongs to a branch or representative office, and only to them.")
                other = db.session.scalar(select(Enterprise).where(Enterprise.code == code.value))
                if other is not None and other is not existing:
                    errors["code"] = _l("This enterprise is already listed: open its page and claim it instead.")
            except CodeError as e:
                errors["code"] = e.message
    vsic = (data.get("main_vsic") or "").strip()
    if vsic and sectors.section_for_vsic(vsic) is None:
        errors["main_vsic"] = _l("This is not a VSIC code: its first two digits name no economic sector.")
    fields["main_vsic"] = vsic or None
    commune = data.get("commune_code")
    if not db.session.scalar(select(Commune.code).where(Commune.code == commune, region_communes())):
        errors["commune_code"] = _l("Choose a commune of the province.")
    fields["commune_code"] = commune
    founded = data.get("founded_on")
    if founded and founded > date.today():
        errors["founded_on"] = _l("The founding date cannot be in the future.")
    fields["founded_on"] = founded
    for key in ("revenue_vnd", "capital_vnd", "funding_sought_vnd"):
        if key in data:
            try:
                fields[key] = parse_amount_vnd(data.get(key))
            except ValueError:
                errors[key] = _l("Write an amount in đồng, for example 2.500.000.000.")
    for key in ("name", "address", "description", "website", "email", "phone"):
        if key in data:
            fields[key] = normalize(data.get(key)) or None
    if "email" in fields and fields["email"]:
        fields["email"] = fields["email"].lower()
    fields["legal_form"] = legal_form
    fields["employees"] = data.get("employees")
    if "stage" in data:
        fields["stage"] = data.get("stage") or None
    if errors:
        raise FieldErrors(errors)
    return fields


def listing_url_problem(platform: Platform | None, url: str):
    """Why a listing URL is refused (it must be on the chosen platform's domain), or None."""
    if platform is None:
        return _l("Choose a platform.")
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return _l("Enter the full address, starting with https://")
    if not any(host == d or host.endswith("." + d) for d in platform.domains.split()):
        return _l("This address is not on %(platform)s (%(domains)s).", platform=platform.name, domains=platform.domains)
    return None


def add_product(enterprise: Enterprise, actor: audit.Actor, data: dict[str, Any]) -> Product:
    certification = data["certification"]
    stars = int(data["ocop_stars"]) if certification == "ocop" and data.get("ocop_stars") else None
    if certification == "ocop" and stars is None:
        raise FieldErrors({"ocop_stars": _l("An OCOP product is certified with 3, 4 or 5 stars.")})
    certified_on, expires_on = data.get("certified_on"), data.get("expires_on")
    if certification == "ocop" and certified_on and not expires_on:
        try:
            expires_on = certified_on.replace(year=certified_on.year + 3)
        except ValueError:
            expires_on = certified_on.replace(year=certified_on.year + 3, day=28)
    if certified_on and expires_on and expires_on < certified_on:
        raise FieldErrors({"expires_on": _l("The end of validity comes before the certification date.")})
    product = Product(
        enterprise_id=enterprise.id, name=normalize(data["name"]), name_folded=fold(data["name"]),
        certification=certification, ocop_stars=stars, certifying_body=normalize(data.get("certifying_body")) or None,
        certificate_no=normalize(data.get("certificate_no")) or None, certified_on=certified_on, expires_on=expires_on,
    )
    db.session.add(product)
    db.session.flush()
    db.session.refresh(enterprise)
    refresh_search_text(enterprise)
    audit.record(actor, "create", "product", product.id, None, {"name": product.name, "enterprise": enterprise.public_key})
    return product


def add_listing(product: Product, actor: audit.Actor, platform_code: str, url: str) -> Listing:
    platform = db.session.get(Platform, platform_code)
    problem = listing_url_problem(platform, url)
    if problem:
        raise FieldErrors({"url": problem})
    if any(listing.url == url.strip() for listing in product.listings):
        raise FieldErrors({"url": _l("This address is already listed.")})
    listing = Listing(product_id=product.id, platform_code=platform_code, url=url.strip(), last_verified_on=date.today())
    db.session.add(listing)
    db.session.flush()
    audit.record(actor, "create", "listing", listing.id, None, {"product": product.id, "url": listing.url})
    return listing
