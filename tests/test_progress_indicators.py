"""Each computed indicator on small hand-built data, with the expected numbers written out."""

from __future__ import annotations

from datetime import date

import pytest

from app import audit
from app import indicator_settings as settings
from app.extensions import db
from app.progress import indicators, products_online
from app.progress.figures import Cell, public, suppress
from app.registry import services as registry
from tests.progress_helpers import attempt, enterprise, listing, product

pytestmark = pytest.mark.usefixtures("app_ctx")
DAY = date(2025, 12, 31)


def defaults(**changes):
    values = settings.defaults().values | changes
    return settings.Settings(values)


def ids(code, day, part="numerator", s=None, **filters):
    query = indicators.records(code, day, s or defaults(), part, filters)
    return set(db.session.scalars(query))


# --- T5 ---------------------------------------------------------------------------------------------


def test_t5_counts_smes_at_or_above_the_threshold_over_active_smes():
    transformed = enterprise()
    attempt(transformed, date(2025, 6, 1), 2)
    at_zero = enterprise()
    attempt(at_zero, date(2025, 6, 1), 0)
    enterprise()  # an SME never assessed
    enterprise()
    figure = indicators.smes_transformed(DAY, defaults())
    assert (figure.numerator, figure.denominator) == (1, 4)
    assert figure.value == pytest.approx(25.0)
    assert figure.extra["assessed"] == 2  # coverage 2 of 4
    assert figure.extra["levels"] == {"none": 2, "0": 1, "1": 0, "2": 1, "3": 0, "4": 0, "5": 0}
    assert ids("T5", DAY) == {transformed.id}


def test_t5_has_no_value_without_smes():
    household = enterprise(legal_form="hkd", personal_id="044190000001", name="Hộ kinh doanh Lê Văn An")
    attempt(household, date(2025, 6, 1), 3)
    figure = indicators.smes_transformed(DAY, defaults())
    assert (figure.numerator, figure.denominator, figure.value) == (0, 0, None)
    assert figure.apart["household"] == 1


def test_t5_keeps_households_branches_large_and_unknown_sizes_apart():
    sme = enterprise()
    attempt(sme, date(2025, 1, 1), 1)
    household = enterprise(legal_form="hkd", personal_id="044190000002", name="Hộ kinh doanh Trần Thị Bé")
    attempt(household, date(2025, 1, 1), 1)
    parent = enterprise()
    branch = enterprise(legal_form="branch", code=parent.code + "-001", name="Chi nhánh Công ty Thử Nghiệm")
    attempt(branch, date(2025, 1, 1), 2)
    enterprise(employees=None, revenue_vnd=None)  # unknown size
    enterprise(employees=500, revenue_vnd=900_000_000_000)  # large
    figure = indicators.smes_transformed(DAY, defaults())
    assert (figure.numerator, figure.denominator) == (1, 2)  # sme and parent
    assert figure.apart == {"household": 1, "branch": 1, "large": 1, "unknown": 1}
    assert ids("T5", DAY, "denominator") == {sme.id, parent.id}
    assert ids("T5", DAY, "branch") == {branch.id}


def test_t5_validity_window_edges():
    inside, outside = enterprise(), enterprise()
    attempt(inside, date(2024, 1, 1), 2)  # 24 months before 31/12/2025 is 31/12/2023: inside
    attempt(outside, date(2023, 12, 31), 2)  # on the window's first day: outside (older than 24 months)
    figure = indicators.smes_transformed(DAY, defaults())
    assert figure.numerator == 1
    assert ids("T5", DAY) == {inside.id}
    assert indicators.smes_transformed(DAY, defaults(t5_validity_months=36)).numerator == 2


def test_t5_reads_the_latest_attempt_only_and_ignores_uncounted_ones():
    fell_back = enterprise()
    attempt(fell_back, date(2024, 5, 1), 3)
    attempt(fell_back, date(2025, 5, 1), 0)  # the latest decides
    uncounted = enterprise()
    attempt(uncounted, date(2025, 5, 1), 4, counted=False)  # a quick check, or no verified member
    figure = indicators.smes_transformed(DAY, defaults())
    assert figure.numerator == 0
    assert figure.extra["assessed"] == 1


def test_t5_threshold_is_a_setting():
    e = enterprise()
    attempt(e, date(2025, 5, 1), 2)
    assert indicators.smes_transformed(DAY, defaults(t5_threshold_level=3)).numerator == 0
    assert indicators.smes_transformed(DAY, defaults(t5_threshold_level=2)).numerator == 1


def test_t5_as_of_a_past_day_is_not_changed_by_later_records():
    early = enterprise(registered_on=date(2022, 1, 1))
    attempt(early, date(2025, 3, 1), 2)
    before = indicators.smes_transformed(DAY, defaults())
    assert (before.numerator, before.denominator) == (1, 1)
    # Later: a new enterprise registered, another attempt, the first one dissolved.
    late = enterprise(registered_on=date(2026, 2, 1))
    attempt(late, date(2026, 3, 1), 3)
    attempt(early, date(2026, 4, 1), 0)
    registry.update_enterprise(early, audit.CLI, "staff", status="dissolved", ceased_on=date(2026, 5, 1))
    db.session.commit()
    again = indicators.smes_transformed(DAY, defaults())
    assert (again.numerator, again.denominator, again.extra) == (1, 1, before.extra)
    now = indicators.smes_transformed(date(2026, 6, 30), defaults())
    assert (now.numerator, now.denominator) == (1, 1)  # early has ceased; late counts


def test_t5_breakdowns_by_commune_and_size():
    a = enterprise(commune_code="22015")
    attempt(a, date(2025, 5, 1), 1)
    enterprise(commune_code="22015")
    b = enterprise(commune_code="22045", employees=60, revenue_vnd=40_000_000_000)  # small (industry)
    attempt(b, date(2025, 5, 1), 1)
    figure = indicators.smes_transformed(DAY, defaults())
    assert figure.by["commune"]["22015"] == Cell(1, 2, 2)
    assert figure.by["commune"]["22045"] == Cell(1, 1, 1)
    assert figure.by["size"]["micro"] == Cell(1, 2, 2)
    assert figure.by["size"]["small"] == Cell(1, 1, 1)
    assert ids("T5", DAY, "denominator", commune="22015") == {a.id} | (ids("T5", DAY, "denominator") - {a.id, b.id})
    assert ids("T5", DAY, "numerator", size="small") == {b.id}


def test_t5_priority_sectors_count_an_enterprise_in_each_of_its_groups():
    boat = enterprise(main_vsic="5011")  # sea passenger transport: marine economy and transport
    attempt(boat, date(2025, 5, 1), 2)
    figure = indicators.smes_transformed(DAY, defaults())
    assert figure.by["priority"]["marine"] == Cell(1, 1, 1)
    assert figure.by["priority"]["transport"] == Cell(1, 1, 1)
    assert ids("T5", DAY, priority="transport") == {boat.id}


# --- T6 ---------------------------------------------------------------------------------------------


def test_t6_counts_verified_labels_from_the_day_they_were_verified():
    tech = enterprise(
        main_vsic="6201",
        is_digital_tech=True,
        digital_tech_verification="verified",
        digital_tech_verified_on=date(2024, 3, 1),
    )
    both = enterprise(
        main_vsic="6201",
        is_digital_tech=True,
        digital_tech_verification="verified",
        is_startup=True,
        startup_verification="verified",
        founded_on=date(2023, 6, 1),
        digital_tech_verified_on=date(2025, 2, 1),
        startup_verified_on=date(2025, 2, 1),
    )
    enterprise(main_vsic="6201", is_digital_tech=True, digital_tech_verification="unverified")
    enterprise(
        main_vsic="6201", is_startup=True, startup_verification="verified", startup_verified_on=date(2026, 1, 15)
    )
    db.session.commit()
    figure = indicators.tech_and_startups(DAY, defaults())
    assert figure.value == 2
    assert figure.extra["split"] == {"tech": 1, "startup": 0, "both": 1}
    assert figure.extra["labelled_by_year"] == {"2024": 1, "2025": 1}
    assert ids("T6", DAY) == {tech.id, both.id}
    assert indicators.tech_and_startups(date(2024, 12, 31), defaults()).value == 1
    since = indicators.tech_and_startups(DAY, defaults(t6_formed_reading="since_plan_start"))
    assert since.value == 2  # tech labelled 2024, both founded 2023: both since the plan began
    assert (
        indicators.tech_and_startups(
            DAY, defaults(t6_formed_reading="since_plan_start", plan_start=date(2025, 1, 1))
        ).value
        == 1
    )


# --- T4 ---------------------------------------------------------------------------------------------


def test_t4_counts_verified_valid_products_with_a_fresh_listing():
    owner = enterprise()
    online = product(owner, date(2024, 6, 1), date(2024, 7, 1))
    listing(online, (date(2025, 3, 1), True))
    stale = product(owner, date(2024, 6, 1), date(2024, 7, 1))
    listing(stale, (date(2024, 10, 1), True))  # checked 15 months before: not fresh
    gone = product(owner, date(2024, 6, 1), date(2024, 7, 1))
    listing(gone, (date(2025, 1, 1), True), (date(2025, 6, 1), False))  # the latest check found it gone
    product(owner, date(2024, 6, 1), date(2024, 7, 1))  # never listed
    expired = product(owner, date(2022, 11, 1), date(2022, 12, 1))  # OCOP: 36 months end 01/11/2025
    listing(expired, (date(2025, 11, 1), True))
    product(owner, date(2025, 1, 1), None)  # self-declared, awaiting verification
    product(owner, date(2024, 1, 1), date(2024, 2, 1), group="tourism")
    gi = product(owner, date(2015, 1, 1), date(2016, 1, 1), certification="gi", expires_on=None)
    listing(gi, (date(2025, 12, 31), True))
    product(owner, date(2015, 1, 1), date(2016, 1, 1), certification="collective_mark", expires_on=date(2025, 1, 1))
    figure = products_online.certified_products_online(DAY, defaults())
    assert (figure.numerator, figure.denominator) == (2, 5)  # online and gi, of online/stale/gone/never/gi
    assert figure.value == pytest.approx(40.0)
    assert figure.apart == {"tourism": 1, "expired": 2, "unverified": 1}
    assert ids("T4", DAY) == {online.id, gi.id}
    assert figure.total.enterprises == 1


def test_t4_as_of_before_verification_and_after_expiry():
    owner = enterprise()
    p = product(owner, date(2023, 3, 1), date(2023, 5, 1))
    listing(p, (date(2023, 6, 1), True), (date(2024, 6, 1), True), (date(2025, 6, 1), True))
    assert products_online.certified_products_online(date(2023, 4, 30), defaults()).apart["unverified"] == 1
    assert products_online.certified_products_online(date(2023, 12, 31), defaults()).numerator == 1
    after = products_online.certified_products_online(date(2026, 3, 1), defaults())  # expired on 01/03/2026
    assert (after.numerator, after.denominator, after.apart["expired"]) == (0, 0, 1)
    assert products_online.certified_products_online(date(2026, 2, 28), defaults()).numerator == 1


# --- suppression ----------------------------------------------------------------------------------


def test_primary_and_secondary_suppression():
    cells = {"a": Cell(3, 40, 40), "b": Cell(1, 3, 3), "c": Cell(2, 12, 12), "d": Cell(0, 0, 0)}
    shown = suppress(cells, 5)
    assert shown["b"].hidden  # 3 enterprises: primary
    assert shown["c"].hidden  # the smallest other cell: else b = total − a − c
    assert not shown["a"].hidden and shown["a"].share == pytest.approx(7.5)
    assert not shown["d"].hidden  # an empty cell describes nobody
    assert shown["b"].numerator == 0 and shown["b"].denominator is None


def test_two_small_cells_are_completed_until_together_they_describe_enough_enterprises():
    # b and c hidden describe 2 enterprises: the total minus a would reveal both; d joins them.
    shown = suppress({"a": Cell(1, 40, 40), "b": Cell(1, 1, 1), "c": Cell(1, 1, 1), "d": Cell(2, 12, 12)}, 5)
    assert sorted(k for k, c in shown.items() if c.hidden) == ["b", "c", "d"]
    enough = suppress({"a": Cell(1, 40, 40), "b": Cell(1, 3, 3), "c": Cell(1, 2, 2)}, 5)
    assert sorted(k for k, c in enough.items() if c.hidden) == ["b", "c"]


def test_levels_cannot_be_worked_out_from_the_numerator_and_the_coverage():
    from app.progress.figures import Figure, public

    extra = {"assessed": 21, "levels": {"none": 6, "0": 2, "1": 6, "2": 6, "3": 7, "4": 0, "5": 0}}
    figure = Figure("T5", DAY, "percent", {"t5_threshold_level": "1"}, Cell(19, 27, 27), {}, extra, {})
    shown = public(figure, 5).extra
    # Level 0 is alone below the threshold: coverage − numerator (21 − 19) would reveal it, so the
    # coverage and "no valid assessment" are hidden too; only none + 0 = 27 − 19 = 8 can be known.
    assert shown["levels"] == {"none": None, "0": None, "1": 6, "2": 6, "3": 7, "4": 0, "5": 0}
    assert shown["assessed"] is None


def test_public_figure_suppresses_breakdowns_and_level_counts_but_not_the_total():
    for commune in ("22015",) * 6 + ("22045",) * 2:
        e = enterprise(commune_code=commune)
        attempt(e, date(2025, 5, 1), 1)
    figure = public(indicators.smes_transformed(DAY, defaults()), 5)
    assert figure.total == Cell(8, 8, 8)
    assert figure.by["commune"]["22045"].hidden
    assert figure.by["commune"]["22015"].hidden  # the other cell: else recoverable from the total
    assert figure.extra["levels"]["1"] == 8


def test_a_snapshot_is_keyed_by_the_settings_its_rule_reads_only():
    t5 = indicators.DEFINITIONS["T5"]
    assert t5.key(defaults(suppression_minimum=10)) == t5.key(defaults())  # a display setting
    assert t5.key(defaults(t5_threshold_level=2)) != t5.key(defaults())
    assert indicators.DEFINITIONS["T4"].key(defaults(t5_threshold_level=2)) == indicators.DEFINITIONS["T4"].key(
        defaults()
    )
