"""The status of a target: met or missed at a passed deadline, ESCAP anticipated progress for a live one."""

from __future__ import annotations

from datetime import date

import pytest

from app import indicator_settings as settings
from app.progress.status import Point, anticipated_ratio, linear_projection, target_status

S = settings.Settings(settings.defaults().values)
TODAY = date(2026, 11, 30)


def test_a_passed_deadline_is_met_exactly_or_missed_by_the_value_on_the_deadline():
    points = [Point(date(2025, 11, 30), 48.0), Point(date(2025, 12, 31), 50.0), Point(date(2026, 6, 30), 40.0)]
    met = target_status(points, 50.0, 2025, "active", TODAY, S)
    assert (met.kind, met.value, met.value_day) == ("met", 50.0, date(2025, 12, 31))
    missed = target_status(points[:1], 50.0, 2025, "active", TODAY, S)
    assert (missed.kind, missed.value) == ("missed", 48.0)
    assert target_status([], 50.0, 2025, "active", TODAY, S).kind == "no_data"


def test_obsolete_and_qualitative_targets():
    assert target_status([Point(date(2024, 1, 1), 70.0)], 80.0, 2025, "obsolete", TODAY, S).kind == "obsolete"
    qualitative = target_status([Point(date(2026, 3, 1), 1.0)], None, 2030, "active", TODAY, S)
    assert (qualitative.kind, qualitative.value) == ("qualitative", 1.0)


def test_a_live_target_reached_is_achieved():
    status = target_status([Point(date(2026, 10, 31), 81.0)], 80.0, 2030, "active", TODAY, S)
    assert status.kind == "achieved" and status.on_track


def test_escap_ratio_by_hand():
    # From 10 on 1 Jan 2023 to 20 on 1 Jan 2025 (731 days, 2.0014 years, ×2): observed growth
    # 2^(1/2.0014) − 1 = 0.41380. To reach 80 by 1 Jan 2031 (2,922 days, 8 years, ×8): required
    # growth 8^(1/8) − 1 = 0.29684. Ratio 1.394.
    base, now = Point(date(2023, 1, 1), 10.0), Point(date(2025, 1, 1), 20.0)
    ratio = anticipated_ratio(base, now, 80.0, date(2031, 1, 1))
    expected = (2 ** (365.25 / 731) - 1) / (8 ** (365.25 / 2922) - 1)
    assert ratio == pytest.approx(expected) and ratio == pytest.approx(1.394, abs=1e-3)


# Base 10 on 31/01/2023, target 80 by 31/12/2030: the growth needed is 8^(1/7.92) − 1 = 30 % a year.
# Reaching 30 by 30/11/2026 (3.83 years) is 33 % a year (ratio 1.1), 20 is 20 % (0.66), 11 is 2.5 % (0.08).
@pytest.mark.parametrize(
    "now_value, kind", [(30.0, "substantial"), (20.0, "moderate"), (11.0, "limited"), (9.0, "deteriorating")]
)
def test_classes_of_anticipated_progress(now_value, kind):
    points = [Point(date(2023, 1, 31), 10.0), Point(date(2026, 11, 30), now_value)]
    status = target_status(points, 80.0, 2030, "active", TODAY, S)
    assert status.kind == kind
    assert status.base == points[0]
    assert status.per_month_needed == pytest.approx((80.0 - now_value) / 49)  # Nov 2026 → Dec 2030


def test_a_zero_base_uses_the_first_positive_value_and_none_gives_insufficient():
    points = [Point(date(2023, 1, 31), 0.0), Point(date(2023, 6, 30), 5.0), Point(date(2026, 11, 30), 20.0)]
    assert target_status(points, 80.0, 2030, "active", TODAY, S).base == points[1]
    flat = [Point(date(2023, 1, 31), 0.0), Point(date(2026, 11, 30), 0.0)]
    assert target_status(flat, 80.0, 2030, "active", TODAY, S).kind == "insufficient"


def test_straight_line_projection_through_the_last_twelve_months():
    # +1 point a month for a year, 29 on 30/11/2026 → 29 + 49 = 78 on 31/12/2030 (49 months on).
    from app.progress.dimensions import month_ends

    days = list(month_ends(date(2025, 11, 1), TODAY))
    points = [Point(day, 17.0 + k) for k, day in enumerate(days)]
    assert points[-1] == Point(TODAY, 29.0)
    assert linear_projection(points, TODAY, date(2030, 12, 31)) == pytest.approx(78.0, abs=0.5)
    assert linear_projection(points[-1:], TODAY, date(2030, 12, 31)) is None


def test_a_later_target_builds_on_the_previous_deadline():
    points = [Point(date(2023, 1, 31), 1.0), Point(date(2025, 12, 31), 25.0), Point(date(2026, 11, 30), 33.0)]
    status = target_status(points, 80.0, 2030, "active", TODAY, S, since=date(2025, 12, 31))
    assert status.base == points[1]
    assert target_status(points, 80.0, 2030, "active", TODAY, S).base == points[0]


def test_a_passed_deadline_without_data_is_a_result_not_a_live_target():
    status = target_status([], 50.0, 2025, "active", TODAY, S)
    assert status.kind == "no_data" and status.passed and not status.on_track


def test_a_shares_straight_line_is_read_as_100_at_most():
    """A share growing fast in its last 12 months would pass 100 % by the deadline: it reads 100."""
    points = [Point(date(2025, 12, 31), 40.0), Point(date(2026, 6, 30), 60.0), Point(date(2026, 11, 30), 75.0)]
    free = target_status(points, 90.0, 2030, "active", TODAY, S)
    bounded = target_status(points, 90.0, 2030, "active", TODAY, S, ceiling=100.0)
    assert free.projection > 100 and bounded.projection == 100.0


def test_the_ratio_is_said_in_plain_words(app):
    from app.progress.display import status_sentence
    from app.progress.status import Status

    base = Point(date(2023, 1, 31), 10.0)
    with app.test_request_context(headers={"Accept-Language": "en"}):

        def said(ratio: float) -> str:
            status = Status("moderate", date(2030, 12, 31), 80.0, 30.0, date(2026, 11, 30), ratio, base=base)
            return status_sentence(status, "percent")

        assert "2.6 times the pace needed" in said(2.64) and "%" not in said(2.64).split(":")[-1]
        assert "at 45% of the pace needed" in said(0.45)
        assert "has not grown" in said(-0.2)
