"""The rules for targets and reported values. Services flush; the request or CLI edge commits."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.dates import typed_day_problem
from app.domain.numbers import plain_number
from app.errors import ServiceError
from app.extensions import db
from app.i18n import local_today
from app.models import Indicator, IndicatorValue, Target
from app.models.values import TargetStatus
from app.progress.services import all_indicators
from app.text import normalize

UNITS = ("percent", "percent_grdp", "count", "yes_no")
PERCENT_UNITS = ("percent", "percent_grdp")
MAX_VALUE = Decimal("999999999999")  # Numeric(14, 2)
CENT = Decimal("0.01")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class TargetError(ServiceError):
    """A refused entry, with a translated message and the form field it concerns."""


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, date) else value


def indicator_snapshot(indicator: Indicator) -> dict:
    return {
        f: _plain(getattr(indicator, f))
        for f in ("code", "name_vi", "name_en", "kind", "metric", "unit", "source", "about")
    }


def target_snapshot(target: Target) -> dict:
    return {
        f: _plain(getattr(target, f)) for f in ("year", "value", "reading_vi", "reading_en", "status", "status_note")
    }


# --- reading ------------------------------------------------------------------------------


def indicators() -> list[Indicator]:
    """Every indicator in plan order, with its targets and reported values loaded."""
    return all_indicators()


def get_indicator(code: str) -> Indicator | None:
    return db.session.scalar(select(Indicator).where(Indicator.code == code))


def latest_value(indicator: Indicator) -> IndicatorValue | None:
    """The newest entry for the latest as-of date (a correction is a newer entry for the same date)."""
    return indicator.values[0] if indicator.values else None


def history(indicator: Indicator) -> list[tuple[IndicatorValue, bool]]:
    """Every reported value, newest date first, each with whether a later entry for its date replaced it."""
    seen: set[date] = set()
    rows = []
    for entry in indicator.values:
        rows.append((entry, entry.as_of in seen))
        seen.add(entry.as_of)
    return rows


# --- parsing ------------------------------------------------------------------------------


def parse_value(text: str | None, unit: str, *, required: bool = True) -> Decimal | None:
    """A number ≥ 0 as people type it (12,5 or 12.5), at most 100 for a percentage, 0 or 1 for yes/no."""
    text = normalize(text)
    if not text:
        if required:
            raise TargetError(_("Enter a value."), "value")
        return None
    try:
        value = Decimal(plain_number(text.removesuffix("%").strip()))
    except InvalidOperation:
        raise TargetError(_("Enter a number, for example 12.5."), "value") from None
    if not value.is_finite():
        raise TargetError(_("Enter a number, for example 12.5."), "value")
    if value < 0:
        raise TargetError(_("The value cannot be negative."), "value")
    if unit in PERCENT_UNITS and value > 100:
        raise TargetError(_("A percentage cannot be more than 100."), "value")
    if unit == "yes_no" and value not in (0, 1):
        raise TargetError(_("Choose yes or no."), "value")
    if value > MAX_VALUE:
        raise TargetError(_("The value is too large."), "value")
    return value.quantize(CENT)


def parse_as_of(text: str | None, today: date) -> date:
    """A date typed dd/mm/yyyy, not after today."""
    found = _DATE.match(normalize(text))
    if not found:
        raise TargetError(_("Enter the date as dd/mm/yyyy, for example 31/12/2025."), "as_of")
    day, month, year = (int(g) for g in found.groups())
    try:
        as_of = date(year, month, day)
    except ValueError:
        raise TargetError(typed_day_problem(normalize(text)) or _("This date does not exist."), "as_of") from None
    if as_of > today:
        raise TargetError(_("The date cannot be in the future."), "as_of")
    if as_of.year < 2000:
        raise TargetError(_("Enter a date from 2000 on."), "as_of")
    return as_of


# --- writing ------------------------------------------------------------------------------


def add_value(
    indicator: Indicator,
    *,
    value: str | None,
    as_of: str | None,
    source_document: str | None,
    note: str | None,
    actor: audit.Actor,
) -> IndicatorValue:
    """Record a reported value (a correction is simply a newer entry)."""
    if indicator.kind != "reported":
        raise TargetError(_("This indicator is computed from the registry; values cannot be entered."))
    problems: list[TargetError] = []
    parsed = {}
    for key, parse in (
        ("value", lambda: parse_value(value, indicator.unit)),
        ("as_of", lambda: parse_as_of(as_of, local_today())),
    ):
        try:
            parsed[key] = parse()
        except TargetError as e:
            problems.append(e)
    document = normalize(source_document)
    if not document:
        problems.append(TargetError(_("Name the source document (its number or title)."), "source_document"))
    elif len(document) > 300:
        problems.append(TargetError(_("At most %(n)s characters.", n=300), "source_document"))
    if problems:
        raise TargetProblems(problems)
    entry = IndicatorValue(
        indicator_id=indicator.id,
        value=parsed["value"],
        as_of=parsed["as_of"],
        source_document=document,
        note=normalize(note)[:2000] or None,
        entered_by_id=actor.user_id,
        entered_by_label=actor.label[:100],
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        actor,
        "report_value",
        "indicator_value",
        entry.id,
        None,
        {
            "indicator": indicator.code,
            "value": str(entry.value),
            "as_of": entry.as_of.isoformat(),
            "source_document": entry.source_document,
            "note": entry.note,
        },
    )
    return entry


def update_target(
    target: Target,
    *,
    value: str | None,
    reading_vi: str | None,
    reading_en: str | None,
    status: str | None,
    status_note: str | None,
    actor: audit.Actor,
) -> bool:
    """Change a target (admins only: the view checks). Returns whether anything changed."""
    problems: list[TargetError] = []
    new = {
        "reading_vi": normalize(reading_vi) or None,
        "reading_en": normalize(reading_en) or None,
        "status_note": normalize(status_note)[:2000] or None,
        "status": status,
    }
    try:
        new["value"] = parse_value(value, target.indicator.unit, required=False)
    except TargetError as e:
        problems.append(e)
    if not TargetStatus.has(status):
        problems.append(TargetError(_("Choose a status."), "status"))
    elif status == "obsolete" and not new["status_note"]:
        problems.append(TargetError(_("Say why the target is obsolete."), "status_note"))
    if problems:
        raise TargetProblems(problems)
    before = target_snapshot(target)
    for key, val in new.items():
        setattr(target, key, val)
    after = target_snapshot(target)
    if after == before:
        return False
    target.updated_by_id = actor.user_id
    audit.record(actor, "update", "target", target.id, before, {**after, "indicator": target.indicator.code})
    db.session.flush()
    return True


class TargetProblems(TargetError):
    """Several refused fields at once, so that the form shows them all."""

    def __init__(self, problems: list[TargetError]):
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems

    @property
    def errors(self) -> dict:
        found: dict = {}
        for problem in self.problems:
            found.setdefault(problem.field, []).append(problem.message)
        return found
