"""When a product's certificate counts: one rule for the profile, the directory, the counts, the API
and the share of certified products on e-commerce (T4).

A product keeps every certificate it was given (``product_certificate``: a renewal is a new one), so
a figure as of a past day reads the certificates that held that day. A certificate counts on a day
when the department has verified it by then and it is valid that day: an OCOP certificate (3 to 5
stars) for ``ocop_validity_months`` from its certification date unless the department's list gave
its end of validity, a geographical indication, collective or certification mark until its end of
validity (inclusive), if it has one. A product counts on a day when one of its certificates does and
it was not withdrawn that day (``product_withdrawal``). A product declared by its owner shows
"awaiting verification" and counts nowhere; an expired one shows "expired" and counts nowhere; one
without a certification date has no certificate and cannot be verified.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import g, has_request_context
from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, union

from app import indicator_settings
from app.dates import local_day, months_before
from app.i18n import local_today
from app.models import Product, ProductCertificate, ProductWithdrawal
from app.models.values import Certification

CERTIFIED, EXPIRED, AWAITING = "certified", "expired", "awaiting_verification"
Certificate = ProductCertificate
Withdrawal = ProductWithdrawal


def ocop_validity_months() -> int:
    """The OCOP validity in force (an indicator setting the department keeps), read once per request."""
    if has_request_context() and "ocop_validity_months" in g:
        return g.ocop_validity_months
    months = int(indicator_settings.current().ocop_validity_months)
    if has_request_context():
        g.ocop_validity_months = months
    return months


def certified_today() -> ColumnElement[bool]:
    """A product counted today: what the directory, its facets and counts read."""
    return certified_on_day(local_today(), ocop_validity_months())


def state_today(product: Product) -> str:
    return state_of(product, local_today(), ocop_validity_months())


# --- the rule in SQL: conditions on a product (correlated to ``Product``) --------------------------


def certificate_counts(day: date, months: int) -> ColumnElement[bool]:
    """A certificate (a row of ``product_certificate``) verified by the day and valid on it."""
    return and_(Certificate.verified_on <= day, Certificate.certified_on <= day, ~_certificate_expired(day, months))


def _certificate_expired(day: date, months: int) -> ColumnElement[bool]:
    """Past its end of validity by the day: the end the certificate or the list gives, else, for OCOP,
    ``months`` after its certification."""
    ocop = and_(
        Certificate.certification == Certification.OCOP,
        Certificate.expires_on.is_(None),
        Certificate.certified_on <= months_before(day, months),
    )
    return or_(ocop, and_(Certificate.expires_on.is_not(None), Certificate.expires_on < day))


def _has_certificate(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(select(Certificate.id).where(Certificate.product_id == Product.id, *conditions))


def active_on(day: date) -> ColumnElement[bool]:
    """Not withdrawn on the day. No withdrawal is dated after today, so today the product's own flag says it."""
    if day >= local_today():
        return Product.is_active.is_(True)
    withdrawn = exists(
        select(Withdrawal.id).where(
            Withdrawal.product_id == Product.id,
            Withdrawal.withdrawn_on <= day,
            or_(Withdrawal.returned_on.is_(None), Withdrawal.returned_on > day),
        )
    )
    return ~withdrawn


def verified_by(day: date) -> ColumnElement[bool]:
    """A certificate of the product verified by the department as of the day (the day its
    verification counts from: the decision's day for a list the department imported, the day of the
    check for one an owner declared), with a certification date on or before it."""
    return _has_certificate(Certificate.verified_on <= day, Certificate.certified_on <= day)


def known_by(day: date) -> ColumnElement[bool]:
    """A product with a certificate dated by the day, or with none at all (declared without a date):
    one first certified later was no certified product yet, even unverified."""
    return or_(_has_certificate(Certificate.certified_on <= day), ~_has_certificate())


def expired_by(day: date, months: int) -> ColumnElement[bool]:
    """No certificate of the product valid on the day (read after ``verified_by``: verified, but all
    past their end of validity)."""
    return ~_has_certificate(certificate_counts(day, months))


def certified_on_day(day: date, months: int) -> ColumnElement[bool]:
    """A product active on the day with a certificate that counts on it (the condition every count uses)."""
    return and_(active_on(day), _has_certificate(certificate_counts(day, months)))


def enterprises_changing_between(day_before: date, day: date, months: int | None = None) -> Select:
    """The enterprises whose "has a product counted" can differ between ``day_before`` and ``day``
    (a later day) with no write in between: a certificate that starts to count (certified or verified
    in between), one that reaches its end of validity, a withdrawal that begins or ends. A superset,
    each part an index range: the directory's index reads these again at the day's rollover
    (``db.session.scalars(enterprises_changing_between(yesterday, today))``)."""
    months = ocop_validity_months() if months is None else months
    starts = or_(
        and_(Certificate.certified_on > day_before, Certificate.certified_on <= day),
        and_(Certificate.verified_on > day_before, Certificate.verified_on <= day),
    )
    ends = or_(
        and_(Certificate.expires_on >= day_before, Certificate.expires_on < day),
        and_(
            Certificate.certified_on > months_before(day_before, months),
            Certificate.certified_on <= months_before(day, months),
            Certificate.certification == Certification.OCOP,
            Certificate.expires_on.is_(None),
        ),
    )
    withdrawn = or_(
        and_(Withdrawal.withdrawn_on > day_before, Withdrawal.withdrawn_on <= day),
        and_(Withdrawal.returned_on > day_before, Withdrawal.returned_on <= day),
    )
    return union(
        select(Product.enterprise_id).where(Product.id.in_(select(Certificate.product_id).where(or_(starts, ends)))),
        select(Product.enterprise_id).where(Product.id.in_(select(Withdrawal.product_id).where(withdrawn))),
    )


# --- the rule for a loaded product -------------------------------------------------------------------


class Held(NamedTuple):
    """What the rule reads of one certificate."""

    certification: str
    certified_on: date
    expires_on: date | None
    verified_on: date | None


def held(product: Product) -> list[Held]:
    """The product's certificates, oldest first; a product made without its history (an object not
    yet stored, or a row from before certificates were kept) reads as the one its columns describe."""
    found = [
        Held(c.certification, c.certified_on, c.expires_on, c.verified_on)
        for c in sorted(product.certificates, key=lambda c: (c.certified_on, c.id or 0))
    ]
    if found or product.certified_on is None:
        return found
    verified = product.verified_on or (_day(product.verified_at) if product.verified_at else None)
    return [Held(product.certification, product.certified_on, product.expires_on, verified)]


def _day(moment: datetime) -> date:
    return local_day(moment)


def _ends(c: Held, months: int) -> date | None:
    """The certificate's last valid day (OCOP without an end: the day before the validity months have passed)."""
    if c.certification == Certification.OCOP and c.expires_on is None:
        return ocop_last_day(c.certified_on, months)
    return c.expires_on


def ocop_last_day(certified_on: date, months: int) -> date:
    """The last day D on which an OCOP certificate without an end is still valid, by the SQL rule's own
    comparison (``certified_on > months_before(D, months)``, in ``_certificate_expired``), so the
    profile and the counts agree on a certificate of 29 February or of a month's 31st too."""
    day = months_before(certified_on, -months)
    while months_before(day + timedelta(days=1), months) < certified_on:
        day += timedelta(days=1)
    while months_before(day, months) >= certified_on:
        day -= timedelta(days=1)
    return day


def _counts(c: Held, day: date, months: int) -> bool:
    ends = _ends(c, months)
    return (
        c.verified_on is not None and c.verified_on <= day and c.certified_on <= day and (ends is None or ends >= day)
    )


def state_of(product: Product, day: date, months: int) -> str:
    """certified, expired or awaiting_verification: how a loaded product is shown and counted on the
    day (its withdrawal aside). Certified when a certificate counts; awaiting when its latest
    certificate by the day is not verified by then (a declared renewal among them); else expired."""
    certificates = [c for c in held(product) if c.certified_on <= day]
    if any(_counts(c, day, months) for c in certificates):
        return CERTIFIED
    if not certificates or certificates[-1].verified_on is None or certificates[-1].verified_on > day:
        return AWAITING
    return EXPIRED


def valid_until(product: Product, months: int, day: date | None = None) -> date | None:
    """The last valid day of what the product shows on the day (today if not given): the furthest end
    of the certificates counting then (None: one has no end), else its latest certificate's end."""
    certificates = held(product)
    if not certificates:
        return None
    day = day or local_today()
    counting = [c for c in certificates if _counts(c, day, months)]
    if not counting:
        return _ends(certificates[-1], months)
    ends = [_ends(c, months) for c in counting]
    return None if None in ends else max(ends)
