"""The department's review queue in the browser's terms: approve or reject, with a reason that reaches the owner."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Membership, ReviewRequest
from tests.factories import login, make_enterprise, make_user


def _claim_and_staff(client, app):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Yến sào Hòa Hiệp").public_key
        make_user("chu@example.vn")
        staff = make_user("staff@so.gov.vn", role="staff")
        secret = staff.totp_secret
    login(client, "chu@example.vn")
    client.post(f"/doanh-nghiep/{key}/nhan", data={"evidence": "Giám đốc, có giấy đăng ký"})
    client.post("/dang-xuat")
    login(client, "staff@so.gov.vn", totp_secret=secret)
    with app.app_context():
        return db.session.scalar(select(ReviewRequest.id))


def test_staff_approve_a_claim_from_the_queue(client, app, outbox):
    review_id = _claim_and_staff(client, app)
    page = client.get("/so/duyet?kind=claim").get_data(as_text=True)
    assert "Giám đốc, có giấy đăng ký" in page and "Yến sào Hòa Hiệp" in page
    assert client.post(f"/so/duyet/{review_id}", data={"decision": "approve"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Membership)).claim_state == "verified"
    assert outbox.last()["To"] == "chu@example.vn"
    assert "Không có yêu cầu nào" in client.get("/so/duyet").get_data(as_text=True)


def test_rejecting_needs_a_reason(client, app):
    review_id = _claim_and_staff(client, app)
    client.post(f"/so/duyet/{review_id}", data={"decision": "reject"})
    with app.app_context():
        assert db.session.get(ReviewRequest, review_id).state == "pending"
    client.post(f"/so/duyet/{review_id}", data={"decision": "reject", "reason": "Không khớp với đăng ký kinh doanh"})
    with app.app_context():
        review = db.session.get(ReviewRequest, review_id)
        assert review.state == "rejected" and review.reason == "Không khớp với đăng ký kinh doanh"


def test_owners_cannot_open_the_queue(client, app):
    with app.app_context():
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    assert client.get("/so/duyet").status_code == 403
    assert client.post("/so/duyet/1", data={"decision": "approve"}).status_code == 403


def test_the_workspace_gathers_the_departments_tools(client, app):
    review_id = _claim_and_staff(client, app)
    page = client.get("/so/").get_data(as_text=True)
    assert review_id and "1 yêu cầu đang chờ quyết định" in page and "/so/nhap" in page and "/danh-gia/quan-ly" in page
