"""Taking an assessment: pages saved on the server, resumable, submitted once, counted for the
enterprise by its verified members. What the results show is in test_assessment_results.py."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.assessment import services
from app.extensions import db
from app.models import AuditEvent, LatestAssessment
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
