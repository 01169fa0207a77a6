"""The demo province: about 3,000 made-up enterprises of the former Phú Yên, products, listings, accounts.

Its history since the plan began in January 2023 is dated, so the progress dashboard has something
true to show as of any day: when records came into existence and ceased, when labels were verified,
who assessed their readiness and when, when certificates were issued and expired, when listings
were found and checked, and what the department reported on T1–T3.

It comes in the way a department's own data does on its first day: the seed makes the province, the
files a department would have are written from it in the import formats (app/demo/files.py) — the
registry with its registration, suspension and cessation days, the labels it verified, the OCOP list
and the region's marks, the listings and their checks, an earlier survey's results — and each is
imported through the import service, kind by kind (app/demo/loading.py). What no file carries is
written afterwards as today: what firms say of themselves, owner accounts and their claims,
declarations awaiting review, assessment attempts with their answers, the reported values.

One seed gives the same province every time (for a given as-of date); only the account passwords,
two-step secrets, assessment links and the household businesses' keys on the site (the import makes
them) are random. Like an import, the load is a job of many transactions (app/edge.py), each
committed at its end: the caller has nothing pending when it calls it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import exists, select

from app.demo import bulk, certified, files, history, members, reported, survey
from app.demo.accounts import DEMO_ACTOR, DemoAccount, demo_users_exist
from app.demo.codes import codes_after, household_key, personal_id
from app.demo.composer import Composer, Draft
from app.demo.loading import Files, Imported, Record, mark_as_demo, records_of
from app.demo.products import ProductMaker
from app.demo.tech import declare_solutions, declare_themselves, tech_firm
from app.edge import reading, unit_of_work
from app.errors import ServiceError
from app.extensions import db
from app.i18n import local_today
from app.models import Enterprise, Platform
from app.reference.services import load_reference_data
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
    imported: list[Imported]  # the files, in the order they were imported, and their batches
    past_results: int  # of the earlier survey


@dataclass(frozen=True)
class Province:
    """What the seed makes, before anything is written."""

    as_of: date
    drafts: list[Draft]  # companies (tech firms first), branches, household businesses
    households: int
    branches: int
    products: list[certified.Made]


class FutureDay(ServiceError):
    """The demo is dated as of a day to come: its files would hold days an import refuses."""


def is_loaded() -> bool:
    """True when any demo enterprise or demo account exists: then the loader changes nothing."""
    return bool(db.session.scalar(select(exists().where(Enterprise.provenance == PROVENANCE)))) or demo_users_exist()


def load_demo_province(
    seed: int = DEFAULT_SEED, as_of: date | None = None, files_dir: Path | None = None
) -> LoadResult | None:
    """Build the demo province through the imports (see the module's docstring). None when it is
    already there. ``files_dir``: where to keep the files it imported."""
    with unit_of_work():
        if is_loaded():
            return None
        load_reference_data()
        load_targets()  # the indicators the reported values belong to
    today = local_today()
    as_of = as_of or today
    if as_of > today:
        raise FutureDay(f"The demo is loaded through imports, which take no day after today ({today:%Y-%m-%d}).")
    with reading():
        province = compose(seed, as_of)
    return _bring(province, seed, Files(files_dir))


def compose(seed: int, as_of: date) -> Province:
    """The province the seed makes, as of the day (reads the region and the codes already taken)."""
    rng = random.Random(seed)
    composer = Composer(rng, bulk.region(), as_of)
    companies, households = _drafts(composer)
    _number(rng, companies, households)
    branches = _branches(composer, companies)
    drafts = companies + branches + households
    _date(_rng(seed, "history"), drafts, as_of)
    products = certified.make_products(ProductMaker(_rng(seed, "products"), as_of), drafts)
    return Province(as_of, drafts, len(households), len(branches), products)


def _bring(province: Province, seed: int, brought: Files) -> LoadResult:
    """Import the files in the order their facts need each other, and write what no file carries."""
    drafts, products, as_of = province.drafts, province.products, province.as_of
    # 1. The registry: every record, counted from its first registration to its cessation.
    batch = brought.bring("registry", files.registry_file(drafts))
    with unit_of_work():
        mark_as_demo(batch, PROVENANCE)
        found = records_of(batch)
        id_of = {d.fields["public_key"]: found[files.key_in_files(d.fields)].id for d in drafts}
        declare_solutions(_rng(seed, "solutions"), drafts, id_of)
        declare_themselves(drafts, id_of, DEMO_ACTOR)
    # 2. The labels the department verified, each from its day.
    brought.bring("labels", files.labels_file(drafts))
    # 3. The OCOP list and the region's marks (the declarations awaiting review are no line of it).
    for product in products:
        product.enterprise_id = id_of[product.owner.fields["public_key"]]
    listed = [p for p in products if not p.pending]
    brought.bring("products", files.products_file(files.product_row(_key(p), p.fields) for p in listed))
    # What no file carries: owners and their claims, attempts, declarations, reported values.
    rows = _story_rows(drafts, found)
    ids = [id_of[d.fields["public_key"]] for d in drafts]
    with unit_of_work():
        certified.describe(products)
        people = members.enrol(_rng(seed, "people"), rows, ids, products, as_of)
        values = reported.add_reported_values(as_of)
        platforms = dict(db.session.execute(select(Platform.code, Platform.name)).all())
    # 4. The listings of the listed products and their dated checks.
    checks = [line for p in listed for line in files.listing_rows(_key(p), p.fields, p.listings, platforms)]
    if checks:
        brought.bring("listings", files.listings_file(checks))
    # 5. An earlier survey's results (external: they count toward T5 only if the setting says so).
    tiers = {d.fields["public_key"]: row["size_tier"] for d, row in zip(drafts, rows, strict=True)}
    past = survey.results(_rng(seed, "survey"), drafts, tiers)
    if past:
        brought.bring("results", files.results_file(past))
    with unit_of_work():
        bulk.forget_progress_snapshots()
    listings = [listing for p in products for listing in p.listings]
    checked = sum(len(listing["checks"]) for listing in listings)
    return LoadResult(
        people.accounts,
        len(drafts),
        province.households,
        province.branches,
        TECH_FIRMS,
        len(products),
        len(listings),
        checked,
        sum(p.pending for p in products),
        people,
        values,
        brought.imported,
        len(past),
    )


def _key(product: certified.Made) -> str:
    return files.key_in_files(product.owner.fields)


def _story_rows(drafts: list[Draft], found: dict[str, Record]) -> list[dict]:
    """The records as the seed made them, with their keys on the site and the size the import gave
    them: what the owners, claims and attempts are made from (``registered_on``: the day each entered
    the department's registry in the story, after which its owner claims it and takes the assessment)."""
    rows = []
    for draft in drafts:
        record = found[files.key_in_files(draft.fields)]
        rows.append(
            {
                **bulk.ENTERPRISE_DEFAULTS,
                **draft.fields,
                "public_key": record.public_key,
                "size_tier": record.size_tier,
            }
        )
    return rows


def _rng(seed: int, part: str) -> random.Random:
    """A generator of its own for each part, so that tuning one part leaves the others as they were."""
    return random.Random(f"{seed}:{part}")


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
    people: set[str] = set()  # one household business per person, as the files name them by it
    for draft in households:
        key = household_key(rng)
        while key in existing:
            key = household_key(rng)
        existing.add(key)
        draft.fields.update(code=None, public_key=key, personal_id=_person(rng, people))
    registered = set(
        db.session.scalars(select(Enterprise.personal_id).where(Enterprise.personal_id.in_(sorted(people))))
    )
    for draft in households:  # a person the registry already has: another one (rare)
        if draft.fields["personal_id"] in registered:
            draft.fields["personal_id"] = _person(rng, people | registered)
            people.add(draft.fields["personal_id"])


def _person(rng: random.Random, taken: set[str]) -> str:
    """A personal ID no other household business of the files or the registry is registered under."""
    found = personal_id(rng)
    while found in taken:
        found = personal_id(rng)
    taken.add(found)
    return found


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
