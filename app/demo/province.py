"""The demo province: about 3,000 made-up enterprises of the former Phú Yên, products, listings, accounts.

One seed gives the same province every time (for a given as-of date); only the account passwords
and two-step secrets are random. Services flush; the CLI commits once.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, select

from app.demo import bulk, catalogue
from app.demo.accounts import DEMO_ACTOR, DemoAccount, create_demo_accounts, demo_users_exist
from app.demo.codes import codes_after, household_key, personal_id
from app.demo.composer import Composer, Draft
from app.demo.products import ProductMaker
from app.demo.tech import tech_firm
from app.extensions import db
from app.models import Enterprise, EnterpriseSolution, Listing, Product
from app.models.base import utcnow
from app.reference.services import load_reference_data
from app.registry.services import derive, refresh_search_text
from app.text import fold

PROVENANCE = "demo"
DEFAULT_SEED = 5401
ENTERPRISES = 3_000  # all units, household businesses and branches included
HOUSEHOLDS = 450  # 15 %
BRANCHES = 15
TECH_FIRMS = 40
STARTUPS = 12  # among the tech firms
OCOP_PRODUCTS = 220  # plus the region's marks: about 230 certified products in all
TAX_OFFICE_PREFIX = 44  # believed to be Phú Yên's (DOMAIN.md §3)


@dataclass(frozen=True)
class LoadResult:
    accounts: list[DemoAccount]
    enterprises: int
    households: int
    branches: int
    tech_firms: int
    products: int
    listings: int


def is_loaded() -> bool:
    """True when any demo enterprise or demo account exists: then the loader changes nothing."""
    return (
        bool(db.session.scalar(select(exists().where(Enterprise.provenance == PROVENANCE))))
        or demo_users_exist()
    )


def load_demo_province(seed: int = DEFAULT_SEED, as_of: date | None = None) -> LoadResult | None:
    """Build the demo province (flushes; the caller commits). None when it is already there."""
    if is_loaded():
        return None
    load_reference_data()
    as_of = as_of or date.today()
    rng = random.Random(seed)
    composer = Composer(rng, bulk.region(), as_of)
    companies, households = _drafts(composer)
    _number(rng, companies, households)
    branches = _branches(composer, companies)
    drafts = companies + branches + households

    now = utcnow()
    rows = [bulk.enterprise_row(derive(d.fields), PROVENANCE, now) for d in drafts]
    ids = bulk.insert_returning_ids(Enterprise.__table__, rows)
    bulk.insert_audit(bulk.audit_rows(rows, ids, DEMO_ACTOR, PROVENANCE, now))
    id_of = {row["public_key"]: id_ for row, id_ in zip(rows, ids, strict=True)}

    owned = _products(ProductMaker(rng, as_of), drafts, id_of)
    _index_product_names(owned)
    _declare_solutions(rng, drafts, id_of)
    listings = sum(len(p.listings) for p in owned)
    accounts = create_demo_accounts(_owner_enterprise(owned))
    return LoadResult(
        accounts, len(drafts), len(households), len(branches), TECH_FIRMS, len(owned), listings
    )


def _drafts(composer: Composer) -> tuple[list[Draft], list[Draft]]:
    """Companies (tech firms first) and household businesses, with no two names alike.

    Names are compared without their legal form, as the business registry does: "Công ty TNHH
    Thủy sản Hải Đăng" and "Công ty Cổ phần Thủy sản Hải Đăng" would be the same name.
    """
    taken: set[str] = set()

    def unique(make) -> Draft:
        for _ in range(200):
            draft = make()
            folded = fold(draft.short_name)
            if folded not in taken:
                taken.add(folded)
                return draft
        raise RuntimeError("Ran out of distinct demo names.")

    tech = [
        unique(lambda i=i: tech_firm(composer, startup=i < STARTUPS)) for i in range(TECH_FIRMS)
    ]
    firms = [
        unique(composer.draft) for _ in range(ENTERPRISES - HOUSEHOLDS - BRANCHES - TECH_FIRMS)
    ]
    households = [unique(lambda: composer.draft(household=True)) for _ in range(HOUSEHOLDS)]
    return tech + firms, households


def _number(rng: random.Random, companies: list[Draft], households: list[Draft]) -> None:
    """Codes in order of registration, as a tax office issues them; opaque keys for households."""
    used = set(
        db.session.scalars(
            select(Enterprise.public_key).where(
                Enterprise.public_key.like(f"{TAX_OFFICE_PREFIX}%")
                | Enterprise.public_key.like("HKD-%")
            )
        )
    )
    codes = (
        code
        for code in codes_after(TAX_OFFICE_PREFIX, 100_000, rng, max_gap=300)
        if code not in used
    )
    for draft in sorted(companies, key=lambda d: d.fields["founded_on"]):
        code = next(codes)
        draft.fields.update(code=code, public_key=code)
    existing = {key for key in used if key.startswith("HKD-")}
    for draft in households:
        key = household_key(rng)
        while key in existing:
            key = household_key(rng)
        existing.add(key)
        draft.fields.update(code=None, public_key=key, personal_id=personal_id(rng))


def _branches(composer: Composer, companies: list[Draft]) -> list[Draft]:
    """Branches of larger companies in other communes: the parent's code and -001."""
    rng = composer.rng
    parents = [
        d
        for d in companies
        if d.fields["legal_form"] in ("tnhh2", "cp")
        and d.fields["status"] == "active"
        and not d.fields.get("is_digital_tech")
    ]
    branches = []
    for parent in rng.sample(parents, BRANCHES):
        pf = parent.fields
        commune = composer.commune()
        for _ in range(20):  # somewhere other than the head office, if the region allows
            if commune.code != pf["commune_code"]:
                break
            commune = composer.commune()
        founded = pf["founded_on"] + timedelta(days=rng.randint(90, 3_000))
        code = f"{pf['code']}-001"
        fields = {
            "code": code,
            "public_key": code,
            "name": f"Chi nhánh {pf['name']} tại {commune.name}",
            "legal_form": "branch",
            "main_vsic": pf["main_vsic"],
            "commune_code": commune.code,
            "address": composer.address(parent.trade, commune, "branch"),
            "founded_on": min(founded, composer.as_of),
            "employees": rng.randint(2, 15),
            "revenue_vnd": None,
            "capital_vnd": None,
            "status": "active",
            "phone": pf["phone"],
            "email": None,
            "website": None,
        }
        branches.append(Draft(fields, parent.trade, parent.brand))
    return branches


def _products(maker: ProductMaker, drafts: list[Draft], id_of: dict[str, int]) -> list[Product]:
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
            product = maker.ocop_for(draft.trade.vsic, draft.brand, taken)
            if product and len(made) < OCOP_PRODUCTS:
                made.append((draft, product))
    mark_users: set[str] = set()
    for name, certification, vsic in catalogue.MARKS:
        owner = next(
            (
                d
                for d in eligible
                if d.trade.vsic == vsic and d.fields["public_key"] not in mark_users
            ),
            None,
        )
        if owner is None:
            continue
        mark_users.add(owner.fields["public_key"])
        made.append((owner, maker.mark(name, certification)))

    products = []
    for draft, fields in made:
        listings = maker.listings_for(fields)
        products.append(
            Product(
                enterprise_id=id_of[draft.fields["public_key"]],
                **fields,
                listings=[Listing(**listing) for listing in listings],
            )
        )
    db.session.add_all(products)
    db.session.flush()
    return products


def _index_product_names(products: list[Product]) -> None:
    """Make the products' names searchable with their makers ("tom hum" finds the lobster farm)."""
    for enterprise_id in {p.enterprise_id for p in products}:
        refresh_search_text(db.session.get(Enterprise, enterprise_id))
    db.session.flush()


# What each digital-technology line of business plausibly offers (solution categories).
SOLUTIONS_BY_VSIC = {
    "6201": ("website", "erp_crm", "accounting", "ecommerce"),
    "6202": ("consulting", "cybersecurity", "training", "erp_crm"),
    "6209": ("cybersecurity", "cloud", "training"),
    "6311": ("cloud", "data_analytics", "e_invoice"),
    "6312": ("website", "social_marketing", "ecommerce"),
    "5820": ("accounting", "e_invoice", "payments"),
    "6190": ("connectivity", "cloud"),
}


def _declare_solutions(rng: random.Random, drafts: list[Draft], id_of: dict[str, int]) -> None:
    """Demo providers declare two to four solution categories, so results can point at them."""
    for draft in drafts:
        offered = SOLUTIONS_BY_VSIC.get(draft.fields.get("main_vsic") or "")
        if not draft.fields.get("is_digital_tech") or not offered:
            continue
        chosen = rng.sample(offered, k=min(len(offered), rng.randint(2, 4)))
        for category in sorted(chosen):
            db.session.add(EnterpriseSolution(enterprise_id=id_of[draft.fields["public_key"]], category=category))
    db.session.flush()


def _owner_enterprise(products: list[Product]) -> Enterprise:
    """The company (not a household business) with the most products: the demo owner acts for it."""
    counts = Counter(p.enterprise_id for p in products)
    for enterprise_id, _ in counts.most_common():
        enterprise = db.session.get(Enterprise, enterprise_id)
        if enterprise.legal_form != "hkd":
            return enterprise
    raise RuntimeError("No demo enterprise has products.")
