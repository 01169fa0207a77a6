"""Create and change enterprises; derive their computed fields in one place."""

from __future__ import annotations

import random
import secrets
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from app import audit
from app.domain import sectors
from app.domain.legal_forms import SME_ELIGIBLE
from app.domain.size import COUNTED_AS_SME, NOT_APPLICABLE, classify_size
from app.extensions import db
from app.models import Commune, Enterprise, EnterpriseSolution, Listing, Product
from app.models.base import today_local
from app.models.values import Certification, OcopGroup
from app.reference.services import region_communes
from app.registry import certificates, history
from app.search_text import search_text, without_legal_form
from app.solutions import category_names
from app.text import fold, normalize, vietnamese_sort_key

# The registered facts: an owner's change to them waits for the department, and an import writes them.
REGISTERED_FACTS = (
    "name",
    "legal_form",
    "main_vsic",
    "commune_code",
    "address",
    "founded_on",
    "employees",
    "revenue_vnd",
    "capital_vnd",
    "representative",
)
AUDITED_FIELDS = (
    "code",
    *REGISTERED_FACTS,
    "is_digital_tech",
    "digital_tech_basis",
    "digital_tech_verification",
    "is_startup",
    "startup_basis",
    "startup_verification",
    "description",
    "website",
    "email",
    "phone",
    "status",
    "record_state",
    "shows_readiness",
    "ceased_on",
    "resumes_on",
    "digital_tech_verified_on",
    "startup_verified_on",
)
# An update also audits the owner's choices kept apart from the record's fields (which imports and the
# demo write): whether a household business publishes its street address.
UPDATE_AUDITED_FIELDS = (*AUDITED_FIELDS, "is_address_public")
# What the history of counted facts reads of a record: its facts, first registration and status days.
HISTORY_SOURCES = (
    "status",
    "record_state",
    "commune_code",
    "vsic_section",
    "main_vsic",
    "size_tier",
    "legal_form",
    "is_digital_tech",
    "digital_tech_verification",
    "digital_tech_verified_on",
    "is_startup",
    "startup_verification",
    "startup_verified_on",
    "founded_on",
    "registered_on",
    "ceased_on",
    "resumes_on",
)
HOUSEHOLD_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def commune_name(code: str | None) -> str:
    """The commune's name, searchable with the enterprise ("dong hoa" finds those in Đông Hòa)."""

    commune = db.session.get(Commune, code) if code else None
    return commune.name if commune else ""


def new_household_public_id(rng: random.Random | None = None) -> str:
    """An opaque public id for a household business: never derived from the personal ID.

    Random by default; the demo passes its seeded generator so that its province is repeatable.
    """
    choose = rng.choice if rng is not None else secrets.choice
    return "HKD-" + "".join(choose(HOUSEHOLD_ALPHABET) for _ in range(8))


def size_tier_of(legal_form: str, main_vsic: str | None, employees, revenue_vnd, capital_vnd) -> str:
    if legal_form not in SME_ELIGIBLE:
        return NOT_APPLICABLE
    group = sectors.sector_group(sectors.section_for_vsic(main_vsic))
    return classify_size(group, employees, revenue_vnd, capital_vnd)


def name_fields(
    name: str, commune: str, product_names=(), description: str | None = None, solutions=()
) -> dict[str, str]:
    """The stored forms of a name: folded, lower-cased, Vietnamese sort key, and what search reads —
    the name, the products' names, the commune, the description and the declared solution categories'
    names (search ranks the matches in the name first)."""
    return {
        "name_folded": fold(name),
        "name_lower": name.lower(),
        "name_sort": vietnamese_sort_key(without_legal_form(name)),
        "search_text": search_text(
            name, [*product_names, commune, *([description] if description else []), *solutions]
        ),
    }


def derive_dates(values: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """The dated facts that follow from the status and the labels (the history of counted facts,
    app/registry/history.py, reads them as the days of the changes).

    A record that leaves "active" ceased today unless the day is given or it had already ceased; a
    suspension keeps the day it ends, when declared; a label verified today keeps the day it was first
    verified; an active record and an unverified label carry no date.
    """
    today = today or today_local()
    status = values.get("status", "active")
    out: dict[str, Any] = {
        "ceased_on": None if status == "active" else (values.get("ceased_on") or today),
        "resumes_on": values.get("resumes_on") if status == "suspended" else None,
    }
    for label in ("digital_tech", "startup"):
        verified = values.get(f"is_{label}") and values.get(f"{label}_verification") == "verified"
        out[f"{label}_verified_on"] = (values.get(f"{label}_verified_on") or today) if verified else None
    return out


def derive(fields: dict[str, Any]) -> dict[str, Any]:
    """Return the fields with NFC text, the folded name, the VSIC section, the size tier and the dates."""
    out = dict(fields)
    for key in ("name", "address", "description"):
        if out.get(key) is not None:
            out[key] = normalize(out[key]) or None
    names = out.pop("product_names", ())
    out.update(name_fields(out["name"], commune_name(out.get("commune_code")), names, out.get("description")))
    out["vsic_section"] = sectors.section_for_vsic(out.get("main_vsic"))
    out["size_tier"] = size_tier_of(
        out["legal_form"], out.get("main_vsic"), out.get("employees"), out.get("revenue_vnd"), out.get("capital_vnd")
    )
    out.update(derive_dates(out))
    return out


def create_enterprise(actor: audit.Actor, provenance: str, provenance_ref: str | None = None, **fields) -> Enterprise:
    """Add an enterprise (flushes; the caller commits), begin its history and record it in the audit trail."""
    values = derive(fields)
    if not values.get("public_key"):
        values["public_key"] = values.get("code") or new_household_public_id()
    enterprise = Enterprise(provenance=provenance, provenance_ref=provenance_ref, **values)
    db.session.add(enterprise)
    db.session.flush()
    history.seed([(enterprise.id, enterprise)], today_local())
    audit.record(
        actor,
        "create",
        "enterprise",
        enterprise.id,
        None,
        audit.snapshot(enterprise, AUDITED_FIELDS),
        provenance=f"{provenance}:{provenance_ref or ''}",
    )
    return enterprise


def dated_values(enterprise: Enterprise) -> dict[str, Any]:
    """What the history of counted facts reads of a record (app/registry/history.py)."""
    return {f: getattr(enterprise, f) for f in HISTORY_SOURCES}


def update_enterprise(
    enterprise: Enterprise,
    actor: audit.Actor,
    provenance: str,
    effective_on: date | None = None,
    status_since: date | None = None,
    **changes,
) -> bool:
    """Apply changes, recompute derived fields, extend the record's history and audit before/after.

    A change to a counted fact (commune, line of business, size, legal form, status, record state,
    labels) holds from ``effective_on`` — today unless the person gave an earlier day — so that every
    figure as of an earlier day stays what it was; a status from the day it changed (``ceased_on`` for
    a suspension or a dissolution, ``status_since`` for a return to business), a label from its
    verification. Returns True if anything changed.
    """
    today = today_local()
    before = audit.snapshot(enterprise, UPDATE_AUDITED_FIELDS)
    dated_before = dated_values(enterprise)
    current = {f: getattr(enterprise, f) for f in UPDATE_AUDITED_FIELDS}
    values = derive({**current, **changes})
    for key, value in values.items():
        if key != "search_text" and getattr(enterprise, key) != value:
            setattr(enterprise, key, value)
    refresh_search_text(enterprise)  # with its products and solutions, which the fields do not hold
    after = audit.snapshot(enterprise, UPDATE_AUDITED_FIELDS)
    if before == after:
        return False
    db.session.flush()
    dated_after = dated_values(enterprise) | {"status_since": status_since}
    history.apply([(enterprise.id, dated_before, dated_after, effective_on)], today)
    for key, day in (("effective_on", effective_on), ("status_since", status_since)):
        if day is not None and day != today:  # a change reaching into the past: the history shows from when
            after[key] = day.isoformat()
    audit.record(actor, "update", "enterprise", enterprise.id, before, after, provenance=provenance)
    return True


def refresh_search_text(enterprise: Enterprise) -> None:
    """Recompute what search reads after the enterprise's name, description, products or declared
    solutions changed."""
    names = [p.name for p in enterprise.products if p.is_active]
    codes = db.session.scalars(
        select(EnterpriseSolution.category).where(EnterpriseSolution.enterprise_id == enterprise.id)
    ).all()
    fields = name_fields(
        enterprise.name, commune_name(enterprise.commune_code), names, enterprise.description, category_names(codes)
    )
    if enterprise.search_text != fields["search_text"]:
        enterprise.search_text = fields["search_text"]


def get_by_public_key(key: str) -> Enterprise | None:
    return db.session.scalar(select(Enterprise).where(Enterprise.public_key == key))


def published(record_state=Enterprise.record_state):
    """In the directory (on the column, or an expression of it)."""
    return record_state == "published"


def public_record(record_state=Enterprise.record_state, commune_code=Enterprise.commune_code):
    """The condition every public list, count and figure applies: in the directory, in the deployment's
    region (REGION_* settings). The columns may be given as expressions of themselves (an index hint)."""
    return published(record_state) & commune_code.in_(select(Commune.code).where(region_communes()))


def is_public_record(enterprise: Enterprise) -> bool:
    """Whether one record passes `public_record` (the same condition, asked of one row)."""
    return (
        enterprise.id is not None
        and db.session.scalar(select(Enterprise.id).where(Enterprise.id == enterprise.id, public_record())) is not None
    )


def verified_labels(day):
    """(digital technology, startup): each label counted from the day the department verified it."""
    return (
        Enterprise.is_digital_tech.is_(True) & (Enterprise.digital_tech_verified_on <= day),
        Enterprise.is_startup.is_(True) & (Enterprise.startup_verified_on <= day),
    )


def labelled_enterprise(day):
    """An enterprise or cooperative with a verified digital-technology or startup label on the day
    (a branch is part of its parent; a household business is no enterprise): what T6 counts."""
    tech, startup = verified_labels(day)
    return (tech | startup) & Enterprise.legal_form.in_(tuple(SME_ELIGIBLE))


def sold_as_goods():
    """A product of a kind a platform sells: not an OCOP community-tourism service (its latest certificate)."""
    return or_(
        Product.certification != Certification.OCOP,
        Product.ocop_group.is_(None),
        Product.ocop_group != OcopGroup.TOURISM,
    )


def registry_counts() -> dict[str, int]:
    """Live counts for the home page and the API, each one query over public, active records."""
    visible = (public_record(), Enterprise.status == "active")
    enterprises = db.session.scalar(select(func.count()).select_from(Enterprise).where(*visible))
    smes = db.session.scalar(
        select(func.count()).select_from(Enterprise).where(*visible, Enterprise.size_tier.in_(COUNTED_AS_SME))
    )
    tech = db.session.scalar(
        select(func.count()).select_from(Enterprise).where(*visible, labelled_enterprise(today_local()))
    )
    # verified, valid today — the one rule of a certificate — and sold as goods: T4 counts OCOP
    # community-tourism services apart (no platform sells them), and so does this figure beside it
    certified = and_(certificates.certified_today(), sold_as_goods())
    products = db.session.scalar(select(func.count()).select_from(Product).join(Enterprise).where(*visible, certified))
    listed = db.session.scalar(
        select(func.count(func.distinct(Listing.product_id)))
        .select_from(Listing)
        .join(Product)
        .join(Enterprise)
        .where(*visible, certified)
    )
    return {"enterprises": enterprises, "smes": smes, "tech": tech, "products": products, "products_listed": listed}


RESIZE_CHUNK = 5000


def resize_step(actor: audit.Actor, after_id: int) -> tuple[int, int | None]:
    """Size the next records again by the size rules in force (size_tiers.yaml; a firm whose known
    figures prove it an SME is sized as a range): records sized before a rule changed, or imported
    without one of their figures. A rule, not a fact that changed: the new tier replaces the old one in
    every span of the record's history that held it. Returns how many changed and where the next step
    starts (None: done). Executes and flushes; the caller commits each step."""
    rows = db.session.execute(
        select(
            Enterprise.id,
            Enterprise.legal_form,
            Enterprise.vsic_section,
            Enterprise.employees,
            Enterprise.revenue_vnd,
            Enterprise.capital_vnd,
            Enterprise.size_tier,
        )
        .where(Enterprise.id > after_id)
        .order_by(Enterprise.id)
        .limit(RESIZE_CHUNK)
    ).all()
    if not rows:
        return 0, None
    moved = {}
    for r in rows:
        tier = (
            classify_size(sectors.sector_group(r.vsic_section), r.employees, r.revenue_vnd, r.capital_vnd)
            if r.legal_form in SME_ELIGIBLE
            else NOT_APPLICABLE
        )
        if tier != r.size_tier:
            moved[r.id] = ("size_tier", "rule", r.size_tier, tier)
    for id_, (_column, _why, old, new) in moved.items():
        db.session.execute(update(Enterprise).where(Enterprise.id == id_).values(size_tier=new))
        audit.record(actor, "update", "enterprise", id_, {"size_tier": old}, {"size_tier": new}, provenance="resize")
    history.replace_value(moved)
    return len(moved), rows[-1].id
