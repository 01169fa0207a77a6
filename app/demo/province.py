"""The demo province: about 3,000 made-up enterprises of the former Phú Yên, products, listings, accounts.

Its history since the plan began in January 2023 is dated, so the progress dashboard has something
true to show as of any day: when records entered the registry and ceased, when labels were
verified, who assessed their readiness and when, when certificates were issued, verified and
expired, when listings were found and checked, and what the department reported on T1–T3.

One seed gives the same province every time (for a given as-of date); only the account passwords,
two-step secrets and assessment links are random. Services flush; the CLI commits once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, select

from app.demo import bulk, certified, history, members, reported
from app.demo.accounts import DEMO_ACTOR, DemoAccount, demo_users_exist
from app.demo.codes import codes_after, household_key, personal_id
from app.demo.composer import Composer, Draft
from app.demo.products import ProductMaker
from app.demo.tech import declare_solutions, tech_firm
from app.extensions import db
from app.models import Enterprise
from app.models.base import utcnow
from app.reference.services import load_reference_data
from app.registry.services import derive
from app.targets.loader import load_targets
from app.text import fold

PROVENANCE = "demo"
DEFAULT_SEED = 5401
ENTERPRISES = 3_000  # all units, household businesses and branches included
HOUSEHOLDS = 450  # 15 %
BRANCHES = 15
TECH_FIRMS = 62
STARTUPS = 12  # among the tech firms
EARLY_LABELS = 15  # tech firms the department had verified before the plan began
UNVERIFIED_LABELS = 3  # tech firms whose label the department has not decided yet
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
    checks: int
    pending_products: int
    people: members.Members
    reported_values: int


def is_loaded() -> bool:
    """True when any demo enterprise or demo account exists: then the loader changes nothing."""
    return bool(db.session.scalar(select(exists().where(Enterprise.provenance == PROVENANCE)))) or demo_users_exist()


def load_demo_province(seed: int = DEFAULT_SEED, as_of: date | None = None) -> LoadResult | None:
    """Build the demo province (flushes; the caller commits). None when it is already there."""
    if is_loaded():
        return None
    load_reference_data()
    load_targets()  # the indicators the reported values belong to
    as_of = as_of or date.today()
    rng = random.Random(seed)
    composer = Composer(rng, bulk.region(), as_of)
    companies, households = _drafts(composer)
    _number(rng, companies, households)
    branches = _branches(composer, companies)
    drafts = companies + branches + households
    _date(_rng(seed, "history"), drafts, as_of)

    now = utcnow()
    rows = [_row(d, now) for d in drafts]
    ids = bulk.insert_returning_ids(Enterprise.__table__, rows)
    bulk.insert_audit(bulk.audit_rows(rows, ids, DEMO_ACTOR, PROVENANCE))
    bulk.insert_history(rows, ids, as_of)
    id_of = {row["public_key"]: id_ for row, id_ in zip(rows, ids, strict=True)}

    owned = certified.make_products(ProductMaker(_rng(seed, "products"), as_of), drafts, id_of)
    certified.index_product_names(owned)
    declare_solutions(_rng(seed, "solutions"), drafts, id_of)
    pending = certified.hold_for_review(_rng(seed, "reviews"), owned, as_of)
    people = members.enrol(_rng(seed, "people"), rows, ids, owned, pending, as_of)
    values = reported.add_reported_values(as_of)
    bulk.forget_progress_snapshots()
    listings = [listing for p in owned for listing in p.listings]
    return LoadResult(
        people.accounts,
        len(drafts),
        len(households),
        len(branches),
        TECH_FIRMS,
        len(owned),
        len(listings),
        sum(len(listing.checks) for listing in listings),
        len(pending),
        people,
        values,
    )


def _rng(seed: int, part: str) -> random.Random:
    """A generator of its own for each part, so that tuning one part leaves the others as they were."""
    return random.Random(f"{seed}:{part}")


def _row(draft: Draft, now) -> dict:
    row = bulk.enterprise_row(derive(draft.fields), PROVENANCE, now)
    row["created_at"] = history.morning_of(row["registered_on"])
    return row


def _date(rng: random.Random, drafts: list[Draft], as_of: date) -> None:
    """Registration and cessation days for all; verification days for the labels of the tech firms."""
    for draft in drafts:
        history.date_record(rng, draft.fields, as_of)
    tech = [d.fields for d in drafts if d.fields.get("is_digital_tech")]
    settled = [i for i, f in enumerate(tech) if not f.get("is_startup") and f["registered_on"] < date(2022, 10, 1)]
    early = set(rng.sample(settled, k=min(EARLY_LABELS, len(settled))))
    for i, fields in enumerate(tech):
        history.date_labels(rng, fields, as_of, early=i in early)
    undecided = [f for i, f in enumerate(tech) if i not in early and not f.get("is_startup")]
    for fields in rng.sample(undecided, k=min(UNVERIFIED_LABELS, len(undecided))):
        history.leave_unverified(fields)


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

    tech = [unique(lambda i=i: tech_firm(composer, startup=i < STARTUPS)) for i in range(TECH_FIRMS)]
    firms = [unique(composer.draft) for _ in range(ENTERPRISES - HOUSEHOLDS - BRANCHES - TECH_FIRMS)]
    households = [unique(lambda: composer.draft(household=True)) for _ in range(HOUSEHOLDS)]
    return tech + firms, households


def _number(rng: random.Random, companies: list[Draft], households: list[Draft]) -> None:
    """Codes in order of registration, as a tax office issues them; opaque keys for households."""
    used = set(
        db.session.scalars(
            select(Enterprise.public_key).where(
                Enterprise.public_key.like(f"{TAX_OFFICE_PREFIX}%") | Enterprise.public_key.like("HKD-%")
            )
        )
    )
    codes = (code for code in codes_after(TAX_OFFICE_PREFIX, 100_000, rng, max_gap=300) if code not in used)
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
