"""The progress pages, downloads and drill-down as the public and staff see them."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from tests.factories import login, make_user


def staff_client(app, client, role: str = "staff"):
    """Sign the client in as a new member of the department (staff, or admin)."""
    with app.app_context():
        user = make_user(role=role)
        email, secret = user.email, user.totp_secret
    login(client, email, totp_secret=secret)
    return client


def test_progress_dashboard_shows_every_target_with_its_status(province, client):
    page = client.get("/tien-do")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Doanh nghiệp nhỏ và vừa thực hiện chuyển đổi số" in html
    assert "Đạt" in html  # T1 2025 met
    assert "Không đạt" in html  # T5 2025 missed
    assert "Mục tiêu đã lỗi thời" in html or "lỗi thời" in html  # the district target apart
    assert html.index('id="card-T4"') < html.index('id="card-T6"') < html.index('id="card-T1"'), "the platform's first"
    assert client.get("/progress").status_code == 301


def test_english_dashboard(province, client):
    client.set_cookie("lang", "en")
    html = client.get("/tien-do").get_data(as_text=True)
    assert "Progress toward the targets" in html
    assert "Small and medium enterprises carrying out digital transformation" in html


def test_public_indicator_page_hides_small_communes_and_has_no_drill_down(province, client):
    html = client.get("/tien-do/T5?theo=commune").get_data(as_text=True)
    assert "<svg" in html and "series-chart" in html
    assert "Bình Kiến" in html
    assert "ẩn: ít hơn 5 doanh nghiệp" in html
    assert "/ho-so" not in html
    response = client.get("/tien-do/T5/theo-commune.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    csv = response.get_data(as_text=True)
    hidden = next(line for line in csv.splitlines() if ",22045," in line).split(",")
    assert hidden[2:6] == ["", "", "", ""] and hidden[-1] == "có", "numbers empty, the flag says why"


def test_the_breakdown_chart_shows_the_communes_that_have_enterprises_and_the_table_all(province, client):
    staff_client(province, client)
    html = client.get("/tien-do/T5?theo=commune").get_data(as_text=True)
    chart = html[html.index('id="breakdown-chart"') : html.index("</svg>", html.index('id="breakdown-chart"'))]
    table = html[html.index("<tbody>", html.index('id="breakdown-title"')) :]
    table = table[: table.index("</tbody>")]
    assert 0 < chart.count("chart-bar-row") < table.count("<tr>"), "a commune with no SME is a row, not a bar"
    assert "chart-bar-hidden" not in chart  # staff see every figure


def test_on_a_phone_a_breakdown_shows_its_five_largest_groups_and_a_link_to_all(province, client):
    page = client.get("/tien-do/T5?theo=commune").get_data(as_text=True)
    table = page[page.index("<tbody>", page.index('id="breakdown-title"')) :]
    table = table[: table.index("</tbody>")]
    rows = table.count("<tr")
    assert rows > 5 and rows - table.count('class="d-none d-md-table-row"') == 5
    assert "tat-ca=1" in page
    every = client.get("/tien-do/T5?theo=commune&tat-ca=1").get_data(as_text=True)
    assert 'class="d-none d-md-table-row"' not in every


def test_every_breakdown_over_time_downloads_in_the_long_format(province, client):
    client.set_cookie("lang", "en")
    page = client.get("/tien-do/T5").get_data(as_text=True)
    assert "/tien-do/T5/phan-to-theo-thang.csv" in page
    response = client.get("/tien-do/T5/phan-to-theo-thang.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Date,Dimension,Code,Group,Value,Numerator,Denominator")
    days = {line.split(",")[0] for line in lines[1:]}
    dimensions = {line.split(",")[1] for line in lines[1:]}
    assert len(days) >= 2 and len(dimensions) >= 3, "every month of the series, every dimension"
    hidden = [line.split(",") for line in lines[1:] if line.endswith(",yes")]
    assert hidden and all(cells[4:8] == ["", "", "", ""] for cells in hidden)  # suppressed for the public
    assert client.get("/tien-do/T1/phan-to-theo-thang.csv").status_code == 404  # a reported indicator has none


def test_staff_indicator_page_links_every_number_to_its_records(province, client):
    staff_client(province, client)
    dashboard = client.get("/tien-do").get_data(as_text=True)
    assert "/tien-do/T5/ho-so?phan=denominator" in dashboard and "/tien-do/T4/ho-so?phan=numerator" in dashboard
    html = client.get("/tien-do/T5?theo=commune").get_data(as_text=True)
    assert "/tien-do/T5/ho-so?phan=numerator" in html
    records = client.get("/tien-do/T5/ho-so?phan=numerator&commune=22045")
    assert records.status_code == 200
    assert "1 hồ sơ" in records.get_data(as_text=True)
    export = client.get("/tien-do/T5/ho-so?phan=numerator&dinh-dang=csv")
    assert export.status_code == 200
    assert export.get_data(as_text=True).count("\n") == 1 + 8


def test_drill_down_is_for_staff_only(province, client):
    assert client.get("/tien-do/T5/ho-so").status_code == 302
    with province.app_context():
        owner = make_user()
        email = owner.email
    login(client, email)
    assert client.get("/tien-do/T5/ho-so").status_code == 403


def test_as_of_a_past_day_and_bad_days(province, client):
    html = client.get("/tien-do/T5?ngay=31/12/2024").get_data(as_text=True)
    assert "31/12/2024" in html
    assert client.get("/tien-do/T5?ngay=31/02/2024").status_code == 200  # a message, today's figures
    client.set_cookie("lang", "en")
    for typed, said in (
        ("31/02/2024", "02/2024 has 29 days"),
        ("12/31/2024", "There is no month 31"),
        ("abc", "dd/mm"),
    ):
        page = client.get(f"/tien-do/T5?ngay={typed}").get_data(as_text=True)
        assert f'value="{typed}"' in page and said in page and 'id="as-of-error"' in page, typed
    assert client.get("/tien-do/T5?ngay=2999-01-01").status_code == 200
    assert client.get("/tien-do/T99").status_code == 404


def test_public_workbook_has_aggregates_only_and_staff_gets_records(province, client):
    public = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/tien-do/bao-cao.xlsx").data))
    assert public.sheet_names[0] == "Tóm tắt"
    assert "T5" in public.sheet_names
    assert not any("hồ sơ" in name for name in public.sheet_names)
    series = public.get_sheet_by_name("Chuỗi số liệu").to_python()
    assert series[1][0] == "Ngày" and "T5" in series[1] and "T4" in series[1]  # one column per indicator
    assert len({len(row) for row in series[1:]}) == 1 and len(series) > 3  # one row per day of the series
    hidden = public.get_sheet_by_name("Theo xã, phường").to_python()  # every commune's cell suppressed here
    assert {cell for row in hidden[2:] if row and row[0] in ("Tuy Hòa", "Bình Kiến") for cell in row[1:] if cell} == {
        "x"
    }
    assert any(str(row[0]).startswith("x: ") for row in hidden)  # the symbol explained
    staff_client(province, client)
    private = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/tien-do/bao-cao.xlsx").data))
    communes = private.get_sheet_by_name("Theo xã, phường").to_python()
    t5 = communes[1].index("T5")
    shares = {row[0]: row[t5] for row in communes[2:]}
    breakdown = private.get_sheet_by_name("T5").to_python()  # the same shares in T5's own sheet
    by_commune = {row[0]: row[2] for row in breakdown if row and row[0] in shares}
    assert shares == pytest.approx(by_commune) and shares["Tuy Hòa"] > shares["Bình Kiến"] > 0
    records = private.get_sheet_by_name("T5 hồ sơ").to_python()
    assert len(records) == 2 + 8  # title, header, 8 transformed SMEs


def test_admin_changes_a_setting_with_an_audit_entry_and_the_definition_follows(province, client):
    from app.extensions import db
    from app.models import AuditEvent

    assert "mức 1 trở lên" in client.get("/tien-do/T5").get_data(as_text=True)
    staff_client(province, client, role="admin")
    refused = client.post("/so/chi-tieu/cai-dat/t5_threshold_level", data={"value": "9", "reading_vi": "x"})
    assert refused.status_code == 422 and "phải nằm trong khoảng từ 0 đến 5" in refused.get_data(as_text=True)
    assert 'value="9"' in refused.get_data(as_text=True)  # what was typed is kept
    saved = client.post(
        "/so/chi-tieu/cai-dat/t5_threshold_level",
        data={"value": "2", "reading_vi": "Từ mức 2", "reading_en": "From level 2"},
    )
    assert saved.status_code == 302
    html = client.get("/tien-do/T5").get_data(as_text=True)
    assert "mức 2 trở lên" in html
    with province.app_context():
        event = db.session.query(AuditEvent).filter_by(entity_type="indicator_setting", action="update").one()
        assert event.before["value"] == "1" and event.after["value"] == "2"


def test_staff_cannot_change_settings(province, client):
    staff_client(province, client)
    assert client.get("/so/chi-tieu/cai-dat").status_code == 200
    assert client.post("/so/chi-tieu/cai-dat/t5_threshold_level", data={"value": "2"}).status_code == 403


def test_targets_file_loads_the_settings_and_keeps_the_departments_values(province):
    from app.extensions import db
    from app.models import IndicatorSetting
    from app.targets.loader import load_targets

    with province.app_context():
        assert db.session.get(IndicatorSetting, "t5_validity_months").value == "24"
        db.session.get(IndicatorSetting, "t5_validity_months").value = "18"
        db.session.commit()
        load_targets()
        assert db.session.get(IndicatorSetting, "t5_validity_months").value == "18"
        load_targets(replace=True)
        assert db.session.get(IndicatorSetting, "t5_validity_months").value == "24"


def test_home_page_shows_the_live_figures(province, client):
    html = client.get("/").get_data(as_text=True)
    assert "/tien-do" in html and "50%" in html


def test_todays_figures_are_served_while_a_task_computes_them_again_after_a_write(province, client):
    from app import audit
    from app.extensions import db
    from app.progress import snapshots
    from tests.progress_helpers import attempt, enterprise

    province.config.update(PROGRESS_BACKGROUND_REFRESH=True, PROGRESS_REFRESH_SECONDS=0)
    first = client.get("/api/v1/indicators/T5").get_json()
    assert (first["numerator"], first["denominator"]) == (8, 16)
    with province.app_context():
        from app.i18n import local_today

        attempt(enterprise(), local_today(), 3)
        audit.record(audit.CLI, "submit", "assessment", 0, None, {"level": 3})  # a recorded write moves the version
        db.session.commit()
    stale = client.get("/api/v1/indicators/T5").get_json()
    assert (stale["numerator"], stale["denominator"]) == (8, 16)  # served at once; the task computes it again
    assert client.get("/api/v1/indicators/T5").get_json()["numerator"] == 9  # asked again within the minute: stored
    snapshots._asked.clear()
    fresh = client.get("/api/v1/indicators/T5").get_json()
    assert (fresh["numerator"], fresh["denominator"]) == (9, 17)


def test_a_reported_indicator_shows_its_entries_with_their_source(province, client):
    html = client.get("/tien-do/T1").get_data(as_text=True)
    assert "Báo cáo 12/BC-STTTT" in html and "01/10/2025" in html
    assert "Đạt" in html  # 100 % on 31/12/2025 against 100 %


def test_the_indicator_page_says_how_the_status_is_decided_and_why_the_projection_differs(province, client):
    """T5 showed "On track" beside a projection below its target with no word on why: both are right
    (growth since the base period as a compounding yearly rate, against a straight line through the
    last 12 months), and the page says so in each language, with the thresholds in force."""
    from datetime import date

    from app.indicator_settings import defaults
    from app.progress import display
    from app.progress.status import Point, Status

    for lang, words, threshold in (
        ("vi", ("Cách xác định trạng thái", "đường thẳng qua 12 tháng gần nhất"), "95"),
        ("en", ("How the status is decided", "a straight line through the last 12 months"), "95%"),
    ):
        client.set_cookie("lang", lang)
        html = client.get("/tien-do/T5").get_data(as_text=True)
        assert 'id="status-method"' in html and all(w in html for w in words), lang
        assert threshold in html
        index = client.get("/tien-do").get_data(as_text=True)
        assert words[1] in index

    on_track_below = Status(
        "substantial",
        date(2030, 12, 31),
        80.0,
        33.4,
        date(2026, 11, 30),
        1.35,
        67.8,
        1.0,
        Point(date(2025, 12, 31), 25.4),
    )
    with province.test_request_context(headers={"Cookie": "lang=en"}):
        note = display.projection_note(on_track_below, "percent")
        assert note.startswith("Short of the target, though the status is on track") and "31 Dec 2025" in note
        behind_but_line_reaches = Status(
            "limited",
            date(2030, 12, 31),
            80.0,
            33.4,
            date(2026, 11, 30),
            0.2,
            85.0,
            1.0,
            Point(date(2025, 12, 31), 25.4),
        )
        assert display.projection_note(behind_but_line_reaches, "percent").startswith("Reaches the target")
        agreeing = Status("substantial", date(2030, 12, 31), 80.0, 33.4, date(2026, 11, 30), 1.35, 90.0, 1.0)
        assert display.projection_note(agreeing, "percent") == ""
        assert "95%" in display.status_method(defaults()) and "60%" in display.status_method(defaults())
