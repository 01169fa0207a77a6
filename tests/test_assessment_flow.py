"""Taking an assessment: pages saved on the server, resumable, submitted once, results that help."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.assessment import scoring, services
from app.extensions import db
from app.models import Assessment, AuditEvent, EnterpriseSolution, LatestAssessment
from app.registry import latest
from tests.assessment_helpers import answer_all, low_value, page_form, start
from tests.factories import add_member, login, make_enterprise, make_user


def test_anyone_can_take_the_quick_check_and_read_the_result(client, app):
    public_id = start(client, "quick-check")
    answer_all(client, app, public_id)
    assert client.post(f"/danh-gia/lan/{public_id}/nop").status_code == 302
    page = client.get(f"/danh-gia/lan/{public_id}/ket-qua").get_data(as_text=True)
    assert re.search(r"Mức \d/5: ", page)
    assert "<svg" in page and "<table" in page
    # the line instrument · version · date sits above the heading with room under it
    assert re.search(r'<p class="page-caption">[^<]+ · phiên bản [^<]+</p>\s*<h1', page)
    from pathlib import Path

    css = (Path(app.root_path) / "static/css/site.css").read_text()
    assert re.search(r"\.page-caption \{[^}]*margin-bottom: \.5rem", css)
    assert "Làm bài đánh giá đầy đủ" in page  # the quick check invites the full assessment
    with app.app_context():
        attempt = services.by_public_id(public_id)
        assert attempt.is_submitted and attempt.instrument_id == "quick-check" and attempt.instrument_version == 1
        assert attempt.pillar_results and attempt.overall_level is not None and not attempt.counts_toward_indicators


def test_a_stranger_cannot_open_someone_elses_attempt(client, app):
    public_id = start(client, "quick-check")
    other = app.test_client()
    assert other.get(f"/danh-gia/lan/{public_id}/trang/1").status_code == 403


def test_the_private_link_resumes_from_any_device(client, app):
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id, pages=[1, 2])
    with client.session_transaction() as s:
        token = s["assessment_tokens"][public_id]
    assert token in client.get(f"/danh-gia/lan/{public_id}/trang/3").get_data(as_text=True)
    phone = app.test_client()
    response = phone.get(f"/danh-gia/tiep-tuc/{token}")
    assert response.headers["Location"].endswith(f"/danh-gia/lan/{public_id}/trang/3")
    assert phone.get(f"/danh-gia/lan/{public_id}/trang/1").status_code == 200


def test_a_validation_error_loses_nothing(client, app):
    public_id = start(client, "dbi-sme")
    with app.app_context():
        instrument = services.instrument_of(services.by_public_id(public_id))
        number_page, number_q = next(
            (i + 1, q)
            for i, p in enumerate(instrument.pillars)
            for q in p.questions
            if q.type == "number" and not q.show_if
        )
    form = page_form(app, public_id, number_page)
    form[f"q_{number_q.name}"] = ["mười hai"]
    response = client.post(f"/danh-gia/lan/{public_id}/trang/{number_page}", data={**form, "action": "next"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="mười hai"' in page and "Hãy nhập một số" in page
    with app.app_context():
        saved = services.by_public_id(public_id).answers
        others = [k[2:] for k in form if k.startswith("q_") and not k.endswith("__shown") and k != f"q_{number_q.name}"]
        assert others and all(name in saved for name in others)
        assert number_q.name not in saved


def test_required_questions_are_asked_for_when_moving_on_but_not_when_going_back(client, app):
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id, pages=[1])
    empty = {k: v for k, v in page_form(app, public_id, 2).items() if k.endswith("__shown")}
    assert client.post(f"/danh-gia/lan/{public_id}/trang/2", data={**empty, "action": "next"}).status_code == 422
    back = client.post(f"/danh-gia/lan/{public_id}/trang/2", data={**empty, "action": "back"})
    assert back.headers["Location"].endswith("/trang/1")


def test_review_lists_unanswered_required_questions(client, app):
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id, pages=[1])
    page = client.get(f"/danh-gia/lan/{public_id}/nop").get_data(as_text=True)
    assert "Còn một vài câu hỏi bắt buộc" in page
    assert client.post(f"/danh-gia/lan/{public_id}/nop").status_code == 200
    with app.app_context():
        assert not services.by_public_id(public_id).is_submitted


def test_a_submitted_attempt_is_immutable_and_submitted_once(client, app):
    public_id = start(client, "quick-check")
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    client.post(f"/danh-gia/lan/{public_id}/nop")
    response = client.post(
        f"/danh-gia/lan/{public_id}/trang/1", data={**page_form(app, public_id, 1, low_value), "action": "next"}
    )
    assert response.headers["Location"].endswith("/ket-qua")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "submit")) == 1
        attempt = services.by_public_id(public_id)
        before = dict(attempt.answers)
        try:
            services.save_page(attempt, 0, {}, require=False)
            raise AssertionError("saving a submitted attempt must fail")
        except services.AssessmentError as e:
            assert e.code == "already_submitted"
        assert services.by_public_id(public_id).answers == before


def _owner(app, state="verified"):
    with app.app_context():
        enterprise = make_enterprise()
        user = make_user("owner@example.vn")
        add_member(user, enterprise, state)
        return enterprise.id, user.id


def test_a_verified_members_full_assessment_updates_the_enterprise_latest_result(client, app):
    enterprise_id, _ = _owner(app)
    login(client, "owner@example.vn")
    public_id = start(client, "dbi-sme", enterprise_id)
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    with app.app_context():
        latest = db.session.get(LatestAssessment, enterprise_id)
        attempt = services.by_public_id(public_id)
        assert latest.assessment_id == attempt.id and latest.overall_level == attempt.overall_level == 5


def test_quick_checks_never_count(client, app):
    enterprise_id, _ = _owner(app)
    login(client, "owner@example.vn")
    public_id = start(client, "quick-check", enterprise_id)
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    with app.app_context():
        assert db.session.get(LatestAssessment, enterprise_id) is None


def test_a_pending_claimant_links_an_attempt_only_once_verified(client, app):
    """Only verified members link attempts to an enterprise: a pending claim links nothing, so that its
    results never show in the verified owners' history; once verified, the attempt is linked and counts."""
    enterprise_id, user_id = _owner(app, state="pending")
    login(client, "owner@example.vn")
    assert client.post("/danh-gia/bat-dau/dbi-sme", data={"enterprise_id": str(enterprise_id)}).status_code == 403
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    assert client.post(f"/danh-gia/lan/{public_id}/gan", data={"enterprise_id": str(enterprise_id)}).status_code == 403
    with app.app_context():
        assert db.session.get(LatestAssessment, enterprise_id) is None
        from app.models import Membership

        membership = db.session.scalar(select(Membership).filter_by(user_id=user_id))
        membership.claim_state = "verified"
        latest.on_membership_verified(membership)
        db.session.commit()
    client.post(f"/danh-gia/lan/{public_id}/gan", data={"enterprise_id": str(enterprise_id)})
    with app.app_context():
        assert db.session.get(LatestAssessment, enterprise_id).assessment_id == services.by_public_id(public_id).id


def test_someone_else_cannot_link_an_attempt_to_an_enterprise_they_do_not_belong_to(client, app):
    with app.app_context():
        enterprise_id = make_enterprise().id
        make_user("stranger@example.vn")
    login(client, "stranger@example.vn")
    assert client.post("/danh-gia/bat-dau/dbi-sme", data={"enterprise_id": str(enterprise_id)}).status_code == 403


def test_an_anonymous_attempt_is_attached_to_an_account_later(client, app):
    enterprise_id, user_id = _owner(app)
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    login(client, "owner@example.vn")  # the session is renewed at sign-in; the private-link grant survives
    with client.session_transaction() as s:
        assert public_id in s.get("assessments", [])
    with app.app_context():
        token_attempt = services.by_public_id(public_id)
    response = client.post(f"/danh-gia/lan/{public_id}/gan", data={"enterprise_id": str(enterprise_id)})
    assert response.status_code == 302
    with app.app_context():
        attempt = services.by_public_id(public_id)
        assert attempt.user_id == user_id and attempt.enterprise_id == enterprise_id
        assert db.session.get(LatestAssessment, enterprise_id).assessment_id == token_attempt.id


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
