"""Certified products of the demo province: OCOP products, the region's marks, listings and checks.

The products are made from the seed as plain values (``Made``): the department's OCOP list and the
region's marks go into the products file, their listings and checks into the listings file
(app/demo/files.py). A dozen of the newest certificates were declared by their owners and still
wait for the department: they are no line of its lists; their owners declare them through the
owners' form's service once the owners exist (a pending review request each), with the listings
they recorded and checked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app import audit
from app.demo import catalogue
from app.demo.accounts import DEMO_ACTOR
from app.demo.composer import Draft
from app.demo.history import at_office_hours
from app.demo.products import ProductMaker
from app.directory import owner
from app.extensions import db
from app.models import Enterprise, Listing, ListingCheck, Product, User
from app.registry import product_history, reviews
from app.text import fold

OCOP_PRODUCTS = 220  # plus the region's marks: about 230 certified products in all
PENDING_DECLARATIONS = 12
# What an owner types on the form declaring a certificate (app/directory/owner.add_product).
DECLARED = ("name", *product_history.FIELDS)


@dataclass
class Made:
    """A certified product as the seed makes it: its maker, its certificate and its listings (each
    with its checks: (day, still selling, note))."""

    index: int  # the order it was made in
    owner: Draft
    fields: dict[str, Any]
    listings: list[dict[str, Any]]
    pending: bool = False  # declared by its owner, awaiting the department's check
    enterprise_id: int | None = None  # once the registry is imported


def make_products(maker: ProductMaker, drafts: list[Draft]) -> list[Made]:
    """OCOP products for food, farm, craft and tourism businesses; the region's marks; listings.

    Every draw of the generator is made as it always was (the moments that were once written for
    listings and checks included), so that a seed gives the same products, days and listings.
    """
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
        owner_draft = next(
            (d for d in eligible if d.trade.vsic == vsic and d.fields["public_key"] not in mark_users),
            None,
        )
        if owner_draft is None:
            continue
        mark_users.add(owner_draft.fields["public_key"])
        made.append((owner_draft, maker.mark(name, certification, owner_draft.fields["registered_on"])))

    products = []
    for index, (draft, fields) in enumerate(made):
        listings = [_listing(rng, listing) for listing in maker.listings_for(fields)]
        fields.pop("first_certified_on", None)
        if fields["verified_at"] is None:
            at_office_hours(rng, fields["certified_on"])  # the moment its row was once dated: a draw kept
        products.append(Made(index, draft, fields, listings))
    for product in _newest_ocop(products)[:PENDING_DECLARATIONS]:
        product.pending = True
    return products


def _listing(rng: random.Random, fields: dict) -> dict:
    """The listing with the moment of each check (the owners' checks of a declared product are dated so)."""
    fields["checked_at"] = [at_office_hours(rng, day) for day, _available, _note in fields["checks"]]
    return fields


def _newest_ocop(products: list[Made]) -> list[Made]:
    return sorted(
        (p for p in products if p.fields["certification"] == "ocop"),
        key=lambda p: (p.fields["certified_on"], p.index),
        reverse=True,
    )


def pending_newest_first(products: list[Made]) -> list[Made]:
    """The declarations awaiting review, newest certificate first (the order they are dealt with)."""
    return [p for p in _newest_ocop(products) if p.pending]


def describe(products: list[Made]) -> int:
    """The descriptions the owners wrote of their listed products (a list carries none): each an
    audited change of the product (flushes). Returns how many."""
    wanted = {
        (p.enterprise_id, p.fields["certification"], fold(p.fields["name"])): p.fields["description"]
        for p in products
        if not p.pending and p.fields.get("description")
    }
    owners = sorted({key[0] for key in wanted})
    found = 0
    for start in range(0, len(owners), 2000):
        query = select(Product).where(Product.enterprise_id.in_(owners[start : start + 2000]), Product.is_active)
        for product in db.session.scalars(query.order_by(Product.id)):
            text = wanted.get((product.enterprise_id, product.certification, product.name_folded))
            if text and product.description != text:
                audit.record(
                    DEMO_ACTOR, "update", "product", product.id, {"description": None}, {"description": text}, "demo"
                )
                product.description = text
                found += 1
    db.session.flush()
    return found


def declaration_days(rng: random.Random, pending: list[Made], as_of: date) -> dict[int, date]:
    """The day each owner declared a pending certificate (a few days after it was issued)."""
    return {p.index: min(p.fields["certified_on"] + timedelta(days=rng.randint(2, 20)), as_of) for p in pending}


def declare(
    rng: random.Random,
    pending: list[Made],
    days: dict[int, date],
    members: dict[int, tuple[int, datetime]],
) -> None:
    """Each pending certificate declared by the enterprise's verified member after their claim was
    approved, through the owners' service (registry.reviews.declare_product: a pending
    "certification" review), dated the day it was declared (flushes)."""
    for made in pending:
        user_id, approved = members[made.enterprise_id]
        declared = max(at_office_hours(rng, days[made.index]), approved + timedelta(hours=2))
        user = db.session.get(User, user_id)
        enterprise = db.session.get(Enterprise, made.enterprise_id)
        fields = made.fields
        product = owner.add_product(
            enterprise,
            audit.Actor.of(user),
            {k: fields.get(k) for k in DECLARED},
        )
        product.description = fields.get("description")
        review = reviews.declare_product(user, enterprise, product)
        product.created_at = review.created_at = declared
        for listing in made.listings:
            _list(product, listing, user)
    db.session.flush()


def _list(product: Product, fields: dict[str, Any], user: User) -> None:
    """A listing the owner recorded with the product, and the dated checks they made of it (the
    department's listings file names only the products it verified). Audited as the owners' form does."""
    actor = audit.Actor.of(user)
    listing = Listing(
        product_id=product.id,
        platform_code=fields["platform_code"],
        url=fields["url"],
        last_verified_on=fields["last_verified_on"],
        created_at=fields["created_at"],
    )
    db.session.add(listing)
    db.session.flush()
    audit.record(actor, "create", "listing", listing.id, None, {"product": product.id, "url": listing.url})
    for (day, available, note), moment in zip(fields["checks"], fields["checked_at"], strict=True):
        db.session.add(
            ListingCheck(
                listing_id=listing.id,
                checked_on=day,
                is_available=available,
                checked_by_id=user.id,
                checked_by_label=actor.label[:100],
                note=note,
                created_at=moment,
            )
        )
        audit.record(
            actor,
            "check",
            "listing",
            listing.id,
            None,
            {"url": listing.url, "checked_on": day.isoformat(), "is_available": available},
        )


def first_pending_day(days: dict[int, date], pending: list[Made]) -> dict[int, date]:
    """Per enterprise, the first day one of its products was declared (its owner was verified before)."""
    first: dict[int, date] = {}
    for product in pending:
        day = days[product.index]
        first[product.enterprise_id] = min(first.get(product.enterprise_id, day), day)
    return first
