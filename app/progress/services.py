"""The progress toward the targets, assembled for the pages, the report and the API alike.

For each indicator of the plan: its points (a monthly series of a computed indicator, or the
reported entries), the figure as of the day asked, and the status of each of its targets; and for
the plan as a whole, the summary the province reports ("x of N 2025 targets met").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import indicator_settings as settings_module
from app import tasks
from app.dates import typed_day, typed_day_problem
from app.errors import ServiceError
from app.extensions import db
from app.i18n import local_today, localized
from app.indicator_settings import Settings
from app.models import Indicator, Target
from app.models.values import IndicatorKind, TargetStatus
from app.progress import dimensions as dims
from app.progress import indicators, snapshots
from app.progress.dimensions import month_end
from app.progress.figures import Figure, public
from app.progress.status import Point, Status, target_status

EARLIEST = date(2000, 1, 1)


class ProgressError(ServiceError):
    """A refused change to the reported indicators."""


@dataclass
class TargetView:
    target: Target
    status: Status


@dataclass
class IndicatorView:
    indicator: Indicator
    as_of: date
    points: list[Point]
    figure: Figure | None  # computed indicators: the figure as of the day
    reported: object | None  # reported indicators: the latest entry by the day
    targets: list[TargetView] = field(default_factory=list)
    series: list[Figure] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def is_computed(self) -> bool:
        return self.indicator.kind == IndicatorKind.COMPUTED

    @property
    def value(self) -> float | None:
        if self.figure is not None:
            return self.figure.value
        return float(self.reported.value) if self.reported is not None else None

    @property
    def value_day(self) -> date | None:
        if self.figure is not None:
            return self.figure.as_of
        return self.reported.as_of if self.reported is not None else None

    @property
    def name(self) -> str:
        return localized(self.indicator.name_vi, self.indicator.name_en)

    @property
    def live_target(self) -> TargetView | None:
        live = [t for t in self.targets if t.target.status != TargetStatus.OBSOLETE and not t.status.passed]
        return live[0] if live else None

    @property
    def is_obsolete(self) -> bool:
        return bool(self.targets) and all(t.target.status == TargetStatus.OBSOLETE for t in self.targets)


@dataclass
class Summary:
    deadline_year: int
    passed_total: int
    passed_met: int
    live_year: int | None
    live_total: int
    live_on_track: int
    obsolete: list[TargetView]


def definition_of(indicator: Indicator) -> indicators.Definition | None:
    return indicators.DEFINITIONS.get(indicator.code) if indicator.kind == IndicatorKind.COMPUTED else None


def parse_day(text: str | None, today: date) -> date:
    """The as-of day of a page or API call: ISO (2025-12-31) or dd/mm/yyyy, from 2000 to today."""
    text = (text or "").strip()
    if not text:
        return today
    try:
        day = typed_day(text)
    except ValueError:
        problem = typed_day_problem(text) or _("Give the date as dd/mm/yyyy (or yyyy-mm-dd), for example 31/12/2025.")
        raise ProgressError(problem) from None
    if day > today:
        raise ProgressError(_("The date cannot be in the future."))
    if day < EARLIEST:
        raise ProgressError(_("Enter a date from 2000 on."))
    return day


def public_day(day: date, today: date) -> date:
    """The day the public sees figures as of: today, or the last month end on or before the day asked.

    Month ends are the series' stored days, so a visitor's question costs a read, never a computation
    over the whole registry; and two neighbouring days cannot be compared to single out one record.
    Staff may ask for any day.
    """
    if day >= today or day == month_end(day):
        return min(day, today)
    return day.replace(day=1) - timedelta(days=1)


def _reported_points(indicator: Indicator, until: date) -> list[Point]:
    latest: dict[date, Decimal] = {}
    for entry in sorted(indicator.values, key=lambda v: (v.as_of, v.entered_at, v.id)):
        if entry.as_of <= until:
            latest[entry.as_of] = entry.value
    return [Point(day, float(value)) for day, value in sorted(latest.items())]


def indicator_view(
    indicator: Indicator, as_of: date, s: Settings, *, breakdowns: bool = False, minimum: int | None = None
) -> IndicatorView:
    """One indicator as of a day: points up to the day, the figure, and each target's status.

    ``minimum`` set: the public view, with small cells suppressed.
    """
    figure, reported, series = None, None, []
    if definition_of(indicator) is not None:
        series = snapshots.series(indicator.code, s, dims.series_days(s.plan_start, as_of))
        figure = snapshots.figure(indicator.code, as_of, s, breakdowns=breakdowns) if breakdowns else series[-1]
        if minimum is not None:
            figure = public(figure, minimum)
        points = [Point(f.as_of, f.value) for f in series if f.value is not None]
    else:
        points = _reported_points(indicator, as_of)
        entries = [v for v in indicator.values if v.as_of <= as_of]
        reported = entries[0] if entries else None
    view = IndicatorView(indicator, as_of, points, figure, reported, series=series)
    years = sorted(t.year for t in indicator.targets)
    view.targets = [
        TargetView(
            t,
            target_status(
                points,
                None if t.value is None else float(t.value),
                t.year,
                t.status,
                as_of,
                s,
                since=_previous_deadline(years, t.year),
                ceiling=100.0 if indicator.unit in SHARE_UNITS else None,
            ),
        )
        for t in indicator.targets
    ]
    return view


SHARE_UNITS = ("percent", "percent_grdp")  # a share of a whole: never above 100


def _previous_deadline(years: list[int], year: int) -> date | None:
    earlier = [y for y in years if y < year]
    return date(earlier[-1], 12, 31) if earlier else None


def dashboard(as_of: date, s: Settings, minimum: int | None = None) -> list[IndicatorView]:
    """Every indicator as of the day, in the order the pages show them (`in_order`)."""
    return [indicator_view(i, as_of, s, minimum=minimum) for i in in_order(all_indicators())]


def in_order(indicators: list[Indicator]) -> list[Indicator]:
    """The ones this platform computes first, then those the department reports, each in plan order."""
    return sorted(indicators, key=lambda i: i.kind != IndicatorKind.COMPUTED)  # a stable sort keeps plan order


def summary(views: list[IndicatorView], as_of: date) -> Summary:
    """The province's own reading: targets of the last passed deadline met, live targets on track."""
    all_targets = [t for v in views for t in v.targets]
    passed_years = sorted({t.target.year for t in all_targets if t.status.passed})
    live_years = sorted(
        {t.target.year for t in all_targets if t.target.status != TargetStatus.OBSOLETE and not t.status.passed}
    )
    passed_year = passed_years[-1] if passed_years else (as_of.year - 1)
    live_year = live_years[0] if live_years else None
    passed = [
        t
        for t in all_targets
        if t.target.year == passed_year and t.status.passed and t.target.status != TargetStatus.OBSOLETE
    ]
    live = [
        t
        for t in all_targets
        if live_year
        and t.target.year == live_year
        and t.target.status != TargetStatus.OBSOLETE
        and t.target.value is not None
    ]
    return Summary(
        passed_year,
        len(passed),
        sum(t.status.kind == "met" for t in passed),
        live_year,
        len(live),
        sum(t.status.on_track for t in live),
        [t for t in all_targets if t.target.status == TargetStatus.OBSOLETE],
    )


def current_settings() -> Settings:
    return settings_module.current()


def all_indicators() -> list[Indicator]:
    """Every indicator of the plan in plan order, with its targets and reported values loaded."""
    return list(
        db.session.scalars(
            select(Indicator)
            .options(selectinload(Indicator.targets), selectinload(Indicator.values))
            .order_by(Indicator.position, Indicator.code)
        )
    )


def get_indicator(code: str) -> Indicator | None:
    return db.session.scalar(
        select(Indicator)
        .where(Indicator.code == code)
        .options(selectinload(Indicator.targets), selectinload(Indicator.values))
    )


@tasks.every(minutes=5)  # no visitor waits for today's figures after a busy hour of writes
def refresh_today() -> None:
    """The worker's periodic task: today's figures under the settings in force."""
    snapshots.refresh(current_settings(), local_today())
