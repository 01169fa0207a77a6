"""A new deployment's first week: each setup step's state, read from the database and the settings.

One function per step, each returning a `Step`; `checklist()` gives them in the order README.md's
"Your first week" walks through. A step is done, partly done (with what is missing) or still to do;
it links to the page where it is done (an import kind the import page does not read yet only adds
`?kind=…` to its address). Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from app.extensions import db
from app.i18n import localized
from app.models import (
    Enterprise,
    ImportBatch,
    Indicator,
    IndicatorValue,
    Listing,
    ListingCheck,
    Product,
    Target,
    User,
)
from app.models.values import STAFF_ROLES, IndicatorKind, TargetStatus, Verification
from app.production import DEPARTMENT_SETTINGS, demo_department_settings

STAFF_NEEDED = 2  # two people with two-step sign-in: the work never rests on one account


class StepState(StrEnum):
    DONE = "done"
    PARTLY = "partly"
    TODO = "todo"


@dataclass(frozen=True)
class Step:
    key: str
    title: LazyString
    meaning: LazyString  # what the step is, in one sentence
    state: StepState
    url: str  # the page where it is done
    action: LazyString  # the text of the link to that page
    detail: LazyString | None = None  # what is still missing, when partly done
    command: str | None = None  # the command that does it on the server, if any
    missing: tuple[tuple[str, str], ...] = ()  # (name, address) of each thing still missing
    is_for_admins: bool = False  # its page is open to administrators only

    @property
    def is_done(self) -> bool:
        return self.state == StepState.DONE


def _scalar(query) -> int:
    return db.session.scalar(query) or 0


def _any(*where) -> bool:
    return bool(db.session.scalar(select(exists().where(*where))))


def _state(found: bool, partly: bool = False) -> StepState:
    """Done when found; partly when only part of it is; to do otherwise."""
    return StepState.DONE if found else StepState.PARTLY if partly else StepState.TODO


def contacts() -> Step:
    left = demo_department_settings(current_app.config)
    return Step(
        key="contacts",
        title=_l("Set the department's contacts"),
        meaning=_l(
            "The department's name, address, telephone and e-mail, shown in every page's footer, on the contact "
            "page and in the privacy notice, are settings of the server (DEPARTMENT_…); the defaults are the demo's."
        ),
        state=_state(not left, len(left) < len(DEPARTMENT_SETTINGS)),
        url=url_for("main.contact"),
        action=_l("See the contact page"),
        detail=_l("Still the demo's values: %(names)s.", names=", ".join(left)) if left else None,
    )


def targets() -> Step:
    loaded = _any(Indicator.id == Target.indicator_id)
    return Step(
        key="targets",
        title=_l("Load the province's targets"),
        meaning=_l("The plan's indicators with their 2025 and 2030 targets, which the progress pages measure."),
        state=_state(loaded),
        url=url_for("targets.index"),
        action=_l("Open targets and indicators"),
        command="flask targets load",
    )


def registry() -> Step:
    imported = _imported("registry")
    undated = _scalar(  # founded_on is indexed: only the undated rows are read
        select(func.count())
        .select_from(Enterprise)
        .where(Enterprise.provenance == "import", Enterprise.founded_on.is_(None))
    )
    return Step(
        key="registry",
        title=_l("Import the business registry with founding dates"),
        meaning=_l(
            "The enterprises of the business registration office's file; each record's history counts from its "
            "founding date, or from the day it was imported when the file gives none."
        ),
        state=_state(imported and not undated, imported),
        url=url_for("workspace.import_upload"),
        action=_l("Open the import page"),
        detail=_l(
            "Imported records without a founding date: %(n)s. They are counted from the day they were imported.",
            n=undated,
        )
        if imported and undated
        else None,
        command="flask registry import FILE",
    )


def products() -> Step:
    verified = _any(Product.verified_on.is_not(None))
    waiting = 0 if verified else _scalar(select(func.count()).select_from(Product))
    return Step(
        key="products",
        title=_l("Import the certified products"),
        meaning=_l(
            "OCOP products, geographical indications and marks with their certificates: a product counts "
            "towards T4 once the department has verified its certificate."
        ),
        state=_state(verified, bool(waiting)),
        url=url_for("workspace.import_upload", kind="products"),
        action=_l("Import certified products"),
        detail=_l("Products awaiting verification: %(n)s; none is verified yet.", n=waiting) if waiting else None,
    )


def listings() -> Step:
    checked = _any(ListingCheck.listing_id == Listing.id)
    unchecked = 0 if checked else _scalar(select(func.count()).select_from(Listing))
    return Step(
        key="listings",
        title=_l("Import where the products sell online"),
        meaning=_l(
            "Each certified product's shops on e-commerce platforms, with a dated check that they still sell it: "
            "T4 counts a product once a recent check says so."
        ),
        state=_state(checked, bool(unchecked)),
        url=url_for("workspace.import_upload", kind="listings"),
        action=_l("Import listings"),
        detail=_l("Listings never checked: %(n)s; none has a check yet.", n=unchecked) if unchecked else None,
    )


def labels() -> Step:
    verified = _any(  # led by the indexed flags: no scan of the registry while no firm has a label
        Enterprise.is_digital_tech.is_(True), Enterprise.digital_tech_verification == Verification.VERIFIED
    ) or _any(Enterprise.is_startup.is_(True), Enterprise.startup_verification == Verification.VERIFIED)
    return Step(
        key="labels",
        title=_l("Import the digital-technology and startup labels"),
        meaning=_l(
            "The enterprises the department recognises as digital-technology firms or innovative startups, "
            "with the basis of each label: they make T6."
        ),
        state=_state(verified),
        url=url_for("workspace.import_upload", kind="labels"),
        action=_l("Import labels"),
    )


def _imported(kind: str) -> bool:
    """A file of the kind committed (and not undone): what the department brought in, found without
    reading the registry or the assessments."""
    return _any(ImportBatch.kind == kind, ImportBatch.state == "committed")


def results() -> Step:
    found = _imported("results")
    return Step(
        key="results",
        title=_l("Import past assessment results"),
        meaning=_l(
            "Readiness results from the surveys made before the site, imported with their dates, so that T5 "
            "has a history: the months they fall in are computed again."
        ),
        state=_state(found),
        url=url_for("workspace.import_upload", kind="results"),
        action=_l("Import past results"),
        command="flask registry import --kind results FILE",
    )


def _reported_indicators() -> list[Indicator]:
    """The indicators the department reports itself whose targets are not all obsolete (T1–T3, T7–T9)."""
    current = exists().where(Target.indicator_id == Indicator.id, Target.status != TargetStatus.OBSOLETE)
    return list(
        db.session.scalars(
            select(Indicator).where(Indicator.kind == IndicatorKind.REPORTED, current).order_by(Indicator.position)
        )
    )


def reported_values() -> Step:
    indicators = _reported_indicators()
    entered = set(
        db.session.scalars(
            select(IndicatorValue.indicator_id).where(IndicatorValue.indicator_id.in_([i.id for i in indicators]))
        )
    )
    missing = tuple(
        (f"{i.code.split('-')[0]} · {localized(i.name_vi, i.name_en)}", url_for("targets.indicator", code=i.code))
        for i in indicators
        if i.id not in entered
    )
    return Step(
        key="reported_values",
        title=_l("Enter the reported values"),
        meaning=_l(
            "The latest figure of each target the department reports itself (T1–T3, T7–T9), with its date "
            "and source document."
        ),
        state=_state(bool(indicators) and not missing, bool(entered)),
        url=url_for("targets.index"),
        action=_l("Open targets and indicators"),
        detail=_l("Still without a value: %(n)s of %(total)s.", n=len(missing), total=len(indicators))
        if entered and missing
        else None,
        missing=missing if entered else (),
    )


def staff() -> Step:
    ready = _scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.role.in_(STAFF_ROLES),
            User.totp_enabled_at.is_not(None),
            User.is_active_account,
            User.closed_at.is_(None),
        )
    )
    return Step(
        key="staff",
        title=_l("Add a second staff member with two-step sign-in"),
        meaning=_l(
            "At least two active staff or administrator accounts that have set up two-step sign-in, so that "
            "the work never rests on one person; an administrator creates the accounts."
        ),
        state=_state(ready >= STAFF_NEEDED, ready > 0),
        url=url_for("useradmin.users"),
        action=_l("Open user accounts"),
        detail=_l("Accounts ready: %(n)s of %(needed)s.", n=ready, needed=STAFF_NEEDED)
        if 0 < ready < STAFF_NEEDED
        else None,
        command="flask users create",
        is_for_admins=True,
    )


STEPS: tuple[Callable[[], Step], ...] = (
    contacts,
    targets,
    registry,
    products,
    listings,
    labels,
    results,
    reported_values,
    staff,
)


def checklist() -> list[Step]:
    """Every step of the first week, in order, with its state now."""
    return [step() for step in STEPS]
