"""Figures of past days stay what they were unless a write reaches back before them: a merge moves
products and assessments without moving them in the past (app/progress/owners.py), and a write
dated in the past marks the stored figures of its days stale (app/registry/past.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app import audit
from app import indicator_settings as settings
from app.extensions import db
from app.imports import services as imports
from app.models import EarlierOwner, IndicatorSnapshot
from app.progress import snapshots
from app.registry import merge_undo, merges, past, product_history, services
from tests.progress_helpers import attempt, enterprise, listing, product
from tests.test_import_products import HEADER
from tests.test_imports import to_csv
from tests.test_records import NOTE, STAFF

MID_2023 = date(2023, 6, 30)
END_2024 = date(2024, 12, 31)
END_2025 = date(2025, 12, 31)


def _s():
    return settings.Settings(settings.defaults().values)


def _t4_t5(day: date) -> tuple:
    """(T4 listed, T4 certified, T5 transformed, T5 SMEs) as of the day, computed now."""
    t4 = snapshots.indicators.compute("T4", day, _s()).total
    t5 = snapshots.indicators.compute("T5", day, _s()).total
    return (t4.numerator, t4.denominator, t5.numerator, t5.denominator)


def _one_firm_twice():
    """One firm, two records: the duplicate since 2020 with a product certified in 1/2023 and sold
    online since 3/2023 and an assessment of 2023 at level 2; the record kept since 1/1/2024 with an
    assessment of 2024 at level 0."""
    duplicate = enterprise(name="Cong ty Nuoc mam Hai Dang", code=None)
    item = product(duplicate, date(2023, 1, 15), date(2023, 1, 15))
    listing(item, (date(2023, 3, 1), True), (date(2024, 3, 1), True), (date(2025, 3, 1), True))
    attempt(duplicate, date(2023, 5, 1), level=2)
    keep = enterprise(registered_on=date(2024, 1, 1), name="Công ty TNHH Nước mắm Hải Đăng")
    attempt(keep, date(2024, 5, 1), level=0)
    return keep, duplicate


def test_a_merge_from_a_day_given_leaves_the_days_before_it_as_they_were_and_the_undo_too(app_ctx):
    keep, duplicate = _one_firm_twice()
    days = (MID_2023, END_2024, END_2025)
    before = {day: _t4_t5(day) for day in days}
    assert before[MID_2023] == (1, 1, 1, 1)  # the duplicate alone: its product online, its level 2
    assert before[END_2024] == (1, 1, 1, 2)  # both records: the duplicate transformed, the record kept not

    merges.merge(keep, duplicate, STAFF, NOTE, one_from=date(2025, 7, 1))
    db.session.commit()
    assert {day: _t4_t5(day) for day in (MID_2023, END_2024)} == {d: before[d] for d in (MID_2023, END_2024)}
    assert _t4_t5(END_2025) == (1, 1, 0, 1), "once, as the record kept: its own newer result (level 0)"
    assert db.session.scalar(select(func.count()).select_from(EarlierOwner)) == 2  # its product and its result

    merge_undo.undo_merge(merge_undo.last_merge(keep), STAFF, "Hai doanh nghiệp khác nhau")
    db.session.commit()
    assert {day: _t4_t5(day) for day in days} == before
    assert db.session.scalar(select(func.count()).select_from(EarlierOwner)) == 0


def test_a_merge_from_the_start_counts_the_firm_once_but_its_products_not_before_they_were_its(app_ctx):
    keep, duplicate = _one_firm_twice()
    merges.merge(keep, duplicate, STAFF, NOTE)
    db.session.commit()
    assert _t4_t5(MID_2023)[:2] == (1, 1), "the product still counts in 2023, under the duplicate then"
    assert _t4_t5(END_2025)[:2] == (1, 1)


def _stored(code: str, day: date):
    """The figure as a page shows it (stored once computed), read in a request of its own."""
    total = snapshots.figure(code, day, _s()).total
    db.session.commit()  # the request ends: the figure was stored on a connection of its own
    return total


def test_a_correction_given_an_earlier_day_changes_the_stored_figures_of_those_days_only(app_ctx):
    firm, other = (enterprise(employees=5, revenue_vnd=1_000_000_000) for _ in range(2))
    assert (_stored("T5", END_2024).denominator, _stored("T5", END_2025).denominator) == (2, 2)
    assert db.session.scalar(select(func.count()).select_from(IndicatorSnapshot)) == 2

    large = {"employees": 300, "revenue_vnd": 900_000_000_000}
    services.update_enterprise(firm, STAFF, "manual", **large)  # from today: the past stays
    db.session.commit()
    assert (_stored("T5", END_2024).denominator, _stored("T5", END_2025).denominator) == (2, 2)

    services.update_enterprise(other, STAFF, "manual", effective_on=date(2025, 6, 1), **large)
    db.session.commit()
    stale = db.session.scalars(select(IndicatorSnapshot.as_of).where(IndicatorSnapshot.registry_version == past.STALE))
    assert list(stale) == [END_2025], "the figure of 31/12/2024 still holds"
    assert _stored("T5", END_2025).denominator == 1, "large from 1/6/2025: out of the SME denominator"
    assert _stored("T5", END_2024).denominator == 2


def test_a_certificate_withdrawn_from_a_past_day_changes_the_stored_t4_of_that_day(app_ctx):
    firm = enterprise()
    item = product(firm, date(2024, 3, 1), date(2024, 3, 1))
    listing(item, (date(2025, 3, 1), True))
    assert _stored("T4", END_2025).denominator == 1
    product_history.withdraw(item, STAFF, "manual", on=date(2025, 10, 1))
    db.session.commit()
    assert _stored("T4", END_2025).denominator == 0


def test_a_list_of_past_certificates_imported_and_its_undo_change_the_stored_figures_of_their_days(app_ctx):
    maker = enterprise(name="Công ty TNHH Nước mắm Hải Đăng")
    assert _stored("T4", END_2024).denominator == 0
    rows = [[maker.code, "Nước mắm Hải Đăng", "OCOP", "4 sao", "Thực phẩm", "12/QĐ-UBND", "20/05/2024", ""]]
    batch = imports.import_file(to_csv(rows, HEADER), "ocop.csv", audit.CLI, kind="products")
    assert batch.state == "committed", batch.report
    assert _stored("T4", END_2024).denominator == 1, "no `flask progress rebuild` needed"
    imports.undo(batch, audit.CLI)
    assert _stored("T4", END_2024).denominator == 0
