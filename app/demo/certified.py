"""Certified products of the demo province: OCOP products, the region's marks, listings and checks.

A dozen of the newest certificates were declared by their owners and still wait for the
department: their products carry no verification date and a pending review request each.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from app.demo import catalogue
from app.demo.composer import Draft
from app.demo.history import at_office_hours
from app.demo.products import CHECKED_BY, ProductMaker
from app.extensions import db
from app.models import Enterprise, Listing, ListingCheck, Product, ReviewRequest
from app.registry.services import refresh_search_text

OCOP_PRODUCTS = 220  # plus the region's marks: about 230 certified products in all
PENDING_DECLARATIONS = 12


def make_products(maker: ProductMaker, drafts: list[Draft], id_of: dict[str, int]) -> list[Product]:
    """OCOP products for food, farm, craft and tourism businesses; the region's marks; listings."""
    rng = maker.rng
    eligible = [
        d
        for d in drafts
        if d.fields["status"] == "active"
        and d.fields["legal_form"] != "branch"
        and not d.fields.get("is_digital_tech")
        and d.trade.vsic in catalogue.OCOP_TEMPLATES
    ]
    rng.shuffle(eligible)
    made: list[tuple[Draft, dict]] = []
    taken: set[str] = set()
    for draft in eligible:
        if len(made) >= OCOP_PRODUCTS:
            break
        for _ in range(1 if rng.random() < 0.62 else 2 if rng.random() < 0.75 else 3):
            product = maker.ocop_for(draft.trade.vsic, draft.brand, taken, draft.fields["registered_on"])
            if product and len(made) < OCOP_PRODUCTS:
                made.append((draft, product))
    mark_users: set[str] = set()
    for name, certification, vsic in catalogue.MARKS:
        owner = next(
            (d for d in eligible if d.trade.vsic == vsic and d.fields["public_key"] not in mark_users),
            None,
        )
        if owner is None:
            continue
        mark_users.add(owner.fields["public_key"])
        made.append((owner, maker.mark(name, certification, owner.fields["registered_on"])))

    products = []
    for draft, fields in made:
        listings = [_listing(rng, listing) for listing in maker.listings_for(fields)]
        fields.pop("first_certified_on", None)
        products.append(
            Product(
                enterprise_id=id_of[draft.fields["public_key"]],
                **fields,
                created_at=fields["verified_at"] or at_office_hours(rng, fields["certified_on"]),
                listings=listings,
            )
        )
    db.session.add_all(products)
    db.session.flush()
    return products


def _listing(rng: random.Random, fields: dict) -> Listing:
    checks = fields.pop("checks")
    return Listing(
        **fields,
        checks=[
            ListingCheck(
                checked_on=day,
                is_available=available,
                checked_by_label=CHECKED_BY,
                note=note,
                created_at=at_office_hours(rng, day),
            )
            for day, available, note in checks
        ],
    )


def index_product_names(products: list[Product]) -> None:
    """Make the products' names searchable with their makers ("tom hum" finds the lobster farm)."""
    for enterprise_id in {p.enterprise_id for p in products}:
        refresh_search_text(db.session.get(Enterprise, enterprise_id))
    db.session.flush()


def hold_for_review(rng: random.Random, products: list[Product], as_of: date) -> list[Product]:
    """The newest OCOP certificates, declared by their owners, wait for the department (flushes).

    Any other certificate whose check would fall after ``as_of`` is taken as checked the day before.
    """
    newest = sorted(
        (p for p in products if p.certification == "ocop"),
        key=lambda p: (p.certified_on, p.id),
        reverse=True,
    )
    pending = newest[:PENDING_DECLARATIONS]
    for product in pending:
        product.verified_at = product.verified_on = None
    held = {p.id for p in pending}
    for product in products:
        if product.verified_at is None and product.id not in held:
            day = max(product.certified_on, as_of - timedelta(days=1))
            product.verified_at, product.verified_on = at_office_hours(rng, day), day
    db.session.flush()
    return pending


def declaration_days(rng: random.Random, pending: list[Product], as_of: date) -> dict[int, date]:
    """The day each owner declared a pending certificate (a few days after it was issued)."""
    return {p.id: min(p.certified_on + timedelta(days=rng.randint(2, 20)), as_of) for p in pending}


def declare(
    rng: random.Random,
    pending: list[Product],
    days: dict[int, date],
    members: dict[int, tuple[int, datetime]],
) -> None:
    """One pending "certification" review per declared product, as registry.reviews.declare_product
    makes, requested by the enterprise's verified member after their claim was approved."""
    for product in pending:
        user_id, approved = members[product.enterprise_id]
        declared = max(at_office_hours(rng, days[product.id]), approved + timedelta(hours=2))
        product.created_at = declared
        db.session.add(
            ReviewRequest(
                kind="certification",
                enterprise_id=product.enterprise_id,
                requested_by_id=user_id,
                payload={"product_id": product.id},
                state="pending",
                created_at=declared,
            )
        )
    db.session.flush()


def first_pending_day(days: dict[int, date], pending: list[Product]) -> dict[int, date]:
    """Per enterprise, the first day one of its products was declared (its owner was verified before)."""
    first: dict[int, date] = {}
    for product in pending:
        day = days[product.id]
        first[product.enterprise_id] = min(first.get(product.enterprise_id, day), day)
    return first
