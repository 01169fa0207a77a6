"""Where each target stands: met or missed at a passed deadline, or the progress toward a live one.

A live target is achieved when the current value reaches it. Otherwise progress is read with the
anticipated-progress method of the UN ESCAP SDG progress reports (as in Open SDG): the compound
annual growth observed since the base period (the previous target's deadline, or the plan's start)
divided by the growth needed to reach the target by its year; the ratio is substantial (on track), moderate, limited or deteriorating by thresholds
kept in the targets data. Beside it, a straight line through the last 12 months of the series,
extended to the deadline, and what is needed per month from now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.indicator_settings import Settings

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Point:
    day: date
    value: float


@dataclass(frozen=True)
class Status:
    kind: str  # met, missed, achieved, substantial, moderate, limited, deteriorating, insufficient, obsolete, qualitative, no_data
    deadline: date
    target: float | None
    value: float | None  # the value at the deadline (passed) or now (live)
    value_day: date | None
    ratio: float | None = None  # anticipated progress: observed ÷ required growth
    projection: float | None = None  # straight line from the last 12 months, at the deadline
    per_month_needed: float | None = None
    base: Point | None = None
    deadline_passed: bool = False

    @property
    def passed(self) -> bool:
        """The deadline is behind the day asked: the target is a result (met, missed, or no data then)."""
        return self.deadline_passed

    @property
    def on_track(self) -> bool:
        return self.kind in ("achieved", "substantial")


def deadline_of(year: int) -> date:
    return date(year, 12, 31)


def value_on(points: list[Point], day: date) -> Point | None:
    """The latest point on or before the day."""
    before = [p for p in points if p.day <= day]
    return before[-1] if before else None


def _years(start: date, end: date) -> float:
    return (end - start).days / DAYS_PER_YEAR


def anticipated_ratio(base: Point, now: Point, target: float, deadline: date) -> float | None:
    """ESCAP: ((now/base)^(1/(t−t0)) − 1) ÷ ((target/base)^(1/(T−t0)) − 1), or None where undefined."""
    elapsed, horizon = _years(base.day, now.day), _years(base.day, deadline)
    if base.value <= 0 or now.value < 0 or elapsed <= 0 or horizon <= 0 or target <= 0:
        return None
    observed = (now.value / base.value) ** (1 / elapsed) - 1
    required = (target / base.value) ** (1 / horizon) - 1
    if required <= 0:
        return None
    return observed / required


def linear_projection(points: list[Point], now: date, deadline: date) -> float | None:
    """Least squares through the points of the last 12 months, read at the deadline."""
    recent = [p for p in points if 0 <= (now - p.day).days <= 366]
    if len(recent) < 2:
        return None
    xs = [(p.day - now).days for p in recent]
    ys = [p.value for p in recent]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return mean_y + slope * ((deadline - now).days - mean_x)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _base(points: list[Point], s: Settings, since: date | None) -> Point | None:
    """The base period: the value at the previous target's deadline (a 2030 target builds on 2025),
    else the first value from the plan's start; ESCAP needs a positive base, so zeros are skipped."""
    if since is not None:
        at = value_on(points, since)
        if at is not None and at.value > 0:
            return at
    return next((p for p in points if p.day >= s.plan_start and p.value > 0), None)


def classify(ratio: float, s: Settings) -> str:
    if ratio >= float(s.status_substantial):
        return "substantial"
    if ratio >= float(s.status_moderate):
        return "moderate"
    if ratio >= float(s.status_limited):
        return "limited"
    return "deteriorating"


def target_status(
    points: list[Point],
    target: float | None,
    year: int,
    state: str,
    today: date,
    s: Settings,
    since: date | None = None,
    ceiling: float | None = None,
) -> Status:
    """The status of one target from the indicator's points (in date order) and today's date.

    ``since``: the deadline of the indicator's previous target, the base period of a later one.
    ``ceiling``: the most the unit allows (100 for a share): a straight line beyond it is read as it.
    """
    deadline = deadline_of(year)
    if state == "obsolete":
        return Status("obsolete", deadline, target, None, None, deadline_passed=deadline <= today)
    if target is None:
        latest = value_on(points, min(today, deadline))
        return Status(
            "qualitative",
            deadline,
            None,
            latest.value if latest else None,
            latest.day if latest else None,
            deadline_passed=deadline <= today,
        )
    if deadline <= today:  # the figure as of the deadline day is its result
        at = value_on(points, deadline)
        if at is None:
            return Status("no_data", deadline, target, None, None, deadline_passed=True)
        return Status(
            "met" if at.value >= target else "missed", deadline, target, at.value, at.day, deadline_passed=True
        )
    now = value_on(points, today)
    if now is None:
        return Status("no_data", deadline, target, None, None)
    projection = linear_projection(points, now.day, deadline)
    if projection is not None and ceiling is not None:
        projection = min(projection, ceiling)  # a share's line reaches 100 % and stays there
    months_left = max(months_between(today, deadline), 1)
    needed = max(target - now.value, 0) / months_left
    if now.value >= target:
        return Status("achieved", deadline, target, now.value, now.day, None, projection, 0.0)
    base = _base(points, s, since)
    ratio = anticipated_ratio(base, now, target, deadline) if base else None
    kind = "insufficient" if ratio is None else classify(ratio, s)
    return Status(kind, deadline, target, now.value, now.day, ratio, projection, needed, base)
