"""What an assessment gives back: change since last time, local providers, the peers' median, the
badge an owner opts into, who may read a result, and the staff's export of every answer."""

from __future__ import annotations

import re

from app.assessment import scoring, services
from app.extensions import db
from app.models import Assessment, EnterpriseSolution
from tests.assessment_helpers import answer_all, low_value, start
from tests.factories import add_member, login, make_enterprise, make_user
from tests.test_assessment_flow import _owner


def test_results_show_change_since_last_time_and_local_providers(client, app):
    enterprise_id, _ = _owner(app)
    with app.app_context():
        provider = make_enterprise("Công ty TNHH Giải pháp Số Tuy Hòa", main_vsic="6201", is_digital_tech=True)
        for category in (
            "e_invoice",
            "accounting",
            "ecommerce",
            "website",
            "social_marketing",
            "cybersecurity",
            "erp_crm",
            "cloud",
            "training",
            "consulting",
            "data_analytics",
            "payments",
            "connectivity",
        ):
            db.session.add(EnterpriseSolution(enterprise_id=provider.id, category=category))
        db.session.commit()
        provider_link = f'<a href="/doanh-nghiep/{provider.public_key}">Công ty TNHH Giải pháp Số Tuy Hòa</a>'
    login(client, "owner@example.vn")
    first = start(client, "dbi-sme", enterprise_id)
    answer_all(client, app, first, choose=low_value)
    client.post(f"/danh-gia/lan/{first}/nop")
    page = client.get(f"/danh-gia/lan/{first}/ket-qua").get_data(as_text=True)
    assert provider_link in page  # a provider is a way to a person: its profile, where it can be contacted
    assert "Vì sao ở mức này" in page and "trụ cột đạt mức" in page  # the rule that gave the level, the next
    second = start(client, "dbi-sme", enterprise_id)
    answer_all(client, app, second)
    client.post(f"/danh-gia/lan/{second}/nop")
    page = client.get(f"/danh-gia/lan/{second}/ket-qua").get_data(as_text=True)
    assert "Thay đổi" in page and re.search(r">\+\d+<", page)
    history = client.get("/danh-gia/lich-su").get_data(as_text=True)
    assert history.count("/ket-qua") == 2 and "<polyline" in history
    # Each level by its number and its name, as on the results page ("3 · Hình thành"), not a bare digit.
    levels = re.findall(r'data-label="Mức">([^<]*)<', history)
    assert len(levels) == 2 and all(re.fullmatch(r"\d · \w.+", level) for level in levels), levels


def test_peer_median_needs_five_peers(client, app):
    enterprise_id, _ = _owner(app)
    login(client, "owner@example.vn")
    with app.app_context():
        peers = [make_enterprise(f"Công ty TNHH Hải sản Số {i}").id for i in range(5)]

    def finish(client_, eid):
        public_id = start(client_, "dbi-sme", eid)
        answer_all(client_, app, public_id, choose=low_value)
        client_.post(f"/danh-gia/lan/{public_id}/nop")
        return public_id

    for i, eid in enumerate(peers[:4]):
        with app.app_context():
            peer_user = make_user(f"peer{i}@example.vn")
            from app.models import Enterprise

            add_member(peer_user, db.session.get(Enterprise, eid))
        c = app.test_client()
        login(c, f"peer{i}@example.vn")
        finish(c, eid)
    mine = finish(client, enterprise_id)
    assert "trung vị" not in client.get(f"/danh-gia/lan/{mine}/ket-qua").get_data(as_text=True)
    with app.app_context():
        peer_user = make_user("peer4@example.vn")
        from app.models import Enterprise

        add_member(peer_user, db.session.get(Enterprise, peers[4]))
    c = app.test_client()
    login(c, "peer4@example.vn")
    finish(c, peers[4])
    page = client.get(f"/danh-gia/lan/{mine}/ket-qua").get_data(as_text=True)
    assert "trung vị của 5 doanh nghiệp" in page


def test_owner_opts_in_to_show_the_badge(client, app):
    enterprise_id, _ = _owner(app)
    login(client, "owner@example.vn")
    public_id = start(client, "dbi-sme", enterprise_id)
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    client.post(f"/danh-gia/lan/{public_id}/huy-hieu", data={"show": "1"})
    with app.app_context():
        from app.models import Enterprise

        assert db.session.get(Enterprise, enterprise_id).shows_readiness
    assert db is not None and Assessment is not None


def test_staff_filter_and_export_every_question_with_the_version(client, app):
    import csv
    import io

    from python_calamine import CalamineWorkbook

    enterprise_id, _ = _owner(app)
    login(client, "owner@example.vn")
    public_id = start(client, "dbi-sme", enterprise_id)
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    quick = start(client, "quick-check", enterprise_id)
    answer_all(client, app, quick)
    client.post(f"/danh-gia/lan/{quick}/nop")
    client.post("/dang-xuat")

    assert client.get("/danh-gia/quan-ly").status_code == 302
    login(client, "owner@example.vn")
    assert client.get("/danh-gia/quan-ly").status_code == 403
    client.post("/dang-xuat")
    with app.app_context():
        staff = make_user("staff@so.gov.vn", role="staff")
        secret = staff.totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    page = client.get("/danh-gia/quan-ly?instrument=dbi-sme").get_data(as_text=True)
    assert "1 bài đánh giá đã nộp" in page
    assert "0 bài đánh giá đã nộp" in client.get("/danh-gia/quan-ly?level=0&instrument=dbi-sme").get_data(as_text=True)

    response = client.get("/danh-gia/quan-ly/xuat.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    labels, header = rows[0], rows[1]  # the page's language first, the column codes under it
    assert labels[:3] == ["Mã bài đánh giá", "Thời điểm nộp", "Bảng hỏi"] and "version" not in labels
    with app.app_context():
        from app.assessment.catalog import instruments

        current = instruments().current("dbi-sme").version  # the version the attempt was taken in
        assert any(h.startswith(f"dbi-sme.v{current}.") for h in header)
        assert any(h.startswith("quick-check.v1.") for h in header)
        assert sum(h.startswith(f"dbi-sme.v{current}.") for h in header) == len(
            instruments().get("dbi-sme", current).questions
        )
        question = instruments().get("dbi-sme", current).questions[0]
        assert labels[header.index(f"dbi-sme.v{current}.{question.name}")].endswith(question.label.vi)
    assert len(rows) == 4
    assert not any("dbi-sme" in cell or "quick-check" in cell for cell in rows[2] + rows[3])  # by their names

    xlsx = client.get("/danh-gia/quan-ly/xuat.xlsx?instrument=quick-check")
    assert xlsx.status_code == 200, xlsx.get_data(as_text=True)[:300]
    book = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.data))
    sheet = book.get_sheet_by_index(0).to_python()
    assert len(sheet) == 3 and sheet[2][sheet[1].index("instrument")].endswith(", phiên bản 1")


def test_exported_cells_never_run_as_formulas():
    from app.exports import safe_cell

    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [safe_cell(v) for v in ("+1", "-2", "@a", "\tb", "\rc", "ok", 5)] == [
        "'+1",
        "'-2",
        "'@a",
        "'\tb",
        "'\rc",
        "ok",
        5,
    ]


def test_a_pending_claimant_never_sees_the_owners_results(client, app):
    enterprise_id, _ = _owner(app)  # owner.example.vn is a verified member
    login(client, "owner@example.vn")
    first = start(client, "dbi-sme", enterprise_id)
    answer_all(client, app, first)
    client.post(f"/danh-gia/lan/{first}/nop")
    with app.app_context():
        from app.models import Enterprise

        add_member(make_user("claimant@example.vn"), db.session.get(Enterprise, enterprise_id), "pending")
    other = app.test_client()
    login(other, "claimant@example.vn")
    assert other.post("/danh-gia/bat-dau/dbi-sme", data={"enterprise_id": str(enterprise_id)}).status_code == 403
    mine = start(other, "dbi-sme")
    answer_all(other, app, mine, choose=low_value)
    other.post(f"/danh-gia/lan/{mine}/nop")
    page = other.get(f"/danh-gia/lan/{mine}/ket-qua").get_data(as_text=True)
    assert "Thay đổi" not in page
    assert other.get(f"/danh-gia/lan/{first}/ket-qua").status_code == 403
    assert mine not in client.get("/danh-gia/lich-su").get_data(as_text=True)  # nor in the owners' history


def test_verified_co_members_read_each_others_results(client, app):
    enterprise_id, _ = _owner(app)
    login(client, "owner@example.vn")
    public_id = start(client, "dbi-sme", enterprise_id)
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    with app.app_context():
        from app.models import Enterprise

        add_member(make_user("partner@example.vn"), db.session.get(Enterprise, enterprise_id))
    partner = app.test_client()
    login(partner, "partner@example.vn")
    assert partner.get(f"/danh-gia/lan/{public_id}/ket-qua").status_code == 200


def test_signing_in_from_a_result_keeps_access_to_it(client, app):
    _owner(app)
    public_id = start(client, "quick-check")
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    response = client.post(
        f"/dang-nhap?next=/danh-gia/lan/{public_id}/ket-qua",
        data={"email": "owner@example.vn", "password": "correct horse battery staple"},
    )
    assert client.get(response.headers["Location"]).status_code == 200


def test_blank_optional_questions_are_not_counted_and_the_results_page_says_how_each_counted(client, app):
    """dbi-sme v2: an optional question left blank leaves its pillar's maximum; a follow-up hidden
    because the capability is absent scores 0, as the question's version says, and the page tells both."""
    public_id = start(client, "dbi-sme")
    with app.app_context():
        pillars = services.instrument_of(services.by_public_id(public_id)).pillars
        number = next(i for i, p in enumerate(pillars, 1) if any(not q.required for q in p.questions))
    page = client.get(f"/danh-gia/lan/{public_id}/trang/{number}").get_data(as_text=True)
    assert "Nếu không áp dụng với doanh nghiệp, hãy để trống: câu này khi đó không được tính vào điểm." in page
    answer_all(client, app, public_id, choose=lambda q: [] if not q.required else low_value(q))
    assert client.post(f"/danh-gia/lan/{public_id}/nop").status_code == 302
    result = client.get(f"/danh-gia/lan/{public_id}/ket-qua").get_data(as_text=True)
    section = result[result.index('id="unanswered-title"') : result.index('aria-labelledby="keep-title"')]
    with app.app_context():
        attempt = services.by_public_id(public_id)
        instrument = services.instrument_of(attempt)
        optional = [q for q in instrument.questions if not q.required]
        assert attempt.instrument_version >= 2 and optional
        for q in optional:
            assert str(q.label) in section
        assert section.count("không tính: không đưa vào điểm tối đa của trụ cột") == len(optional)
        assert "được 0 điểm trên điểm tối đa của câu" in section  # a hidden follow-up (no online sales)
        assert attempt.pillar_results == scoring.score(instrument, attempt.answers).as_record()
