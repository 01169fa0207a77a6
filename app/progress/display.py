"""How progress reads on the page: status words, values per unit, chart and table rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.i18n import current_language, fmt_date, fmt_number, fmt_percent
from app.indicator_settings import SPECS, Settings
from app.progress import dimensions as dims
from app.progress.figures import Cell
from app.progress.status import Status

if TYPE_CHECKING:
    from app.progress.services import IndicatorView

STATUS_LABELS = {
    "met": _l("Met"),
    "missed": _l("Missed"),
    "achieved": _l("Achieved"),
    "substantial": _l("On track"),
    "moderate": _l("Moderate progress"),
    "limited": _l("Limited progress"),
    "deteriorating": _l("Going backwards"),
    "insufficient": _l("Not enough data"),
    "obsolete": _l("Obsolete"),
    "qualitative": _l("Qualitative target"),
    "no_data": _l("No data"),
}
STATUS_BADGES = {
    "met": "text-bg-success",
    "achieved": "text-bg-success",
    "substantial": "text-bg-success",
    "missed": "text-bg-danger",
    "deteriorating": "text-bg-danger",
    "moderate": "text-bg-warning",
    "limited": "text-bg-warning",
    "insufficient": "text-bg-secondary",
    "obsolete": "text-bg-secondary",
    "qualitative": "text-bg-info",
    "no_data": "text-bg-secondary",
}
DIMENSION_LABELS = {
    "commune": _l("Commune or ward"),
    "section": _l("Sector (VSIC section)"),
    "priority": _l("Priority sector of the plan"),
    "size": _l("Size"),
    "legal_form": _l("Legal form"),
}
LEVEL_NAMES = {
    "none": _l("No valid assessment"),
    "0": _l("0 · Not started"),
    "1": _l("1 · Starting"),
    "2": _l("2 · Beginning"),
    "3": _l("3 · Forming"),
    "4": _l("4 · Advanced"),
    "5": _l("5 · Leading"),
}
SPLIT_LABELS = {
    "tech": _l("Digital technology only"),
    "startup": _l("Innovative startup only"),
    "both": _l("Both labels"),
}
APART_LABELS = {
    "household": _l("Household businesses"),
    "branch": _l("Branches and representative offices"),
    "large": _l("Large enterprises"),
    "unknown": _l("Enterprises of unknown size"),
    "tourism": _l("OCOP community-tourism services"),
    "expired": _l("Expired certificates"),
    "unverified": _l("Awaiting verification"),
}


UNIT_LABELS = {
    "percent": _l("percent"),
    "percent_grdp": _l("percent of GRDP"),
    "count": _l("number"),
    "yes_no": _l("yes or no"),
}


def value_text(value: float | Decimal | None, unit: str) -> str:
    """One way per language: "47,5%" in Vietnamese, "47.5%" in English, one decimal unless it is 0
    ("19%", not "19.0%" beside "28%"); counts grouped."""
    if value is None:
        return "—"
    value = float(value)
    if unit in ("percent", "percent_grdp"):
        digits = 0 if round(value, 1) == round(value) else 1
        return fmt_percent(value / 100, digits)
    if unit == "yes_no":
        return _("Yes") if value else _("No")
    return fmt_number(value, 0 if round(value, 1) == round(value) else 1)


def per_month_text(value: float | None, unit: str) -> str:
    """What is needed per month: percentage points or a number, with one decimal."""
    if not value:
        return "—"
    if unit in ("percent", "percent_grdp"):
        return _("%(points)s percentage points", points=fmt_number(value, 1))
    return fmt_number(value, 1)


def month_text(day: date) -> str:
    return format_date(day, "MM/yyyy" if current_language() == "vi" else "MMM yyyy")


def status_sentence(status: Status, unit: str) -> str:
    """The status in plain words, with the figures that decide it."""
    target = value_text(status.target, unit)
    if status.kind in ("met", "missed"):
        return _(
            "%(value)s on %(day)s against a target of %(target)s.",
            value=value_text(status.value, unit),
            day=_day(status.value_day),
            target=target,
        )
    if status.kind == "achieved":
        return _(
            "%(value)s already reaches the target of %(target)s.", value=value_text(status.value, unit), target=target
        )
    if status.kind in ("substantial", "moderate", "limited", "deteriorating"):
        # The ratio in plain words: the pace since the base period against the pace the target needs.
        base, day = _day(status.base.day if status.base else None), _day(status.deadline)
        if status.ratio is not None and status.ratio >= 1:
            return _(
                "Since %(base)s the figure grows fast enough to reach %(target)s by %(day)s: %(times)s times "
                "the pace needed.",
                base=base,
                target=target,
                day=day,
                times=fmt_number(status.ratio, 1),
            )
        if status.ratio is not None and status.ratio > 0:
            return _(
                "Since %(base)s the figure grows, but at %(share)s of the pace needed to reach %(target)s by %(day)s.",
                base=base,
                share=fmt_percent(status.ratio),
                target=target,
                day=day,
            )
        return _(
            "Since %(base)s the figure has not grown; reaching %(target)s by %(day)s needs it to rise.",
            base=base,
            target=target,
            day=day,
        )
    if status.kind == "insufficient":
        return _("Not enough points since the base period to measure growth.")
    return ""


def projection_note(status: Status, unit: str) -> str:
    """When the straight line and the status disagree, say so beside the projection: the status reads
    the yearly growth since the base period, which compounds; the line reads the last 12 months."""
    if status.projection is None or status.target is None or status.kind not in _GROWTH_KINDS:
        return ""
    reaches = status.projection >= status.target
    if status.kind == "substantial" and not reaches:
        return _(
            "Short of the target, though the status is on track: the status reads the growth since %(base)s "
            "as a yearly rate, which compounds; a straight line through the last 12 months reaches less.",
            base=_day(status.base.day if status.base else None),
        )
    if status.kind != "substantial" and reaches:
        return _(
            "Reaches the target, though the status is not on track: the last 12 months grew faster than "
            "the yearly growth since %(base)s that the status reads.",
            base=_day(status.base.day if status.base else None),
        )
    return ""


_GROWTH_KINDS = ("substantial", "moderate", "limited", "deteriorating")


def status_method(s: Settings) -> str:
    """How a live target's status is decided, with the thresholds in force, and why the projection may differ."""
    return _(
        "A target whose deadline has passed is met or missed by the value on its deadline. A live target is "
        "achieved once the value reaches it; otherwise the yearly growth observed since the base period (the "
        "previous target's deadline, or the start of the plan) is divided by the yearly growth needed to reach "
        "the target by its deadline, as in UN ESCAP's SDG progress reports: %(substantial)s or more of the "
        "needed growth is on track, %(moderate)s or more moderate progress, %(limited)s or more limited "
        "progress, less going backwards.",
        substantial=fmt_percent(float(s.status_substantial)),
        moderate=fmt_percent(float(s.status_moderate)),
        limited=fmt_percent(float(s.status_limited)),
    )


def projection_method() -> str:
    return _(
        "The projection is another reading: a straight line through the last 12 months, extended to the "
        "deadline. The two can disagree. Growth read as a yearly rate compounds, so a pace that is on track "
        "by that reading can still fall short on a straight line; and a change of pace in the last months "
        "shows in the straight line first. Read the status as the trend since the base period, the projection "
        "as what the latest months alone would give."
    )


def _day(day: date | None) -> str:
    return fmt_date(day) if day else "—"


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    cell: Cell


def breakdown_rows(cells: dict[str, Cell], dimension: str) -> list[BreakdownRow]:
    """Every key of the dimension in display order (communes alphabetically), empty ones included."""
    labels = dims.labels(dimension)
    keys = list(labels) + [k for k in cells if k not in labels]
    return [
        BreakdownRow(k, labels.get(k) or _("Not recorded"), cells.get(k, Cell(0, 0, 0)))
        for k in keys
        if k in cells or dimension in ("commune", "priority", "size")
    ]


def settings_rows(s: Settings) -> list[tuple[str, str]]:
    rows = []
    for key, spec in SPECS.items():
        value = s.values[key]
        if spec.choices:
            value = spec.shown(value)
        elif spec.kind == "date":
            value = _day(value)
        rows.append((str(spec.label), str(value)))
    return rows


def chart_points(view: IndicatorView) -> list[tuple[date, float | None]]:
    return [(p.day, p.value) for p in view.points]


def chart_targets(view: IndicatorView) -> list[tuple[date, float, str]]:
    """Every target of the indicator that has a value and is not obsolete, for the chart."""
    return [
        (t.status.deadline, float(t.target.value), _("Target %(year)s", year=t.target.year))
        for t in view.targets
        if t.target.value is not None and t.target.status != "obsolete"
    ]


def note_text(note: str | None) -> str:
    """A note written "Vietnamese / English" in the data, in the page's language."""
    if not note:
        return ""
    parts = [part.strip() for part in note.split(" / ", 1)]
    return parts[1] if current_language() == "en" and len(parts) == 2 else parts[0]


def chart_projection(view: IndicatorView):
    live = view.live_target
    if live is None or live.status.projection is None or live.status.value is None:
        return None
    return [(live.status.value_day, live.status.value), (live.status.deadline, live.status.projection)]
