"""The dated history of a certified product: the one writer of its certificates, its withdrawals and
the columns of ``product`` that mirror them.

A certificate is a decision (an OCOP certification or re-certification, the registration of an
indication or a mark): a renewal adds one, so a figure as of a past day reads the one that held then
(app/registry/certificates.py). The product's own certificate columns mirror its latest certificate
(by certification day), which the profile, the forms and the API show; every write here keeps them,
and touches the product's row, so what watches product rows sees the change.

A withdrawal is dated: the product stops counting from that day. Putting it back from a later day
keeps the days between as withdrawn (they were); putting it back from the withdrawal's own day or
earlier takes the withdrawal back, as if it had never been (a mistake corrected). Withdrawals are
never dated in the future, so today the product's ``is_active`` says whether it counts.

Everything here executes and flushes only; the caller's edge commits, and every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from app import audit
from app.audit import _plain as plain
from app.errors import FieldErrors
from app.extensions import db
from app.i18n import local_today
from app.models import Product, ProductCertificate, ProductWithdrawal
from app.models.base import utcnow
from app.registry import past
from app.registry.services import refresh_search_text

# What a certificate holds of its decision, and what of it the product mirrors.
FIELDS = (
    "certification",
    "ocop_stars",
    "ocop_group",
    "certifying_body",
    "certificate_no",
    "certified_on",
    "expires_on",
)
MIRRORED = (*FIELDS, "verified_on", "verified_at")
RECORDED = (*FIELDS, "verified_on")  # what an audit event says of a certificate
PRODUCT = Product.__table__
CERTIFICATE = ProductCertificate.__table__
ENTITY = "product_certificate"


def described(certificate: ProductCertificate | dict[str, Any]) -> dict[str, Any]:
    """A certificate as its audit events say it (values as the trail keeps them)."""
    get = certificate.get if isinstance(certificate, dict) else (lambda k: getattr(certificate, k))
    return {k: plain(get(k)) for k in RECORDED if get(k) is not None}


def certify(
    product: Product, actor: audit.Actor, provenance: str, fields: dict[str, Any], verified_on: date | None = None
) -> ProductCertificate:
    """Give the product a certificate (a new decision), verified from ``verified_on`` if given (the
    department's own record), else awaiting its check. Flushes, keeps the mirror, audits."""
    certificate = ProductCertificate(
        product_id=product.id,
        provenance=provenance,
        verified_on=verified_on,
        verified_at=utcnow() if verified_on else None,
        **{k: fields.get(k) for k in FIELDS},
    )
    db.session.add(certificate)
    db.session.flush()
    mirror(product)
    past.changed_from(past.earliest((certificate.certified_on, verified_on)), local_today())
    audit.record(actor, "create", ENTITY, certificate.id, None, described(certificate), provenance)
    return certificate


def correct(certificate: ProductCertificate, actor: audit.Actor, provenance: str, fields: dict[str, Any]) -> bool:
    """Correct a certificate still awaiting the department's check (an owner sends a declaration
    again, after a refusal or before the check); flushes, keeps the mirror, audits. False if nothing
    changed."""
    before = described(certificate)
    for key in FIELDS:
        setattr(certificate, key, fields.get(key))
    after = described(certificate)
    if after == before:
        return False
    db.session.flush()
    mirror(certificate.product)
    past.changed_from(past.earliest_in((before, after)), local_today())
    audit.record(actor, "update", ENTITY, certificate.id, before, after, provenance)
    return True


def certificate_dated(product: Product, certified_on: date) -> ProductCertificate | None:
    """The product's certificate of that day, if it has one (a second declaration of it is none new)."""
    return next((c for c in product.certificates if c.certified_on == certified_on), None)


def awaiting(product: Product, certificate_id: int | None = None) -> ProductCertificate | None:
    """The certificate a request to verify the product names (its latest still awaiting the check if
    it names none). A product kept before certificates were, with a certification date but no
    certificate, gets its certificate from its columns first."""
    if not product.certificates and product.certified_on is not None:
        db.session.add(
            ProductCertificate(
                product_id=product.id,
                provenance="backfill",
                verified_on=product.verified_on,
                verified_at=product.verified_at,
                **{k: getattr(product, k) for k in FIELDS},
            )
        )
        db.session.flush()
        db.session.refresh(product, ["certificates"])
    named = next((c for c in product.certificates if c.id == certificate_id), None)
    waiting = [c for c in product.certificates if c.verified_on is None]
    return named or (waiting[-1] if waiting else None)


def verify(certificate: ProductCertificate, actor: audit.Actor, day: date, provenance: str) -> bool:
    """The department checked the certificate: it counts from ``day``. One already verified keeps
    its day (a list the department imported may have verified it from its decision). Flushes,
    keeps the mirror, audits; False when there was nothing to change."""
    if certificate.verified_on is not None:
        return False
    certificate.verified_on, certificate.verified_at = day, utcnow()
    db.session.flush()
    mirror(certificate.product)
    past.changed_from(day, local_today())
    audit.record(actor, "update", ENTITY, certificate.id, {"verified_on": None}, described(certificate), provenance)
    return True


def _mirrored(certificate: Any) -> dict[str, Any]:
    return {k: getattr(certificate, k) for k in MIRRORED}


def mirror(product: Product) -> None:
    """The product's columns from its latest certificate (a product without one keeps its own)."""
    db.session.refresh(product, ["certificates"])
    latest = max(product.certificates, key=lambda c: (c.certified_on, c.id), default=None)
    if latest is not None:
        for key, value in _mirrored(latest).items():
            setattr(product, key, value)
    product.updated_at = utcnow()
    db.session.flush()


def mirror_all(product_ids: Iterable[int]) -> None:
    """The mirror of many products at once (an import's step, its undo, the demo's bulk load)."""
    ids = sorted(set(product_ids))
    for start in range(0, len(ids), 2000):
        part = ids[start : start + 2000]
        query = (
            select(CERTIFICATE.c.product_id, *(CERTIFICATE.c[k] for k in MIRRORED))
            .where(CERTIFICATE.c.product_id.in_(part))
            .order_by(CERTIFICATE.c.product_id, CERTIFICATE.c.certified_on, CERTIFICATE.c.id)
        )
        latest = {r.product_id: r for r in db.session.execute(query)}  # the last of each product wins
        if not latest:
            continue
        now = utcnow()
        statement = (
            update(PRODUCT)
            .where(PRODUCT.c.id == bindparam("b_id"))
            .values({k: bindparam(f"b_{k}") for k in (*MIRRORED, "updated_at")})
        )
        db.session.execute(
            statement,
            [
                {"b_id": i, "b_updated_at": now, **{f"b_{k}": v for k, v in _mirrored(r).items()}}
                for i, r in latest.items()
            ],
        )


# --- withdrawals ------------------------------------------------------------------------------------


def _refuse_day(day: date, earliest: date | None) -> None:
    if day > local_today():
        raise FieldErrors({"on": _l("The day cannot be in the future.")})
    if earliest is not None and day < earliest:
        raise FieldErrors({"on": _l("The product counted again from a later day: choose that day or after.")})


def _switch(product: Product, active: bool, withdrawn_on: date | None) -> bool:
    """Turn the product's flag only if no one turned it first: a conditional update whose row count
    decides, so two clicks on Withdraw (two requests reading the flag at once) open one withdrawal.
    Its row lock holds the other writer until this one commits, which then finds the flag turned."""
    changed = db.session.execute(
        update(Product)
        .where(Product.id == product.id, Product.is_active.is_(not active))
        .values(is_active=active, withdrawn_on=withdrawn_on, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(product, ["is_active", "withdrawn_on", "updated_at"])
    return changed == 1


def _searched(product: Product) -> None:
    """Search reads the names of the enterprise's products that count: a withdrawn one leaves it."""
    db.session.flush()
    refresh_search_text(product.enterprise)
    db.session.flush()


def withdraw(product: Product, actor: audit.Actor, provenance: str, on: date | None = None) -> bool:
    """The product no longer counts from ``on`` (today if not given) on. False if it was withdrawn
    already (by another request at the same moment too)."""
    if not product.is_active:
        return False
    on = on or local_today()
    returned = [w.returned_on for w in product.withdrawals if w.returned_on is not None]
    _refuse_day(on, max(returned, default=None))
    if not _switch(product, False, on):
        return False
    db.session.add(ProductWithdrawal(product_id=product.id, withdrawn_on=on, provenance=provenance))
    past.changed_from(on, local_today())
    _searched(product)
    audit.record(
        actor, "withdraw", "product", product.id, {"withdrawn_on": None}, {"withdrawn_on": on.isoformat()}, provenance
    )
    return True


def reinstate(product: Product, actor: audit.Actor, provenance: str, on: date | None = None) -> bool:
    """The product counts again from ``on`` (today if not given): the days since its withdrawal stay
    withdrawn. From the withdrawal's day or earlier the withdrawal is taken back whole. False if the
    product was not withdrawn (or another request put it back at the same moment)."""
    if product.is_active:
        return False
    on = on or local_today()
    _refuse_day(on, None)
    if not _switch(product, True, None):
        return False
    current = db.session.scalar(  # read again under the row's lock: what the flag's winner may change
        select(ProductWithdrawal)
        .where(ProductWithdrawal.product_id == product.id, ProductWithdrawal.returned_on.is_(None))
        .order_by(ProductWithdrawal.withdrawn_on.desc(), ProductWithdrawal.id.desc())
        .execution_options(populate_existing=True)
    )
    if current is None:  # a product withdrawn before withdrawals were dated: only its flag said it
        before, after = {"withdrawn_on": None}, {"withdrawn_on": None}
    else:
        before = {"withdrawn_on": current.withdrawn_on.isoformat()}
        if on <= current.withdrawn_on:
            db.session.delete(current)
            after = {"withdrawn_on": None}
        else:
            current.returned_on = on
            after = {"withdrawn_on": None, "returned_on": on.isoformat()}
    db.session.flush()
    db.session.refresh(product, ["withdrawals"])
    past.changed_from(past.earliest_in((before, {"on": on})), local_today())
    _searched(product)
    audit.record(actor, "reinstate", "product", product.id, before, after, provenance)
    return True
