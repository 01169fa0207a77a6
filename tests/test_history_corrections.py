"""Corrections and undos that keep the past right: each case an outside review found, as a test
(dissolutions, suspensions and labels imported and undone, verification days corrected, a
self-registered firm approved, a declared product verified by the department's list)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select, update

from app import audit
from app import indicator_settings as settings
from app.edge import unit_of_work
from app.extensions import db
from app.imports import services as imports
from app.models import Enterprise, Product, ReviewRequest
from app.progress import indicators
from app.registry import history, reviews
from tests.factories import enterprise_code, make_enterprise, make_user, province_today
from tests.test_imports import to_csv

END_2025 = date(2025, 12, 31)
REG = [
    "ma_so_doanh_nghiep",
    "ten_doanh_nghiep",
    "loai_hinh",
    "ngay_thanh_lap",
    "ma_xa",
    "nganh_nghe_chinh",
    "so_lao_dong",
    "trang_thai",
    "ngay_tam_ngung",
    "tam_ngung_den_ngay",
    "ngay_cham_dut",
]
LAB = ["ma_so_doanh_nghiep", "nhan", "can_cu", "ngay_xac_minh"]
PROD = ["ma_so_doanh_nghiep", "ten_san_pham", "loai_chung_nhan", "so_sao", "ngay_chung_nhan"]


def _s():
    return settings.Settings(settings.defaults().values)


def _t5(day):
    return set(db.session.scalars(indicators.records("T5", day, _s(), "denominator", {})))


def _spans(firm):
    return [(s["valid_from"], s["valid_to"], s["status"], s["tech"]) for s in history.spans_of_record(firm.id)]


def test_an_undo_of_an_imported_dissolution_puts_the_firm_back_in_the_past(app_ctx):
    firm = make_enterprise("Công ty TNHH Một", founded_on=date(2015, 1, 1))
    row = [firm.code, "Công ty TNHH Một", "tnhh mtv", "01/01/2015", "22015", "1020", "8", "", "", "", "01/10/2025"]
    batch = imports.import_file(to_csv([row], REG), "d.csv", audit.CLI)
    assert batch.counts()["updated"] == 1, batch.report

    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    assert _t5(END_2025) == {firm.id}, "after the undo the firm should be active on 31/12/2025 again"


def test_an_undo_of_an_imported_past_suspension_takes_it_away(app_ctx):
    firm = make_enterprise("Công ty TNHH Hai", founded_on=date(2015, 1, 1))
    row = [
        firm.code,
        "Công ty TNHH Hai",
        "tnhh mtv",
        "01/01/2015",
        "22015",
        "1020",
        "8",
        "",
        "01/11/2025",
        "01/02/2026",
        "",
    ]
    batch = imports.import_file(to_csv([row], REG), "s.csv", audit.CLI)

    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    assert _t5(END_2025) == {firm.id}, "after the undo the suspension should be gone"


def test_a_first_registration_and_a_cessation_given_to_a_record_counted_from_its_entry(app_ctx):
    firm = make_enterprise("Công ty TNHH Ba")  # no founding day: counted from today
    row = [firm.code, "Công ty TNHH Ba", "tnhh mtv", "01/01/2010", "22015", "1020", "8", "", "", "", "01/10/2025"]
    batch = imports.import_file(to_csv([row], REG), "d.csv", audit.CLI)
    assert batch.counts()["updated"] == 1, batch.report
    db.session.expire_all()
    assert _t5(date(2024, 12, 31)) == {firm.id}, "active from 2010 until its dissolution in October 2025"


def test_an_undo_of_a_label_import_that_verified_a_declared_label_takes_it_back_from_the_past(app_ctx):
    firm = make_enterprise(
        "Công ty TNHH Phần mềm",
        main_vsic="6201",
        founded_on=date(2015, 1, 1),
        is_digital_tech=True,
        digital_tech_basis="tự khai",
        digital_tech_verification="unverified",
    )
    batch = imports.import_file(
        to_csv([[firm.code, "CNS", "VSIC 6201", "01/03/2024"]], LAB), "l.csv", audit.CLI, kind="labels"
    )
    assert batch.counts()["updated"] == 1, batch.report
    assert indicators.tech_and_startups(END_2025, _s()).value == 1
    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    assert indicators.tech_and_startups(END_2025, _s()).value == 0, "the undone label still counts in 2025"


def test_a_corrected_verification_day_moves_the_label(app_ctx):
    firm = make_enterprise("Công ty TNHH Phần mềm", main_vsic="6201", founded_on=date(2015, 1, 1))
    imports.import_file(to_csv([[firm.code, "CNS", "VSIC 6201", "01/03/2025"]], LAB), "l.csv", audit.CLI, kind="labels")
    imports.import_file(
        to_csv([[firm.code, "CNS", "VSIC 6201", "01/03/2024"]], LAB), "l2.csv", audit.CLI, kind="labels"
    )
    db.session.expire_all()
    assert indicators.tech_and_startups(END_2025 - timedelta(days=365), _s()).value == 1


def test_a_label_file_without_days_changes_nothing_on_a_later_day(app_ctx):
    firm = make_enterprise("Công ty TNHH Phần mềm", main_vsic="6201", founded_on=date(2015, 1, 1))
    rows = [[firm.code, "CNS", "VSIC 6201", ""]]
    imports.import_file(to_csv(rows, LAB), "l.csv", audit.CLI, kind="labels")
    # as if the first run had been yesterday
    db.session.execute(
        update(Enterprise)
        .where(Enterprise.id == firm.id)
        .values(digital_tech_verified_on=province_today() - timedelta(days=1))
    )
    db.session.commit()
    again = imports.import_file(to_csv(rows, LAB), "l.csv", audit.CLI, kind="labels")
    assert again.counts()["unchanged"] == 1


def test_the_departments_list_verifies_a_product_an_owner_declared_from_its_day(app_ctx):
    maker = make_enterprise("Công ty TNHH Nước mắm", founded_on=date(2010, 1, 1))
    db.session.add(
        Product(
            enterprise_id=maker.id,
            name="Nước mắm",
            name_folded="nuoc mam",
            certification="ocop",
            ocop_stars=4,
            ocop_group="food",
            certified_on=date(2021, 5, 20),
            is_active=True,
        )
    )
    db.session.commit()
    imports.import_file(
        to_csv([[maker.code, "Nước mắm", "OCOP", "4", "20/05/2021"]], PROD), "a.csv", audit.CLI, kind="products"
    )
    product = db.session.scalar(select(Product))
    assert product.verified_on is not None


def test_an_approved_self_registration_counts_from_its_first_registration(app_ctx):
    owner, staff = make_user("chu@example.vn"), make_user("staff@so.gov.vn", role="staff")
    firm = reviews.register_enterprise(
        owner,
        {"name": "Công ty TNHH Tự Đăng Ký", "commune_code": "22015", "legal_form": "tnhh2", "main_vsic": "1020",
         "employees": 8, "revenue_vnd": 2_000_000_000, "founded_on": date(2015, 1, 1)},
    )  # fmt: skip
    db.session.commit()
    assert _t5(END_2025) == set()  # pending: in no figure
    review = db.session.scalar(select(ReviewRequest))
    with current_app.test_request_context(), unit_of_work():  # the decision's message links to the listing
        reviews.decide(review, staff, True, None)
    assert _t5(END_2025) == {firm.id}  # a firm of 2015 that listed itself today counts in 2025, like one imported


@pytest.mark.parametrize("status", ["", "Đang hoạt động"])
def test_the_end_of_a_known_suspension_is_read_from_a_later_file(app_ctx, status):
    firm = make_enterprise("Công ty TNHH Năm", founded_on=date(2015, 1, 1))
    first = [
        firm.code,
        "Công ty TNHH Năm",
        "tnhh mtv",
        "01/01/2015",
        "22015",
        "1020",
        "8",
        "",
        "01/11/2025",
        "01/01/2031",
        "",
    ]
    imports.import_file(to_csv([first], REG), "a.csv", audit.CLI)
    later = [
        firm.code,
        "Công ty TNHH Năm",
        "tnhh mtv",
        "01/01/2015",
        "22015",
        "1020",
        "8",
        status,
        "01/11/2025",
        "01/06/2026",
        "",
    ]
    imports.import_file(to_csv([later], REG), "b.csv", audit.CLI)
    db.session.expire_all()
    assert db.session.get(Enterprise, firm.id).status == "active"
    assert firm.id in _t5(date(2026, 7, 31)), "back in business from 01/06/2026, as the file says"


def test_a_record_revived_then_undone_counts_nowhere_in_the_past(app_ctx):
    row = [
        enterprise_code(7, prefix="46"),
        "Công ty TNHH Bảy",
        "tnhh mtv",
        "01/01/2015",
        "22015",
        "1020",
        "8",
        "",
        "",
        "",
        "",
    ]
    a = imports.import_file(to_csv([row], REG), "a.csv", audit.CLI)
    imports.undo(a, audit.CLI)
    b = imports.import_file(to_csv([row], REG), "b.csv", audit.CLI)
    imports.undo(b, audit.CLI)
    db.session.expire_all()
    firm = db.session.scalar(select(Enterprise))
    assert {s["record_state"] for s in history.spans_of_record(firm.id)} == {
        "withdrawn"
    }  # in no figure, past or present


def test_a_corrected_dissolution_day_after_a_suspension_keeps_the_suspension():
    spans = history.timeline(
        {"founded_on": date(2015, 1, 1), "status": "dissolved", "ceased_on": date(2022, 1, 1), "suspended_on": date(2020, 1, 1),
         "commune_code": "22015", "legal_form": "tnhh2", "size_tier": "micro"},
        date(2026, 12, 7),
    )  # fmt: skip
    before = {"status": "dissolved", "ceased_on": date(2022, 1, 1)}
    after = {"status": "dissolved", "ceased_on": date(2023, 1, 1)}
    moved = history.changed(spans, history.changes_between(before, after, date(2026, 12, 7), date(2026, 12, 7)))
    assert [(s["valid_from"], s["status"]) for s in moved] == [
        (date(2015, 1, 1), "active"),
        (date(2020, 1, 1), "suspended"),
        (date(2023, 1, 1), "dissolved"),
    ]


def test_a_label_the_staff_grant_from_an_earlier_day_counts_from_that_day(client, app):
    from tests.test_records import _edit_form, _staff

    _staff(client, app)
    with app.app_context():
        firm = make_enterprise("Công ty TNHH Phần mềm", main_vsic="6201", founded_on=date(2015, 1, 1))
        key = firm.public_key
        form = _edit_form(firm, is_digital_tech="y", digital_tech_basis="VSIC 6201", effective_on="2025-06-01")
    assert client.post(f"/so/ho-so/{key}/sua", data=form).status_code == 302
    with app.app_context():
        assert indicators.tech_and_startups(END_2025, _s()).value == 1
        assert indicators.tech_and_startups(date(2025, 5, 31), _s()).value == 0
