"""Import of past assessment results: a province's existing results come in with their days, count
toward T5 from them (an external instrument's only when the setting says so), and go with their undo."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app import audit
from app import indicator_settings as settings
from app.extensions import db
from app.imports import services as imports
from app.imports.kinds import KINDS
from app.imports.revert import UndoRefused
from app.models import Assessment, AuditEvent, Enterprise, LatestAssessment
from app.models.base import today_local
from app.progress import indicators
from app.registry.latest import recompute_latest
from app.targets.loader import load_targets
from tests import progress_helpers as helpers
from tests.factories import add_member, login, make_user
from tests.test_imports import to_csv

HEADER = [
    "ma_so_doanh_nghiep",
    "ngay_danh_gia",
    "bo_cong_cu",
    "phien_ban",
    "ten_cong_cu",
    "muc_tong_the",
    "diem",
    "cac_tru_cot",
]
MINISTRY = "Bộ chỉ số DBI 2023 của Bộ KH&CN"


def _settings(**changes) -> settings.Settings:
    return settings.Settings(settings.defaults().values | changes)


def _t5(day: date, **changes):
    return indicators.smes_transformed(day, _settings(**changes))


def _import(rows, name="ket-qua.csv"):
    return imports.import_file(to_csv(rows, HEADER), name, audit.CLI, kind="results")


def test_imported_results_count_for_t5_from_their_day_and_a_second_run_changes_nothing(app_ctx):
    a, b, c, d = (helpers.enterprise() for _ in range(4))
    rows = [
        [a.code, "15/09/2024", "dbi-sme", "", "", "2", "", ""],
        [b.code, "10/03/2025", "DBI-SME", "1", "", "1", "30%", "chiến lược: 2; khách hàng: 45%; dữ liệu: 1"],
        [c.code, "01/06/2024", "ngoài", "", MINISTRY, "3", "0,62", ""],
        [d.code, "20/08/2024", "quick-check", "", "", "4", "", ""],  # an estimate: kept, never counted
    ]
    batch = _import(rows)
    assert batch.state == "committed" and batch.new_count == 4, batch.report
    end_2024 = _t5(date(2024, 12, 31))
    assert (end_2024.numerator, end_2024.denominator) == (1, 4)  # a; the external result does not count
    assert (end_2024.extra["assessed"], end_2024.extra["imported"]) == (1, 1)
    end_2025 = _t5(date(2025, 12, 31))
    assert (end_2025.numerator, end_2025.extra["imported"]) == (2, 2)
    assert _t5(date(2024, 9, 14)).numerator == 0  # counted from its day, not before
    # With the setting on, the external result counts too, and the snapshots are keyed apart.
    assert _t5(date(2024, 12, 31), t5_counts_external=True).numerator == 2
    t5 = indicators.DEFINITIONS["T5"]
    assert t5.key(_settings(t5_counts_external=True)) != t5.key(_settings())
    assert "không được tính" in t5.rule(_settings())[0] and "do not count" in t5.rule(_settings())[1]
    assert "count too" in t5.rule(_settings(t5_counts_external=True))[1]

    found = {r.enterprise_id: r for r in db.session.scalars(select(Assessment))}
    assert all(r.is_imported and r.user_id is None and r.answers == {} for r in found.values())
    assert (found[a.id].instrument_id, found[a.id].instrument_version) == ("dbi-sme", 2)  # the current version
    assert found[b.id].instrument_version == 1 and found[b.id].total_share == 0.3
    assert found[b.id].pillar_results == {
        "strategy": {"level": 2},
        "customer": {"share": 0.45, "points": 29.25, "level": 3},
        "data": {"level": 1},
    }
    external = found[c.id]
    assert external.instrument_id.startswith("external:") and len(external.instrument_id) <= 40
    assert (external.instrument_name, external.instrument_version, external.total_share) == (MINISTRY, 1, 0.62)
    assert found[d.id].counted_at is None
    latest = {r.enterprise_id: r for r in db.session.scalars(select(LatestAssessment))}
    assert set(latest) == {a.id, b.id, c.id} and latest[a.id].assessment_id == found[a.id].id
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.provenance == f"import:{batch.id}")).all()
    assert {(e.entity_type, e.action) for e in events} == {("assessment", "create")} and len(events) == 4

    again = _import(rows)
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 4, "rejected": 0, "held": 0}
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 4


def test_rows_that_cannot_be_results_are_named(app_ctx):
    e = helpers.enterprise()
    rows = [
        ["4400000000", "15/09/2024", "dbi-sme", "", "", "2", "", ""],
        [e.code, "15/09/2024", "dbi-sme", "", "", "7", "", ""],
        [e.code, "15/09/2099", "dbi-sme", "", "", "2", "", ""],
        [e.code, "15/09/2024", "dbi-sme", "9", "", "2", "", ""],
        [e.code, "15/09/2024", "ngoài", "", "", "2", "", ""],
        [e.code, "15/09/2024", "dbi-sme", "", "", "2", "", "bán hàng: 2"],
        [e.code, "15/09/2024", "dbi-sme", "", "", "2", "150%", ""],
        [e.code, "16/09/2024", MINISTRY, "", "", "2", "", "chiến lược: 2"],
    ]
    batch = imports.check_file(to_csv(rows, HEADER), "sai.csv", audit.CLI, kind="results")
    found = [(r["row"], r["column"], r["reason"]) for r in batch.report["rejected"]]
    assert found == [
        (2, "ma_so_doanh_nghiep", "not_in_registry"),
        (3, "muc_tong_the", "bad_level"),
        (4, "ngay_danh_gia", "future_date"),
        (5, "phien_ban", "unknown_version"),
        (6, "ten_cong_cu", "external_needs_name"),
        (7, "cac_tru_cot", "unknown_pillar"),
        (8, "diem", "bad_score"),
        (9, "cac_tru_cot", "pillars_of_external"),
    ]
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0
    assert KINDS["results"].columns.date_field == "submitted_on"


def _own_result(e, day: date, level: int) -> Assessment:
    own = helpers.attempt(e, day, level)  # the owner's own attempt, counted
    recompute_latest([e.id])
    db.session.commit()
    return own


def test_the_undo_deletes_the_results_and_the_latest_result_goes_back(app_ctx):
    e = helpers.enterprise()
    own = _own_result(e, date(2024, 1, 10), 1)
    batch = _import([[e.code, "01/02/2025", "dbi-sme", "", "", "3", "", ""]])
    latest = db.session.get(LatestAssessment, e.id)
    assert (latest.overall_level, latest.total_share) == (3, None)  # the newer, imported, without a score
    assert _t5(date(2025, 6, 30), t5_threshold_level=3).extra["imported"] == 1
    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    assert db.session.scalars(select(Assessment.id)).all() == [own.id]
    latest = db.session.get(LatestAssessment, e.id)
    assert (latest.assessment_id, latest.overall_level) == (own.id, 1)  # back to the owner's own result
    figure = _t5(date(2025, 6, 30), t5_threshold_level=3)
    assert (figure.numerator, figure.extra["imported"]) == (0, 0)


def test_a_corrected_file_updates_the_result_and_its_undo_puts_it_back(app_ctx):
    e = helpers.enterprise()
    first = _import([[e.code, "01/02/2025", "dbi-sme", "", "", "2", "", ""]])
    corrected = _import([[e.code, "01/02/2025", "dbi-sme", "", "", "3", "55%", ""]])
    assert corrected.counts()["updated"] == 1
    latest = db.session.get(LatestAssessment, e.id)
    assert (latest.overall_level, latest.total_share) == (3, 0.55)  # the correction reaches the latest
    imports.undo(corrected, audit.CLI)
    db.session.expire_all()
    assert db.session.get(LatestAssessment, e.id).overall_level == 2
    with pytest.raises(UndoRefused) as refused:  # changed since (by the correction and its undo)
        imports.undo(db.session.merge(first), audit.CLI)
    assert refused.value.touched == [f"{e.public_key} · dbi-sme v2 · 01/02/2025"]


def test_the_owner_and_the_profile_see_that_a_result_was_imported(client, app):
    with app.app_context():
        e = helpers.enterprise(shows_readiness=True)
        owner = make_user("owner@example.vn")
        add_member(owner, e)
        _import(
            [
                [e.code, "01/02/2024", "dbi-sme", "", "", "2", "", "chiến lược: 2; khách hàng: 45%"],
                [e.code, "01/06/2025", "ngoài", "", MINISTRY, "3", "", ""],
            ]
        )
        ours, theirs = (
            db.session.scalar(select(Assessment.public_id).where(Assessment.instrument_id == "dbi-sme")),
            db.session.scalar(select(Assessment.public_id).where(Assessment.instrument_id != "dbi-sme")),
        )
        key = db.session.get(Enterprise, e.id).public_key
    client.set_cookie("lang", "en")
    profile = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert "level 3 of 5" in profile and "the department imported from its records" in profile
    assert MINISTRY.replace("&", "&amp;") in profile
    login(client, "owner@example.vn")
    history = client.get("/danh-gia/lich-su").get_data(as_text=True)
    assert history.count("imported by the department") == 2 and MINISTRY.replace("&", "&amp;") in history
    page = client.get(f"/danh-gia/lan/{ours}/ket-qua").get_data(as_text=True)
    assert "The department imported this result from its records" in page and "no answers behind it" in page
    assert "Strategy" in page and "45%" in page  # the pillars the records give
    assert f"/danh-gia/lan/{ours}/gan" not in page  # nothing to save to one's account
    assert "How unanswered questions count" not in page
    page = client.get(f"/danh-gia/lan/{theirs}/ket-qua").get_data(as_text=True)
    assert "an external instrument" in page and MINISTRY.replace("&", "&amp;") in page
    assert "Level 3 on that instrument's scale" in page
    assert "/danh-gia/bat-dau/dbi-sme" in page  # our own assessment, not the external one's questions
    refused = client.post(f"/danh-gia/lan/{theirs}/gan", data={})
    assert refused.status_code != 302 or "/ket-qua" not in refused.headers.get("Location", "")
    with app.app_context():
        assert db.session.scalar(select(Assessment.user_id).where(Assessment.public_id == theirs)) is None


def test_how_t5_is_computed_says_which_results_were_imported(client, app):
    day = today_local() - timedelta(days=30)
    with app.app_context():
        load_targets()
        e = helpers.enterprise()
        _import([[e.code, day.strftime("%d/%m/%Y"), "dbi-sme", "", "", "2", "", ""]])
    client.set_cookie("lang", "en")
    page = client.get("/tien-do/T5").get_data(as_text=True)
    assert "Past results the department imported from its records count from the day" in page
    assert "do not count" in page  # an external instrument's, by default
    # one imported result: the public reads "fewer than 5"
    assert "fewer than 5 have a latest result the department imported from its records" in page


def test_the_external_setting_reads_yes_and_no_in_both_languages(app_ctx):
    assert settings.defaults().t5_counts_external is False
    assert [settings.parse("t5_counts_external", v) for v in ("có", "Không", "true", "0", False)] == [
        True,
        False,
        True,
        False,
        False,
    ]
    with pytest.raises(settings.SettingError):
        settings.parse("t5_counts_external", "có lẽ")
    assert settings.change("t5_counts_external", "bật", "Tính cả kết quả ngoài.", "External results count.", audit.CLI)
    db.session.commit()
    assert settings.current().t5_counts_external is True
    assert settings.current().plain()["t5_counts_external"] == "true"
    assert settings.SPECS["t5_counts_external"].shown(True) == "có"  # in the language of the request
    with force_locale("en"):
        assert settings.SPECS["t5_counts_external"].shown(True) == "yes"


def test_staff_find_the_guide_and_template_and_read_each_rows_reason(client, app):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
        code = helpers.enterprise().code
    login(client, "staff@so.gov.vn", totp_secret=secret)
    client.set_cookie("lang", "en")
    page = client.get("/so/nhap?kind=results").get_data(as_text=True)
    assert "cac_tru_cot" in page and "chiến lược: 2; khách hàng: 45%; dữ liệu: 1" in page
    template = client.get("/so/nhap/mau.csv?kind=results").get_data(as_text=True)
    assert template.lstrip("\ufeff").splitlines()[0].split(",") == HEADER
    rows = [[code, "15/09/2024", "dbi-sme", "", "", "Mức 7", "", ""]]
    data = {"file": (io.BytesIO(to_csv(rows, HEADER)), "ket-qua.csv"), "kind": "results"}
    response = client.post("/so/nhap", data=data, content_type="multipart/form-data")
    batch_id = response.headers["Location"].rstrip("/").split("/")[-1]
    report = client.get(f"/so/nhap/{batch_id}/loi.csv").get_data(as_text=True)
    assert "muc_tong_the,bad_level,A readiness level is a whole number from 0 to 5.,Mức 7" in report
