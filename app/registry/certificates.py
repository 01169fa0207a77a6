"""When a product's certificate counts: one rule for the profile, the directory, the counts, the API
and the share of certified products on e-commerce (T4).

A certificate counts on a day when the department has verified it and it is valid that day: an
OCOP certificate (3 to 5 stars) for ``ocop_validity_months`` from its certification date (a renewal
is a new certification date) unless the department's list gave its end of validity, a geographical
indication, collective or certification mark until its end of validity (inclusive), if it has one. A product declared by its owner shows "awaiting verification" and
counts nowhere; an expired one shows "expired" and counts nowhere; one without a certification date
cannot be verified.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import g, has_request_context
from sqlalchemy import ColumnElement, and_, or_

from app import indicator_settings
from app.dates import months_before
from app.i18n import local_today
from app.models import Product

CERTIFIED, EXPIRED, AWAITING = "certified", "expired", "awaiting_verification"


def ocop_validity_months() -> int:
    """The OCOP validity in force (an indicator setting the department keeps), read once per request."""
    if has_request_context() and "ocop_validity_months" in g:
        return g.ocop_validity_months
    months = int(indicator_settings.current().ocop_validity_months)
    if has_request_context():
        g.ocop_validity_months = months
    return months


def certified_today() -> ColumnElement[bool]:
    """An active product whose certificate counts today: what the directory, its facets and counts read."""
    return certified_on_day(local_today(), ocop_validity_months())


def state_today(product: Product) -> str:
    return state_of(product, local_today(), ocop_validity_months())


def verified_by(day: date) -> ColumnElement[bool]:
    """Verified by the department as of the day (the day its verification counts from: the decision's
    day for a list the department imported, the day of the check for one an owner declared), with a
    certification date on or before it."""
    return and_(
        Product.verified_on.is_not(None),
        Product.verified_on <= day,
        Product.certified_on.is_not(None),
        Product.certified_on <= day,
    )


def expired_by(day: date, months: int) -> ColumnElement[bool]:
    """Past its end of validity by the day: the end the certificate or the list gives, else, for OCOP,
    ``months`` after its certification."""
    ocop = and_(
        Product.certification == "ocop",
        Product.expires_on.is_(None),
        Product.certified_on <= months_before(day, months),
    )
    dated = and_(Product.expires_on.is_not(None), Product.expires_on < day)
    return or_(ocop, dated)


def certified_on_day(day: date, months: int) -> ColumnElement[bool]:
    """An active product whose certificate counts on the day (the condition every count uses)."""
    return and_(Product.is_active.is_(True), verified_by(day), ~expired_by(day, months))


def state_of(product: Product, day: date, months: int) -> str:
    """certified, expired or awaiting_verification: how a loaded product is shown and counted."""
    if product.verified_at is None or product.certified_on is None:
        return AWAITING
    if product.certification == "ocop" and product.expires_on is None:
        return EXPIRED if product.certified_on <= months_before(day, months) else CERTIFIED
    return EXPIRED if product.expires_on is not None and product.expires_on < day else CERTIFIED


def valid_until(product: Product, months: int) -> date | None:
    """The last day the certificate is valid (OCOP: the day before the validity months have passed)."""
    if product.certification == "ocop" and product.expires_on is None and product.certified_on is not None:
        return months_before(product.certified_on, -months) - timedelta(days=1)
    return product.expires_on
