"""Certified products, their certificates, listings and listing checks for the scale data, inserted
chunk by chunk.

A renewed OCOP product gets a certificate for each round from its first certification to its current
one (the maker's rounds: a renewal is the same round three years on), so a figure as of a past day
reads the certificate that held then; the product's columns are the current one (its mirror,
app/registry/product_history.py). An earlier round counts as verified from its decision's day, as
the department's own list would; the current one as the maker verified it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from app.demo import bulk, catalogue
from app.demo.composer import Draft
from app.demo.products import CHECKED_BY, ProductMaker
from app.demo.trades import TRADES
from app.models import Listing, ListingCheck, Product, ProductCertificate
from app.models.values import Certification
from app.registry.product_history import MIRRORED

PRODUCT_SHARE = 0.07  # of all enterprises; only food, farm, craft and tourism lines make them


def product_chance(household_share: float) -> float:
    """The chance that a draft of a product-making line of business gets a product, so that about
    PRODUCT_SHARE of all drafts do (from the trade weights)."""

    def share(weight) -> float:
        return sum(weight(t) for t in TRADES if t.vsic in catalogue.OCOP_TEMPLATES) / sum(weight(t) for t in TRADES)

    trade_share = (1 - household_share) * share(lambda t: t.weight) + household_share * share(
        lambda t: t.household_weight
    )
    return PRODUCT_SHARE / trade_share


def add_products(maker: ProductMaker, drafts: list[Draft], chance: float, now: datetime) -> tuple[int, int, int]:
    """Products for about PRODUCT_SHARE of the chunk, listings for part of them, and their checks.

    Returns (products, listings, checks).
    """
    rng = maker.rng
    owners: list[tuple[Draft, dict]] = []
    for draft in drafts:
        fields = draft.fields
        if (
            draft.trade.vsic in catalogue.OCOP_TEMPLATES
            and fields["legal_form"] != "branch"
            and fields["status"] == "active"
            and rng.random() < chance
        ):
            product = maker.ocop_for(draft.trade.vsic, draft.brand, set(), fields["registered_on"])
            if product:
                owners.append((draft, product))
    if not owners:
        return 0, 0, 0
    ids = bulk.ids_by_public_key(d.fields["public_key"] for d, _ in owners)
    listings = [maker.listings_for(p) for _, p in owners]
    firsts = [product.pop("first_certified_on", None) for _, product in owners]
    rows = [
        {
            **p,
            "enterprise_id": ids[d.fields["public_key"]],
            "created_at": p["verified_at"] or now,
            "updated_at": now,
        }
        for d, p in owners
    ]
    product_ids = bulk.insert_returning_ids(Product.__table__, rows)
    bulk.insert_rows(
        ProductCertificate.__table__,
        [
            certificate
            for (_, product), first, product_id in zip(owners, firsts, product_ids, strict=True)
            for certificate in certificates_of(maker, product, first, product_id, now)
        ],
    )
    listing_rows, checks = [], []
    for made, product_id in zip(listings, product_ids, strict=True):
        for listing in made:
            checks.append(listing.pop("checks"))
            listing_rows.append({**listing, "product_id": product_id, "updated_at": now})
    listing_ids = bulk.insert_returning_ids(Listing.__table__, listing_rows)
    check_rows = [
        {
            "listing_id": listing_id,
            "checked_on": day,
            "is_available": available,
            "checked_by_id": None,
            "checked_by_label": CHECKED_BY,
            "note": note,
            "created_at": now,
        }
        for listing_id, dated in zip(listing_ids, checks, strict=True)
        for day, available, note in dated
    ]
    bulk.insert_rows(ListingCheck.__table__, check_rows)
    return len(rows), len(listing_rows), len(check_rows)


def certificates_of(
    maker: ProductMaker, product: dict[str, Any], first: Any, product_id: int, now: datetime
) -> list[dict[str, Any]]:
    """The product's certificate rows: each earlier OCOP round (the maker's cached rounds, read again
    without drawing), then the current one its columns hold."""
    current = {k: product[k] for k in MIRRORED}
    rows = []
    day, stars = first or product["certified_on"], product["ocop_stars"]
    while product["certification"] == Certification.OCOP and day < product["certified_on"] and len(rows) < 10:
        day, decision = maker._round(stars, day.year, day.month)  # a round of the maker: cached, no draw
        rows.append(
            {
                **current,
                "certifying_body": catalogue.ocop_certifier(stars, day.year, day.month),
                "certificate_no": f"Quyết định số {decision}",
                "certified_on": day,
                "verified_on": day,
                "verified_at": datetime.combine(day, time(3, 0), tzinfo=UTC),  # 10:00 in the province
            }
        )
        day = maker._round(stars, day.year + 3, day.month)[0]
    rows.append(current)
    return [{**r, "product_id": product_id, "provenance": "generated", "created_at": now} for r in rows]
