"""The dated history of counted facts: a firm counts from its first registration, a correction keeps
the past unless given an earlier day, and an imported registry brings its past figures with it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from app import audit
from app import indicator_settings as settings
from app.extensions import db
from app.imports import services as imports
from app.models import Enterprise, EnterprisePeriod
from app.progress import indicators
from app.registry import history
from app.registry import services as registry
from tests.factories import enterprise_code, make_enterprise, province_today
from tests.test_imports import to_csv
from tests.test_records import _edit_form, _staff

END_2025 = date(2025, 12, 31)
TODAY = date(2026, 12, 7)
FACTS = {
    "status": "active",
    "record_state": "published",
    "commune_code": "22015",
    "vsic_section": "C",
    "main_vsic": "1020",
    "size_tier": "micro",
    "legal_form": "tnhh2",
    "tech": False,
    "startup": False,
}


def spans(*parts):
    """Spans from (from, to, changes) triples over FACTS."""
    return [{"valid_from": a, "valid_to": b, **FACTS, **changes} for a, b, changes in parts]


# --- the pure rules ---------------------------------------------------------------------------------


def test_a_record_seen_first_tells_its_history_from_its_first_registration():
    row = {
        **{k: v for k, v in FACTS.items() if k not in ("tech", "startup")},
        "founded_on": date(2015, 3, 15),
        "registered_on": TODAY,
        "is_digital_tech": True,
        "digital_tech_verification": "verified",
        "digital_tech_verified_on": date(2024, 3, 1),
        "suspended_on": date(2025, 2, 1),
        "resumes_on": date(2025, 8, 1),
    }
    assert history.timeline(row, TODAY) == spans(
        (date(2015, 3, 15), date(2024, 3, 1), {}),
        (date(2024, 3, 1), date(2025, 2, 1), {"tech": True}),
        (date(2025, 2, 1), date(2025, 8, 1), {"tech": True, "status": "suspended"}),
        (date(2025, 8, 1), None, {"tech": True}),
    )
    dissolved = {**row, "status": "dissolved", "ceased_on": date(2026, 1, 10), "founded_on": None}
    assert history.timeline(dissolved, TODAY)[0]["valid_from"] == TODAY  # no first registration: from today
    assert history.timeline({**dissolved, "registered_on": date(2020, 1, 1)}, TODAY)[-1] == {
        "valid_from": date(2026, 1, 10),
        "valid_to": None,
        **FACTS,
        "tech": True,
        "status": "dissolved",
    }


def test_a_change_holds_from_its_day_on_and_neighbours_alike_are_joined():
    start = spans((date(2015, 1, 1), None, {}))
    moved = history.overwrite(start, {"commune_code": "22045"}, date(2026, 12, 7))
    assert moved == spans(
        (date(2015, 1, 1), date(2026, 12, 7), {}), (date(2026, 12, 7), None, {"commune_code": "22045"})
    )
    # a correction back to 2020 reaches the later span too, and the two now alike are one
    assert history.overwrite(moved, {"commune_code": "22045"}, date(2020, 1, 1)) == spans(
        (date(2015, 1, 1), date(2020, 1, 1), {}), (date(2020, 1, 1), None, {"commune_code": "22045"})
    )
    # a change dated before the record existed holds from its first day
    assert history.overwrite(start, {"size_tier": "small"}, date(2000, 1, 1)) == spans(
        (date(2015, 1, 1), None, {"size_tier": "small"})
    )


def test_a_corrected_first_registration_moves_the_start_of_the_history():
    two = spans((date(2015, 1, 1), date(2020, 1, 1), {}), (date(2020, 1, 1), None, {"size_tier": "small"}))
    assert history.restart(two, date(2010, 5, 1))[0]["valid_from"] == date(2010, 5, 1)
    assert history.restart(two, date(2021, 1, 1)) == spans((date(2021, 1, 1), None, {"size_tier": "small"}))


# --- corrections keep the past --------------------------------------------------------------------


def _t5(day, **filters):
    s = settings.Settings(settings.defaults().values)
    return set(db.session.scalars(indicators.records("T5", day, s, "denominator", filters)))


def test_a_correction_made_today_leaves_2025_as_it_was_unless_given_an_earlier_day(app_ctx):
    firm = make_enterprise(founded_on=date(2015, 3, 15))
    assert _t5(END_2025, commune="22015") == {firm.id}
    registry.update_enterprise(firm, audit.CLI, "staff", commune_code="22045", legal_form="tnhh1")
    db.session.commit()
    assert _t5(END_2025, commune="22015") == {firm.id}  # the past stands
    assert _t5(province_today(), commune="22045") == {firm.id}
    registry.update_enterprise(
        firm, audit.CLI, "staff", effective_on=date(2025, 6, 1), commune_code="22051", employees=300
    )
    db.session.commit()
    assert _t5(END_2025, commune="22015") == set()
    assert _t5(date(2025, 5, 31), commune="22015") == {firm.id}
    assert firm.size_tier == "large" and _t5(END_2025) == set()  # large from June 2025: out of the SMEs


def test_a_dissolution_counts_from_its_day_and_a_withdrawal_from_today(app_ctx):
    firm = make_enterprise(founded_on=date(2015, 3, 15))
    other = make_enterprise(founded_on=date(2016, 1, 1))
    registry.update_enterprise(firm, audit.CLI, "staff", status="dissolved", ceased_on=date(2025, 10, 1))
    registry.update_enterprise(other, audit.CLI, "staff", record_state="withdrawn")
    db.session.commit()
    assert _t5(date(2025, 9, 30)) == {firm.id, other.id}
    assert _t5(END_2025) == {other.id}
    assert _t5(province_today()) == set()


def test_a_label_counts_from_its_verification_and_its_revocation_from_today(app_ctx):
    s = settings.Settings(settings.defaults().values)
    firm = make_enterprise(
        founded_on=date(2018, 1, 1),
        main_vsic="6201",
        is_digital_tech=True,
        digital_tech_verification="verified",
        digital_tech_verified_on=date(2024, 5, 1),
    )
    assert indicators.tech_and_startups(END_2025, s).value == 1
    assert indicators.tech_and_startups(date(2024, 4, 30), s).value == 0
    registry.update_enterprise(firm, audit.CLI, "staff", is_digital_tech=False, digital_tech_verification="unverified")
    db.session.commit()
    assert indicators.tech_and_startups(END_2025, s).value == 1
    assert indicators.tech_and_startups(province_today(), s).value == 0


# --- an imported registry brings its past -----------------------------------------------------------

HEADER = [
    "ma_so_doanh_nghiep",
    "ten_doanh_nghiep",
    "loai_hinh",
    "ngay_thanh_lap",
    "ma_xa",
    "nganh_nghe_chinh",
    "so_lao_dong",
    "doanh_thu",
    "trang_thai",
    "ngay_tam_ngung",
    "tam_ngung_den_ngay",
    "ngay_cham_dut",
]
CODES = [enterprise_code(n, prefix="46") for n in range(1, 7)]
ROWS = [
    [CODES[0], "Công ty TNHH Một", "tnhh mtv", "15/03/2005", "22015", "1020", "8", "1.000.000.000", "", "", "", ""],
    [CODES[1], "Công ty TNHH Hai", "tnhh mtv", "01/06/2024", "22015", "1020", "8", "1.000.000.000", "", "", "", ""],
    # dissolved in 2025: active through 2024, out by the end of 2025
    [
        CODES[2],
        "Công ty TNHH Ba",
        "tnhh mtv",
        "01/01/2010",
        "22015",
        "1020",
        "8",
        "1.000.000.000",
        "",
        "",
        "",
        "01/10/2025",
    ],
    # suspended for a while in 2025, active again since
    [
        CODES[3],
        "Công ty TNHH Bốn",
        "tnhh mtv",
        "01/01/2012",
        "22015",
        "1020",
        "8",
        "1.000.000.000",
        "",
        "01/11/2025",
        "01/02/2026",
        "",
    ],
    # suspended since 2024, resuming next decade
    [
        CODES[4],
        "Công ty TNHH Năm",
        "tnhh mtv",
        "01/01/2012",
        "22015",
        "1020",
        "8",
        "1.000.000.000",
        "",
        "01/04/2024",
        "01/04/2031",
        "",
    ],
    # no date at all: counted from the import
    [CODES[5], "Công ty TNHH Sáu", "tnhh mtv", "", "22015", "1020", "8", "1.000.000.000", "", "", "", ""],
]


def _ids():
    return {e.code: e.id for e in db.session.scalars(select(Enterprise))}


def test_an_imported_registry_counts_from_each_firms_registration_and_cessation(app_ctx):
    batch = imports.import_file(to_csv(ROWS, HEADER), "dkkd.csv", audit.CLI)
    assert batch.state == "committed" and batch.new_count == 6 and batch.report["undated"] == 1
    ids = _ids()
    undated = batch.report["undated_rows"]  # the report names the row, so staff can fill its date
    assert len(undated) == 1 and undated[0]["key"] in CODES and undated[0]["row"] >= 2
    one, two, three, four, five, six = (ids[c] for c in CODES)
    assert _t5(date(2023, 12, 31)) == {one, three, four, five}
    assert _t5(date(2024, 12, 31)) == {one, two, three, four}
    assert _t5(END_2025) == {one, two}
    assert _t5(province_today()) == {one, two, four, six}
    firms = {e.code: e for e in db.session.scalars(select(Enterprise))}
    assert firms[CODES[3]].status == "active" and firms[CODES[4]].status == "suspended"
    assert firms[CODES[4]].resumes_on == date(2031, 4, 1) and firms[CODES[2]].ceased_on == date(2025, 10, 1)
    # the same file again changes nothing, its history included
    spans_before = db.session.execute(select(EnterprisePeriod.__table__).order_by(EnterprisePeriod.id)).all()
    again = imports.import_file(to_csv(ROWS, HEADER), "dkkd.csv", audit.CLI)
    assert again.counts()["unchanged"] == 6
    assert db.session.execute(select(EnterprisePeriod.__table__).order_by(EnterprisePeriod.id)).all() == spans_before


def test_an_imported_correction_with_its_day_reaches_back_and_its_undo_takes_it_back(app_ctx):
    imports.import_file(to_csv(ROWS[:1], HEADER), "dkkd.csv", audit.CLI)
    firm = db.session.scalar(select(Enterprise))
    header = ["ma_so_doanh_nghiep", "ten_doanh_nghiep", "ma_xa", "hieu_luc_tu"]
    batch = imports.import_file(
        to_csv([[CODES[0], "Công ty TNHH Một", "22045", "01/07/2025"]], header), "fix.csv", audit.CLI
    )
    assert batch.counts()["updated"] == 1
    assert _t5(date(2025, 6, 30), commune="22015") == {firm.id}
    assert _t5(END_2025, commune="22045") == {firm.id}
    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    assert _t5(END_2025, commune="22015") == {firm.id} and _t5(END_2025, commune="22045") == set()
    assert len(history.spans_of_record(firm.id)) == 1


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        (["", "", "01/02/2026", ""], "tam_ngung_den_ngay", "suspension_without_start"),
        (["", "01/02/2026", "01/01/2026", ""], "tam_ngung_den_ngay", "suspension_ends_before_it_starts"),
        (["Đang hoạt động", "", "", "01/10/2025"], "ngay_cham_dut", "ceased_but_active"),
        (["tạm ngừng kinh doanh", "01/01/2025", "01/02/2025", ""], "trang_thai", "suspension_over"),
        (["", "", "", "01/10/2001"], "ngay_cham_dut", "before_first_registration"),
    ],
)
def test_dates_of_existence_that_disagree_are_named(app_ctx, cells, column, reason):
    row = [CODES[0], "Công ty TNHH Một", "tnhh mtv", "15/03/2005", "22015", "1020", "8", "", *cells]
    batch = imports.check_file(to_csv([row], HEADER), "bad.csv", audit.CLI)
    assert [(r["column"], r["reason"]) for r in batch.report["rejected"]] == [(column, reason)]


# --- the staff form asks from when ----------------------------------------------------------------


def test_the_staff_form_asks_from_when_and_the_history_shows_it(client, app):
    _staff(client, app)
    with app.app_context():
        firm = make_enterprise("Công ty TNHH Hải Đăng", founded_on=date(2015, 3, 15))
        key, form = firm.public_key, _edit_form(firm, commune_code="22045", effective_on="2025-06-01")
        future = _edit_form(firm, status="suspended", status_since="2099-01-01", resumes_on="2099-02-01")
    response = client.post(f"/so/ho-so/{key}/sua", data=future)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "2099-02-01" in page  # what was typed stays
    assert "This day is in the future" in page or "Ngày này ở tương lai" in page
    assert client.post(f"/so/ho-so/{key}/sua", data=form).status_code == 302
    with app.app_context():
        assert _t5(date(2025, 5, 31), commune="22015") and _t5(END_2025, commune="22045")
        firm = db.session.get(Enterprise, firm.id)
        suspended = _edit_form(firm, status="suspended", status_since="2026-03-01", resumes_on="2099-06-01")
    assert client.post(f"/so/ho-so/{key}/sua", data=suspended).status_code == 302
    with app.app_context():
        firm = db.session.get(Enterprise, firm.id)
        assert (firm.status, firm.ceased_on, firm.resumes_on) == ("suspended", date(2026, 3, 1), date(2099, 6, 1))
        assert not _t5(date(2026, 4, 30)) and _t5(date(2026, 2, 28)) and not _t5(province_today())
        assert _t5(date(2099, 6, 1))  # back in business the day the suspension ends
        firm = db.session.get(Enterprise, firm.id)
        resumed = _edit_form(firm, status="active", status_since="2026-09-01", resumes_on="")
    assert client.post(f"/so/ho-so/{key}/sua", data=resumed).status_code == 302
    with app.app_context():
        assert not _t5(date(2026, 8, 31)) and _t5(date(2026, 9, 1)) and _t5(province_today())
    page = client.get(f"/so/ho-so/{key}").get_data(as_text=True)
    assert "01/06/2025" in page and "01/03/2026" in page


def test_the_batch_page_and_the_cli_say_how_many_records_count_from_the_import(client, app, runner, tmp_path):
    _staff(client, app)
    with app.app_context():
        batch_id = imports.check_file(to_csv(ROWS, HEADER), "dkkd.csv", audit.CLI).id
    client.get("/ngon-ngu/en")
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert "1 new record has no date of first registration" in page
    path = tmp_path / "dkkd.csv"
    path.write_bytes(to_csv(ROWS, HEADER))
    result = runner.invoke(args=["registry", "import", str(path), "--dry-run"])
    assert "1 new record(s) without ngay_thanh_lap" in result.output, result.output


def test_resize_sizes_the_firm_of_the_issue_as_an_sme_from_its_first_day(app_ctx, runner):
    """80 employees, 150 bn VND revenue, capital not given, in processing: small or medium whatever its
    capital is. A record sized before the rule knew ranges (here: set back to unknown) is sized again."""
    firm = make_enterprise(founded_on=date(2015, 3, 15), main_vsic="1020", employees=80, revenue_vnd=150_000_000_000)
    assert firm.size_tier == "small_medium"
    db.session.execute(update(Enterprise).where(Enterprise.id == firm.id).values(size_tier="unknown"))
    db.session.execute(update(EnterprisePeriod).values(size_tier="unknown"))
    db.session.commit()
    assert _t5(END_2025) == set()  # "unknown" leaves the SMEs' denominator
    result = runner.invoke(args=["registry", "resize"])
    assert "1 record(s) sized again" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Enterprise, firm.id).size_tier == "small_medium"
    assert _t5(END_2025) == {firm.id} and _t5(province_today()) == {firm.id}
    assert "0 record(s)" in runner.invoke(args=["registry", "resize"]).output  # a second run changes nothing
