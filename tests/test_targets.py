"""Targets and reported indicators: the plan loaded from its file, values entered by staff, targets edited by admins."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Indicator, IndicatorValue, Target
from app.targets.loader import TargetFileError, load_targets
from tests.factories import login, make_user, province_today


def _load(app):
    with app.app_context():
        load_targets()
        db.session.commit()


def _target(code: str, year: int) -> Target:
    return db.session.scalar(select(Target).join(Indicator).where(Indicator.code == code, Target.year == year))


def _sign_in(client, app, role="staff", email=None):
    email = email or f"{role}@so.gov.vn"
    with app.app_context():
        secret = make_user(email, role=role).totp_secret
    login(client, email, totp_secret=secret)
    return email


def test_the_plan_file_gives_the_provinces_targets(app):
    _load(app)
    with app.app_context():
        codes = db.session.scalars(select(Indicator.code).order_by(Indicator.position)).all()
        assert codes[:8] == ["T1", "T2-province", "T2-district", "T2-commune", "T3", "T4", "T5", "T6"]
        district = _target("T2-district", 2025)
        assert district.value == Decimal("80") and district.status == "obsolete"
        assert "01/07/2025" in district.status_note
        assert _target("T2-commune", 2025).status == "active"
        t4 = _target("T4", 2030)
        assert t4.value == Decimal("80") and "percentage points" in t4.reading_en
        assert _target("T3", 2030).value == Decimal("15") and "15–20" in _target("T3", 2030).reading_vi
        assert _target("T7", 2030).value is None  # qualitative
        computed = {i.code: i.metric for i in db.session.scalars(select(Indicator).where(Indicator.kind == "computed"))}
        assert set(computed) == {"T4", "T5", "T6"} and all(computed.values())


def test_loading_again_changes_nothing_and_keeps_an_admins_edit(app):
    _load(app)
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        _target("T1", 2025).status = "achieved"
        db.session.commit()
        summary = load_targets()
        db.session.commit()
        assert summary.changed == 0
        assert _target("T1", 2025).status == "achieved"
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
        summary = load_targets(replace=True)
        db.session.commit()
        assert summary.replaced == 1 and _target("T1", 2025).status == "active"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "replace_from_file"))
        assert event.before == {"status": "achieved"} and event.after == {"status": "active"}


def test_missing_targets_are_added_from_the_file(app):
    _load(app)
    with app.app_context():
        db.session.delete(_target("T6", 2025))
        db.session.commit()
        summary = load_targets()
        db.session.commit()
        assert (summary.indicators_added, summary.targets_added) == (0, 1)
        assert _target("T6", 2025).value == Decimal("100")


def test_the_cli_loads_a_given_file_and_refuses_a_broken_one(runner, app, tmp_path):
    good = tmp_path / "plan.yaml"
    good.write_text(
        "indicators:\n  - {code: X1, name_vi: Chỉ số, name_en: Index, kind: reported, unit: count,"
        " targets: [{year: 2027, value: 5}]}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["targets", "load", "--file", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 indicators and 1 targets added" in result.output
    with app.app_context():
        assert _target("X1", 2027).value == Decimal("5")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "indicators:\n  - {code: X2, name_vi: A, name_en: B, kind: computed, unit: count}\n", encoding="utf-8"
    )
    result = runner.invoke(args=["targets", "load", "--file", str(bad)])
    assert result.exit_code == 1 and "metric" in result.output
    with pytest.raises(TargetFileError, match="unit"):
        bad.write_text(
            "indicators:\n  - {code: X3, name_vi: A, name_en: B, kind: reported, unit: kg}\n", encoding="utf-8"
        )
        with app.app_context():
            load_targets(bad)


def test_reference_load_inserts_the_targets_once(runner, app):
    assert runner.invoke(args=["reference", "load"]).exit_code == 0
    result = runner.invoke(args=["reference", "load"])
    assert "0 indicators and 0 targets added" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Target)) == 17


def test_staff_enter_a_reported_value_and_see_its_history(client, app):
    _load(app)
    email = _sign_in(client, app)
    page = client.get("/so/chi-tieu").get_data(as_text=True)
    assert "Hồ sơ công việc cấp xã được xử lý trên môi trường mạng" in page and "60%" in page
    assert "T2-commune</" not in page  # targets by their names, the code only in links
    response = client.post(
        "/so/chi-tieu/T2-commune",
        data={"value": "72,5", "as_of": "30/06/2025", "source_document": "Báo cáo 123/BC-STTTT", "note": "Quý II"},
    )
    assert response.status_code == 302
    client.post(
        "/so/chi-tieu/T2-commune",
        data={"value": "73", "as_of": "30/06/2025", "source_document": "Báo cáo 123/BC-STTTT (đính chính)"},
    )
    with app.app_context():
        values = db.session.scalars(select(IndicatorValue).order_by(IndicatorValue.id)).all()
        assert [(v.value, v.as_of, v.entered_by_label) for v in values] == [
            (Decimal("72.50"), date(2025, 6, 30), email),
            (Decimal("73.00"), date(2025, 6, 30), email),
        ]
        assert values[0].note == "Quý II"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report_value").order_by(AuditEvent.id))
        assert event.after["value"] == "72.50" and event.after["indicator"] == "T2-commune"
    page = client.get("/so/chi-tieu/T2-commune").get_data(as_text=True)
    assert "30/06/2025" in page and "72,5%" in page and "73%" in page and "<s>72,5%</s>" in page
    assert "73%" in client.get("/so/chi-tieu").get_data(as_text=True)  # the newest entry counts


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": "-1"}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": "100,5"}, "value"),
        ({"as_of": "2025-06-30"}, "as_of"),
        ({"as_of": "31/02/2025"}, "as_of"),
        ({"as_of": (province_today() + timedelta(days=2)).strftime("%d/%m/%Y")}, "as_of"),
        ({"source_document": "  "}, "source_document"),
    ],
)
def test_invalid_values_are_refused_and_what_was_typed_stays(client, app, data, field):
    _load(app)
    _sign_in(client, app)
    form = {"value": "50", "as_of": "01/01/2025", "source_document": "Quyết định 45/QĐ-UBND", "note": "ghi chú", **data}
    response = client.post("/so/chi-tieu/T1", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert re.search(
        rf'name="{field}"[^>]*aria-describedby="[^"]*{field}-error"|aria-describedby="[^"]*{field}-error"[^>]*name="{field}"',
        page,
    )
    assert f'value="{form["value"]}"' in page and "ghi chú" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == 0


def test_counts_may_exceed_100_but_computed_indicators_take_no_values(client, app):
    _load(app)
    _sign_in(client, app)
    with app.app_context():
        db.session.add(Indicator(code="X-count", name_vi="Số", name_en="Number", kind="reported", unit="count"))
        db.session.commit()
    assert (
        client.post(
            "/so/chi-tieu/X-count", data={"value": "1.250", "as_of": "01/01/2025", "source_document": "BC 1"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/so/chi-tieu/T6", data={"value": "5", "as_of": "01/01/2025", "source_document": "BC 1"}
        ).status_code
        == 422
    )
    with app.app_context():
        assert db.session.scalars(select(IndicatorValue.value)).all() == [Decimal("1250.00")]
    assert 'name="source_document"' not in client.get("/so/chi-tieu/T6").get_data(as_text=True)


def test_admins_edit_a_target_with_an_audit_event(client, app):
    _load(app)
    _sign_in(client, app, role="admin")
    page = client.get("/so/chi-tieu/T4/2030").get_data(as_text=True)
    assert 'value="80"' in page
    response = client.post(
        "/so/chi-tieu/T4/2030",
        data={
            "value": "70",
            "reading_vi": "Sở quyết định 70 %",
            "reading_en": "Set by the department",
            "status": "active",
            "status_note": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        target = _target("T4", 2030)
        assert target.value == Decimal("70") and target.reading_vi == "Sở quyết định 70 %" and target.updated_by_id
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.entity_type == "target")
        )
        assert event.before["value"] == "80.00" and event.after["value"] == "70.00"


def test_an_obsolete_target_needs_a_note_and_errors_keep_the_input(client, app):
    _load(app)
    _sign_in(client, app, role="admin")
    response = client.post(
        "/so/chi-tieu/T1/2025", data={"value": "101", "reading_vi": "giữ lại", "status": "obsolete", "status_note": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="value-error"' in page and 'id="status_note-error"' in page
    assert 'value="101"' in page and "giữ lại" in page
    with app.app_context():
        assert _target("T1", 2025).status == "active" and _target("T1", 2025).value == Decimal("100")


def test_staff_may_not_edit_targets(client, app):
    _load(app)
    _sign_in(client, app, role="staff")
    assert client.get("/so/chi-tieu/T1/2025").status_code == 403
    assert client.post("/so/chi-tieu/T1/2025", data={"value": "1", "status": "active"}).status_code == 403
    assert "/so/chi-tieu/T1/2025" not in client.get("/so/chi-tieu/T1").get_data(as_text=True)
    with app.app_context():
        assert _target("T1", 2025).value == Decimal("100")


def test_owners_cannot_see_or_enter_values(client, app):
    _load(app)
    with app.app_context():
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    assert client.get("/so/chi-tieu").status_code == 403
    assert (
        client.post("/so/chi-tieu/T1", data={"value": "1", "as_of": "01/01/2025", "source_document": "x"}).status_code
        == 403
    )


def test_english_dates_and_numbers(client, app):
    _load(app)
    _sign_in(client, app)
    client.post("/so/chi-tieu/T3", data={"value": "8,25", "as_of": "31/12/2024", "source_document": "Cục Thống kê"})
    client.set_cookie("lang", "en")
    page = client.get("/so/chi-tieu/T3").get_data(as_text=True)
    assert "31 Dec 2024" in page and "8.25%" in page
