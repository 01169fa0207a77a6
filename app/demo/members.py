"""Who acts for the demo's enterprises, and what they did: assessments and product declarations.

The demo owner acts for the company with the most certified products and the startup manager for
a startup that seeks funding; both took the DBI for their enterprise before. Every other assessed
enterprise, and every one that declared a certificate, gets a bulk owner (owners.py) whose claim the
department approved before the owner's first act.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from app.assessment.catalog import instruments
from app.demo import attempts, certified, owners
from app.demo.accounts import DemoAccount, create_demo_accounts
from app.demo.history import at_office_hours
from app.extensions import db
from app.models import Enterprise

DBI = "dbi-sme"
QUICK_CHECK = "quick-check"


@dataclass(frozen=True)
class Members:
    accounts: list[DemoAccount]
    owners: int  # bulk owner accounts
    assessed: int  # enterprises with a counted attempt
    attempts: int  # counted dbi-sme attempts
    quick_checks: int


def enrol(
    rng: random.Random,
    rows: list[dict],
    ids: list[int],
    products: list[certified.Made],
    as_of: date,
) -> Members:
    """Create the accounts and owners, then the attempts and declarations they made (flushes).

    ``rows`` are the records as the seed made them, with the day each entered the department's
    registry in the story (``registered_on``): claims are approved and attempts taken after it.
    """
    registry = instruments()
    dbi, quick = registry.current(DBI), registry.current(QUICK_CHECK)
    registered = {id_: row["registered_on"] for row, id_ in zip(rows, ids, strict=True)}
    owner_company = _owner_enterprise([p.enterprise_id for p in products])
    startup = _managed_startup(rows, ids)
    pending = certified.pending_newest_first(products)
    firms = attempts.firms_of(rows, ids)
    planned = attempts.plan(rng, firms, as_of, must=(owner_company.id, startup.id))
    declared = certified.declaration_days(rng, pending, as_of)

    needed_by = {enterprise_id: tries[0][0] for enterprise_id, tries in planned.items()}
    for enterprise_id, day in certified.first_pending_day(declared, pending).items():
        needed_by[enterprise_id] = min(needed_by.get(enterprise_id, day), day)

    acts_for = {}
    for purpose, company in (("owner", owner_company), ("startup manager", startup)):
        day = needed_by.get(company.id, as_of) - timedelta(days=rng.randint(5, 40))
        acts_for[purpose] = (company, at_office_hours(rng, max(registered[company.id], day)))
    accounts = create_demo_accounts(acts_for)
    members = {acts_for[a.role][0].id: (a.user_id, acts_for[a.role][1]) for a in accounts if a.role in acts_for}
    keys = {id_: row["public_key"] for row, id_ in zip(rows, ids, strict=True)}
    claims = [
        owners.Claim(enterprise_id, keys[enterprise_id], registered[enterprise_id], day)
        for enterprise_id, day in needed_by.items()
        if enterprise_id not in members
    ]
    members.update(owners.create_owners(rng, claims))

    counted = attempts.insert(rng, dbi, planned, members)
    quick_checks = attempts.quick_checks(rng, quick, as_of) if quick else 0
    certified.declare(rng, pending, declared, members)
    return Members(accounts, len(claims), len(planned), counted, quick_checks)


def _owner_enterprise(owners: list[int]) -> Enterprise:
    """The company (not a household business) with the most products (``owners``: the maker of each
    product, in the order they were made): the demo owner acts for it."""
    counts = Counter(owners)
    for enterprise_id, _ in counts.most_common():
        enterprise = db.session.get(Enterprise, enterprise_id)
        if enterprise.legal_form != "hkd":
            return enterprise
    raise RuntimeError("No demo enterprise has products.")


def _managed_startup(rows: list[dict], ids: list[int]) -> Enterprise:
    """A verified startup past its first customers that seeks funding: the startup manager's."""
    startups = sorted(
        (row["public_key"], id_, row)
        for row, id_ in zip(rows, ids, strict=True)
        if row["is_startup"] and row["startup_verification"] == "verified"
    )
    if not startups:
        raise RuntimeError("No verified demo startup.")
    chosen = next(
        (id_ for _, id_, row in startups if row["stage"] in ("early_revenue", "growth") and row["funding_sought_vnd"]),
        startups[0][1],
    )
    return db.session.get(Enterprise, chosen)
