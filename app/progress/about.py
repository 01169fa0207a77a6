"""What a reader of an indicator needs besides its figure, as national reporting platforms publish it:
unit, periodicity, the agency responsible and whom to contact, the plan document the target comes
from, the limitations of the figure, when it was last updated and when the next update is due.

Kept as the department's data in the indicator's `about` (filled from the targets file by
`flask targets load`; every key optional); what is not given falls back to the department that runs
the platform (agency, contact) or is said to be not given. The same rows serve the indicator page,
the XLSX report and, in both languages, the API.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.i18n import fmt_date, localized
from app.progress.display import UNIT_LABELS

PERIODICITY = {
    "continuous": _l("Continuous: computed from the registry each time it is shown"),
    "monthly": _l("Monthly"),
    "quarterly": _l("Quarterly"),
    "yearly": _l("Yearly"),
}
MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
TEXTS = ("agency", "plan", "limitations")  # each as _vi and _en
KEYS = frozenset({"periodicity", "contact", "next_update", *(f"{k}_{lang}" for k in TEXTS for lang in ("vi", "en"))})


def problem(about) -> str | None:
    """Why an `about` block of the targets file cannot be used, or None."""
    if about is None:
        return None
    if not isinstance(about, dict):
        return "'about' must be a mapping"
    unknown = sorted(set(about) - KEYS)
    if unknown:
        return f"'about' has unknown keys {', '.join(unknown)}; known: {', '.join(sorted(KEYS))}"
    if about.get("periodicity") not in (None, *PERIODICITY):
        return f"'about.periodicity' must be one of {', '.join(PERIODICITY)}"
    if about.get("next_update") is not None:
        try:
            date.fromisoformat(str(about["next_update"]))
        except ValueError:
            return "'about.next_update' must be a date yyyy-mm-dd"
    return None


@dataclass(frozen=True)
class About:
    unit: str
    periodicity: str | None
    agency: tuple[str, str]  # vi, en
    contact: str
    plan: tuple[str | None, str | None]
    limitations: tuple[str | None, str | None]
    last_update: date | None
    next_update: date | None  # None: continuous, or not known


def about_of(view) -> About:
    """The metadata of an indicator as shown on the day of `view` (progress.services.IndicatorView)."""
    given = view.indicator.about or {}
    cfg = current_app.config
    periodicity = given.get("periodicity") or ("continuous" if view.is_computed else None)
    last = view.as_of if view.is_computed else (view.reported.as_of if view.reported is not None else None)
    upcoming = date.fromisoformat(str(given["next_update"])) if given.get("next_update") else None
    if upcoming is None and last is not None and periodicity in MONTHS:
        upcoming = _months_after(last, MONTHS[periodicity])
    return About(
        unit=view.indicator.unit,
        periodicity=periodicity,
        agency=(
            given.get("agency_vi") or cfg["DEPARTMENT_NAME_VI"],
            given.get("agency_en") or cfg["DEPARTMENT_NAME_EN"],
        ),
        contact=given.get("contact") or f"{cfg['DEPARTMENT_EMAIL']} · {cfg['DEPARTMENT_PHONE']}",
        plan=(given.get("plan_vi"), given.get("plan_en")),
        limitations=(given.get("limitations_vi"), given.get("limitations_en")),
        last_update=last,
        next_update=upcoming,
    )


def rows(view) -> list[tuple[str, str]]:
    """(label, value) in the page's language."""
    about = about_of(view)
    not_given = str(_l("Not given"))
    if about.periodicity == "continuous":
        upcoming = str(_l("Continuous"))
    else:
        upcoming = fmt_date(about.next_update) if about.next_update else not_given
    return [
        (str(_l("Unit")), str(UNIT_LABELS.get(about.unit, about.unit))),
        (str(_l("Periodicity")), str(PERIODICITY[about.periodicity]) if about.periodicity else not_given),
        (str(_l("Responsible agency")), localized(*about.agency)),
        (str(_l("Contact")), about.contact),
        (str(_l("Plan document")), localized(*about.plan) or not_given),
        (str(_l("Limitations")), localized(*about.limitations) or not_given),
        (str(_l("Last update")), fmt_date(about.last_update) if about.last_update else not_given),
        (str(_l("Next update")), upcoming),
    ]


def as_json(view) -> dict:
    """The API's `metadata`: both languages, dates as yyyy-mm-dd, null where not given."""
    about = about_of(view)
    return {
        "unit": about.unit,
        "periodicity": about.periodicity,
        "agency": {"vi": about.agency[0], "en": about.agency[1]},
        "contact": about.contact,
        "plan_document": {"vi": about.plan[0], "en": about.plan[1]},
        "limitations": {"vi": about.limitations[0], "en": about.limitations[1]},
        "last_update": about.last_update.isoformat() if about.last_update else None,
        "next_update": about.next_update.isoformat() if about.next_update else None,
    }


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
