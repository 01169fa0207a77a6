"""The dates behind the made-up records, so that the progress indicators can be read as of any day.

The province's plan started in January 2023. The department's original registry was built in
2019–2022 from the business registry; after that, new enterprises enter it within weeks of their
founding, and a few older ones turn up late. Labels are verified over time, records cease over
time. The demo province and the scale generator both date their records with these functions.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

PLAN_START = date(2023, 1, 1)
REGISTRY_START = date(2019, 1, 1)
REGISTRY_BUILT = date(2022, 12, 31)
LATE_ADDITIONS = 0.07  # of the enterprises founded before the plan: found and added since 2023
EARLY_LABELS = 0.35  # of the digital-technology firms already in the registry: verified before 2023

# Startup stages (app/directory/forms.py STAGES) by age in years, and the funding each looks for (bn VND).
_STAGES_BY_AGE = (
    (1, ("idea", "prototype")),
    (2, ("prototype", "early_revenue")),
    (4, ("early_revenue", "growth")),
    (99, ("growth", "scale")),
)
_FUNDING_BN = {
    "idea": (0.5, 2),
    "prototype": (1, 5),
    "early_revenue": (3, 10),
    "growth": (8, 30),
    "scale": (20, 50),
}


def day_between(rng: random.Random, first: date, last: date) -> date:
    """A day from ``first`` to ``last`` inclusive (``first`` when the range is empty)."""
    return date.fromordinal(rng.randint(first.toordinal(), max(first.toordinal(), last.toordinal())))


def at_office_hours(rng: random.Random, day: date) -> datetime:
    """A moment of a working day (UTC+7 office hours, stored in UTC)."""
    return datetime.combine(day, time(1, 0), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 540))


def morning_of(day: date) -> datetime:
    """09:00 in the province (UTC+7) on ``day``: when a dated record is taken to have been written."""
    return datetime.combine(day, time(2, 0), tzinfo=UTC)


def registered_on(rng: random.Random, founded_on: date, as_of: date) -> date:
    """The day the record entered the department's registry."""
    if founded_on >= PLAN_START or founded_on >= REGISTRY_START and rng.random() < 0.8:
        day = founded_on + timedelta(days=rng.randint(3, 45))
    elif rng.random() < LATE_ADDITIONS:
        day = day_between(rng, PLAN_START, as_of)
    else:
        day = day_between(rng, max(founded_on, REGISTRY_START), REGISTRY_BUILT)
    return min(day, as_of)


def ceased_on(rng: random.Random, registered: date, as_of: date) -> date:
    """The day a record that is no longer active left "active": some time since the plan began."""
    return min(day_between(rng, max(registered + timedelta(days=60), PLAN_START), as_of), as_of)


def date_record(rng: random.Random, fields: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Give a draft its registration and cessation days (the labels are dated by ``date_labels``)."""
    fields["registered_on"] = registered_on(rng, fields["founded_on"], as_of)
    fields["ceased_on"] = None if fields["status"] == "active" else ceased_on(rng, fields["registered_on"], as_of)
    fields.setdefault("digital_tech_verified_on", None)
    fields.setdefault("startup_verified_on", None)
    return fields


def date_labels(rng: random.Random, fields: dict[str, Any], as_of: date, early: bool = False) -> None:
    """Date the verified labels of a digital-technology firm or startup (``early``: before 2023).

    A label whose verification would fall after ``as_of`` stays unverified: the request is still
    with the department.
    """
    registered = fields["registered_on"]
    if fields.get("is_startup"):  # a startup asks once it has something to show
        day = max(
            fields["founded_on"] + timedelta(days=rng.randint(120, 420)),
            registered + timedelta(days=30),
        )
    elif early and registered < date(2022, 10, 1):
        day = day_between(rng, max(registered + timedelta(days=20), date(2020, 6, 1)), REGISTRY_BUILT)
    elif registered < PLAN_START:
        day = day_between(rng, PLAN_START, as_of)
    else:
        day = registered + timedelta(days=rng.randint(60, 450))
    day = max(day, registered)
    for label in ("digital_tech", "startup"):
        if not fields.get(f"is_{label}") or fields.get(f"{label}_verification") != "verified":
            fields[f"{label}_verified_on"] = None
        elif day > as_of:
            leave_unverified(fields, label)
        else:
            fields[f"{label}_verified_on"] = day
    verified = [
        fields[f"{label}_verified_on"] for label in ("digital_tech", "startup") if fields[f"{label}_verified_on"]
    ]
    fields["verified_at"] = at_office_hours(rng, min(verified)) if verified else None


def leave_unverified(fields: dict[str, Any], label: str = "digital_tech") -> None:
    """A label the enterprise claims and the department has not decided yet."""
    fields[f"{label}_verification"] = "unverified"
    fields[f"{label}_verified_on"] = None
    if not any(fields.get(f"{other}_verified_on") for other in ("digital_tech", "startup")):
        fields["verified_at"] = None


def startup_pitch(rng: random.Random, fields: dict[str, Any], as_of: date) -> None:
    """A startup's self-declared stage and the funding it seeks (a few do not look for any)."""
    age = (as_of - fields["founded_on"]).days / 365.25
    stage = rng.choice(next(stages for limit, stages in _STAGES_BY_AGE if age < limit))
    low, high = _FUNDING_BN[stage]
    fields["stage"] = stage
    fields["funding_sought_vnd"] = None if rng.random() < 0.15 else round(rng.uniform(low, high) * 2) * 500_000_000
