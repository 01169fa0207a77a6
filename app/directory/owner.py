"""Owners' self-service rules: read a listing form into checked fields; products and listings."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app import audit
from app.dates import typed_day, typed_day_problem
from app.domain import listings, sectors
from app.domain.codes import CodeError, validate_enterprise_code, validate_personal_id
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.numbers import parse_amount_vnd
from app.domain.websites import WebsiteError, normalize_website
from app.errors import FieldErrors
from app.extensions import db
from app.i18n import local_today, localized
from app.models import (
    Commune,
    Enterprise,
    EnterpriseSolution,
    Listing,
    ListingCheck,
    Membership,
    Platform,
    Product,
    User,
)
from app.models.values import OcopGroup
from app.reference import communes
from app.reference.services import region_communes
from app.registry import product_history
from app.registry.services import refresh_search_text
from app.text import fold, normalize, vietnamese_sort_key


def memberships(user) -> list[Membership]:
    """The enterprises a person acts for or has claimed, with each enterprise, in one query."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.user_id == user.id)
            .options(joinedload(Membership.enterprise))
            .order_by(Membership.id)
        )
    )


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
                    errors["code"] = _l(
                        "A 13-digit code belongs to a branch or representative office, and only to them."
                    )
                other = db.session.scalar(select(Enterprise).where(Enterprise.code == code.value))
                if other is not None and other is not existing:
                    errors["code"] = _l("This enterprise is already listed: open its page and claim it instead.")
            except CodeError as e:
                errors["code"] = e.message
    vsic = (data.get("main_vsic") or "").strip()
    if vsic and not vsic.isdigit():  # words of a line of business: the division they name
        found = sectors.divisions_matching(vsic)
        if len(found) == 1:
            vsic = found[0]
        else:
            errors["main_vsic"] = _vsic_choices(vsic, found)
    if vsic.isdigit() and sectors.section_for_vsic(vsic) is None:
        errors["main_vsic"] = _l("This is not a VSIC code: its first two digits name no economic sector.")
    fields["main_vsic"] = vsic or None
    typed = communes.read_typed(data.get("commune_code"))
    if typed.candidates:
        errors["commune_code"] = _l(
            "“%(typed)s” became part of several communes on 1 July 2025: %(names)s. Type the one where you are.",
            typed=data.get("commune_code"),
            names=", ".join(sorted(_commune_names(typed.candidates), key=vietnamese_sort_key)),
        )
    elif not db.session.scalar(select(Commune.code).where(Commune.code == typed.code, region_communes())):
        errors["commune_code"] = _l(
            "No commune of the province has this name. Type its name as it is now or as it was before "
            "1 July 2025, and pick it from the list."
        )
    fields["commune_code"] = typed.code
    founded = data.get("founded_on")
    if founded and founded > local_today():
        errors["founded_on"] = _l("The founding date cannot be in the future.")
    fields["founded_on"] = founded
    for key in ("revenue_vnd", "capital_vnd", "funding_sought_vnd"):
        if key in data:
            try:
                fields[key] = parse_amount_vnd(data.get(key))
            except ValueError:
                errors[key] = _l("Write an amount in đồng, for example 2.500.000.000.")
    for key in ("name", "address", "representative", "description", "email", "phone"):
        if key in data:
            fields[key] = normalize(data.get(key)) or None
    if "is_address_public" in data:  # the owner form of a household business
        fields["is_address_public"] = bool(data["is_address_public"])
    if "website" in data:
        try:
            fields["website"] = normalize_website(data.get("website"))
        except WebsiteError:
            errors["website"] = _l("Enter a website address, for example haidang.vn or https://haidang.vn/san-pham.")
    if "email" in fields and fields["email"]:
        fields["email"] = fields["email"].lower()
    fields["legal_form"] = legal_form
    fields["employees"] = data.get("employees")
    if "stage" in data:
        fields["stage"] = data.get("stage") or None
    if errors:
        raise FieldErrors(errors)
    return fields


def _vsic_choices(typed: str, found: list[str]):
    """What to say when words typed for the line of business name no division, or several."""
    if not found:
        return _l(
            "No line of business matches “%(typed)s”: type its VSIC code (2 to 5 digits) or other words of it.",
            typed=typed,
        )
    names = sectors.divisions()
    listed = "; ".join(f"{code} {localized(names[code]['vi'], names[code]['en'])}" for code in found[:6])
    return _l(
        "Several lines of business match “%(typed)s”: %(listed)s%(more)s. Type the code of yours.",
        typed=typed,
        listed=listed,
        more=" …" if len(found) > 6 else "",
    )


def commune_note(data: dict[str, Any]) -> str | None:
    """What to tell a person who typed a former commune's name, once their form is saved."""
    typed = communes.read_typed(data.get("commune_code"))
    if not typed.former or typed.code is None:
        return None
    return str(
        _l(
            "“%(typed)s” has been part of %(name)s since 1 July 2025: that is the commune saved.",
            typed=data.get("commune_code"),
            name=_commune_names([typed.code])[0],
        )
    )


def _commune_names(codes) -> list[str]:
    found = dict(db.session.execute(select(Commune.code, Commune.name).where(Commune.code.in_(codes))).all())
    return [found.get(code, code) for code in codes]


def listing_url_problem(platform: Platform | None, url: str):
    """Why a listing URL is refused, or None: the rule of app/domain/listings.py, in the form's words.

    It must be on the chosen platform's domain and be a product page (rules/platforms.yaml): the
    share of certified products on e-commerce counts products, so a shop's home page, a search
    or a video is refused.
    """
    if platform is None:
        return _l("Choose a platform.")
    problem = listings.url_problem(platform.code, platform.domains, url)
    if problem == listings.NOT_AN_ADDRESS:
        return _l("Enter the full address, starting with https://")
    if problem == listings.NOT_ON_PLATFORM:
        return _l(
            "This address is not on %(platform)s (%(domains)s).", platform=platform.name, domains=platform.domains
        )
    if problem == listings.NOT_A_PRODUCT_PAGE:
        return _l(
            "Give the address of the product's own page on %(platform)s, not a shop's home page, a search or a video.",
            platform=platform.name,
        )
    return None


def add_product(enterprise: Enterprise, actor: audit.Actor, data: dict[str, Any]) -> Product:
    """A certified product the owner declares, or a renewal of one already listed (an active product
    of the same name and kind of certificate): either way a new certificate awaiting the department's
    check (app/registry/product_history.py); the one it renews keeps counting until then. The same
    certificate sent again corrects it while it awaits the check, and is refused once checked."""
    certification = data["certification"]
    stars = int(data["ocop_stars"]) if certification == "ocop" and data.get("ocop_stars") else None
    errors = {}
    if certification == "ocop" and stars is None:
        errors["ocop_stars"] = _l("An OCOP product is certified with 3, 4 or 5 stars.")
    group = data.get("ocop_group") or None if certification == "ocop" else None
    if certification == "ocop" and not OcopGroup.has(group):
        errors["ocop_group"] = _l("Choose the OCOP product group on the certificate.")
    if not data.get("certified_on"):
        errors["certified_on"] = _l("Enter the date on the certificate.")
    elif data["certified_on"] > local_today():
        errors["certified_on"] = _l("The certification date cannot be in the future.")
    if errors:
        raise FieldErrors(errors)
    certified_on = data.get("certified_on")
    # An OCOP certificate is valid for the months the department sets from its date (app/registry/
    # certificates.py): no end date is stored for it. A mark or an indication ends on its own date.
    expires_on = None if certification == "ocop" else data.get("expires_on")
    if certified_on and expires_on and expires_on < certified_on:
        raise FieldErrors({"expires_on": _l("The end of validity comes before the certification date.")})
    fields = {
        "certification": certification,
        "ocop_stars": stars,
        "ocop_group": group,
        "certifying_body": normalize(data.get("certifying_body")) or None,
        "certificate_no": normalize(data.get("certificate_no")) or None,
        "certified_on": certified_on,
        "expires_on": expires_on,
    }
    product = _listed_product(enterprise, data["name"], certification)
    if product is not None:
        declared = product_history.certificate_dated(product, certified_on)
        if declared is None:
            product_history.certify(product, actor, "owner", fields)
        elif declared.verified_on is None:  # sent again before the check, or after a refusal: corrected
            product_history.correct(declared, actor, "owner", fields)
        else:
            raise FieldErrors({"certified_on": _l("This certificate of the product is already recorded.")})
        return product
    product = Product(
        enterprise_id=enterprise.id, name=normalize(data["name"]), name_folded=fold(data["name"]), **fields
    )
    db.session.add(product)
    db.session.flush()
    db.session.refresh(enterprise)
    refresh_search_text(enterprise)
    audit.record(
        actor, "create", "product", product.id, None, {"name": product.name, "enterprise": enterprise.public_key}
    )
    product_history.certify(product, actor, "owner", fields)
    return product


def _listed_product(enterprise: Enterprise, name: str, certification: str) -> Product | None:
    """The enterprise's active product of that name (folded) and kind of certificate, if it has one."""
    return db.session.scalar(
        select(Product)
        .where(
            Product.enterprise_id == enterprise.id,
            Product.name_folded == fold(name),
            Product.certification == certification,
            Product.is_active.is_(True),
        )
        .order_by(Product.id)
        .limit(1)
    )


def withdrawal_day(text: str | None) -> date | None:
    """The day typed on the withdraw form, dd/mm/yyyy (or yyyy-mm-dd, as a browser's date field sends
    it); blank is today (None). The service refuses a day in the future or before the product last
    counted again."""
    text = normalize(text or "").strip()
    if not text:
        return None
    try:
        day = typed_day(text)
    except ValueError:
        problem = typed_day_problem(text) or _l("Give the date as dd/mm/yyyy (or yyyy-mm-dd), for example 31/12/2025.")
        raise FieldErrors({"on": problem}) from None
    if day.year < 2000:
        raise FieldErrors({"on": _l("Enter a date from 2000 on.")})
    return day


def withdraw_product(product: Product, actor: audit.Actor, on: date | None = None) -> bool:
    """The owner (or staff) takes a product off the list: it stops counting from ``on`` (today)."""
    return product_history.withdraw(product, actor, _channel(actor), on)


def reinstate_product(product: Product, actor: audit.Actor, on: date | None = None) -> bool:
    """The product is listed again: it counts from ``on`` (today); from its withdrawal's day or
    earlier the withdrawal is taken back (app/registry/product_history.reinstate)."""
    return product_history.reinstate(product, actor, _channel(actor), on)


def _channel(actor: audit.Actor) -> str:
    user = db.session.get(User, actor.user_id) if actor.user_id else None
    return "staff" if user is not None and user.is_staff else "owner"


def add_listing(product: Product, actor: audit.Actor, platform_code: str, url: str) -> Listing:
    platform = db.session.get(Platform, platform_code)
    problem = listing_url_problem(platform, url)
    if problem:
        raise FieldErrors({"url": problem})
    if any(listing.url == url.strip() for listing in product.listings):
        raise FieldErrors({"url": _l("This address is already listed.")})
    listing = Listing(product_id=product.id, platform_code=platform_code, url=url.strip())
    db.session.add(listing)
    db.session.flush()
    audit.record(actor, "create", "listing", listing.id, None, {"product": product.id, "url": listing.url})
    check_listing(listing, actor, available=True)
    return listing


def check_listing(listing: Listing, actor: audit.Actor, available: bool, note: str | None = None) -> ListingCheck:
    """A dated check that the listing still sells the product (or no longer does); flushes.

    The listing's ``last_verified_on`` is the day of its latest check that found it selling; the
    checks stay, so the share of products on e-commerce can be computed as of any past day.
    """
    if available and (problem := listing_url_problem(listing.platform, listing.url)):
        raise FieldErrors({"url": problem})  # an old listing of a shop page cannot be confirmed: add the product page
    today = local_today()
    check = ListingCheck(
        listing_id=listing.id,
        checked_on=today,
        is_available=available,
        checked_by_id=actor.user_id,
        checked_by_label=actor.label[:100],
        note=normalize(note)[:500] or None,
    )
    db.session.add(check)
    listing.last_verified_on = today if available else listing.last_verified_on
    db.session.flush()
    audit.record(
        actor,
        "check",
        "listing",
        listing.id,
        None,
        {"url": listing.url, "checked_on": today.isoformat(), "is_available": available},
    )
    return check


def solutions_of(enterprise: Enterprise) -> set[str]:
    """The solution categories a digital-technology firm declares it offers."""
    return set(
        db.session.scalars(select(EnterpriseSolution.category).where(EnterpriseSolution.enterprise_id == enterprise.id))
    )


def set_solutions(enterprise: Enterprise, actor: audit.Actor, chosen: set[str]) -> None:
    """Replace the firm's declared solution categories (assessment results point owners to it)."""
    current = solutions_of(enterprise)
    db.session.execute(delete(EnterpriseSolution).where(EnterpriseSolution.enterprise_id == enterprise.id))
    db.session.add_all(EnterpriseSolution(enterprise_id=enterprise.id, category=c) for c in sorted(chosen))
    refresh_search_text(enterprise)  # search finds a provider by the categories it offers
    audit.record(
        actor,
        "update",
        "enterprise_solutions",
        enterprise.id,
        {"categories": sorted(current)},
        {"categories": sorted(chosen)},
    )
