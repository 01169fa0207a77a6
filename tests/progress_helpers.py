"""Hand-built data for the progress indicators: enterprises, attempts, products and listing checks
with the dates the indicators read, made through the app's services and then dated."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, date, datetime, time

from app.extensions import db
from app.models import Assessment, Listing, ListingCheck, Product, ProductCertificate
from app.registry import product_history
from app.text import fold
from tests.factories import make_enterprise

_seq = itertools.count(1)
LONG_AGO = date(2020, 1, 1)


def at_noon(day: date) -> datetime:
    """Noon in Vietnam on the day (05:00 UTC): well inside the day whatever the time zone."""
    return datetime.combine(day, time(5, 0), tzinfo=UTC)


def enterprise(registered_on: date = LONG_AGO, ceased_on: date | None = None, **fields):
    """An enterprise (an SME by default: a micro company of Tuy Hòa) that came into existence on
    ``registered_on`` (its first registration) and, if given, ceased on ``ceased_on``."""
    n = next(_seq)
    fields.setdefault("name", f"Công ty TNHH Thử Nghiệm Số {n}")
    fields.setdefault("founded_on", registered_on)
    if ceased_on is not None:
        fields.setdefault("status", "dissolved")
        fields["ceased_on"] = ceased_on
    return make_enterprise(**fields)


def attempt(e, submitted_on: date, level: int, counted: bool = True, instrument: str = "dbi-sme") -> Assessment:
    """A submitted attempt of the enterprise at a level; counted as linked by a verified member."""
    moment = at_noon(submitted_on)
    a = Assessment(
        public_id=secrets.token_hex(8),
        resume_token_hash=secrets.token_hex(32),
        instrument_id=instrument,
        instrument_version=1,
        enterprise_id=e.id,
        status="submitted",
        answers={},
        started_at=moment,
        submitted_at=moment,
        counts_toward_indicators=counted,
        overall_level=level,
        total_share=level / 5,
        counted_at=moment if counted else None,
    )
    db.session.add(a)
    db.session.commit()
    return a


def product(
    e,
    certified_on: date | None,
    verified_on: date | None,
    certification: str = "ocop",
    stars: int = 3,
    group: str = "food",
    expires_on: date | None = None,
    created_on: date | None = None,
) -> Product:
    name = f"Sản phẩm {next(_seq)}"
    p = Product(
        enterprise_id=e.id,
        name=name,
        name_folded=fold(name),
        certification=certification,
        ocop_stars=stars if certification == "ocop" else None,
        ocop_group=group if certification == "ocop" else None,
        certified_on=certified_on,
        expires_on=expires_on,
        verified_at=at_noon(verified_on) if verified_on else None,
        verified_on=verified_on,
        created_at=at_noon(created_on or certified_on or LONG_AGO),
    )
    db.session.add(p)
    db.session.flush()
    if certified_on is not None:  # the certificate the figures read (app/registry/certificates.py)
        db.session.add(
            ProductCertificate(
                product_id=p.id,
                **{k: getattr(p, k) for k in product_history.MIRRORED},
                provenance="test",
                created_at=p.created_at,
            )
        )
    db.session.commit()
    return p


def listing(p, *checks: tuple[date, bool], platform: str = "shopee") -> Listing:
    item = Listing(product_id=p.id, platform_code=platform, url=f"https://shopee.vn/san-pham-i.{p.id}.{next(_seq)}")
    db.session.add(item)
    db.session.flush()
    for day, available in checks:
        db.session.add(
            ListingCheck(listing_id=item.id, checked_on=day, is_available=available, checked_by_label="test")
        )
    available_days = [day for day, ok in checks if ok]
    item.last_verified_on = max(available_days) if available_days else None
    db.session.commit()
    return item
