"""The department's review queue in the browser's terms: approve or reject, with a reason that reaches the owner."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise, Membership, ReviewRequest
from tests.factories import add_member, login, make_enterprise, make_user, province_today


def _claim_and_staff(client, app):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Yến sào Hòa Hiệp").public_key
        make_user("chu@example.vn")
        staff = make_user("staff@so.gov.vn", role="staff")
        secret = staff.totp_secret
    login(client, "chu@example.vn")
    client.post(
        f"/doanh-nghiep/{key}/nhan", data={"representative": "Nguyễn Văn An", "evidence": "Giám đốc, có giấy đăng ký"}
    )
    client.post("/dang-xuat")
    login(client, "staff@so.gov.vn", totp_secret=secret)
    with app.app_context():
        return db.session.scalar(select(ReviewRequest.id))


def test_staff_approve_a_claim_from_the_queue(client, app, outbox):
    review_id = _claim_and_staff(client, app)
    page = client.get("/so/duyet?kind=claim").get_data(as_text=True)
    assert "Giám đốc, có giấy đăng ký" in page and "Yến sào Hòa Hiệp" in page
    approved = client.post(f"/so/duyet/{review_id}", data={"decision": "approve"}, follow_redirects=True)
    assert "Yêu cầu thay mặt Công ty TNHH Yến sào Hòa Hiệp đã được chấp thuận." in approved.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Membership)).claim_state == "verified"
    assert outbox.last()["To"] == "chu@example.vn"
    assert "Không có yêu cầu nào" in client.get("/so/duyet").get_data(as_text=True)


def test_a_new_listing_in_the_queue_links_to_its_record_until_it_is_published(client, app):
    with app.app_context():
        make_user("chu@example.vn")
        staff = make_user("staff@so.gov.vn", role="staff")
        secret = staff.totp_secret
    login(client, "chu@example.vn")
    client.post(
        "/doanh-nghiep/dang-ky",
        data={
            "name": "Hợp tác xã Nông nghiệp An Phú",
            "legal_form": "htx",
            "code": "4400000019",
            "commune_code": "22015",
            "main_vsic": "0111",
            "address": "Thôn Phú Lâm",
        },
    )
    client.post("/dang-xuat")
    login(client, "staff@so.gov.vn", totp_secret=secret)
    with app.app_context():
        key = db.session.scalar(select(Enterprise.public_key).where(Enterprise.name.like("%An Phú")))
    assert key, "the listing was not registered"
    page = client.get("/so/duyet?kind=registration").get_data(as_text=True)
    assert f'href="/so/ho-so/{key}"' in page and 'href="#"' not in page


def test_rejecting_needs_a_reason(client, app):
    review_id = _claim_and_staff(client, app)
    asked = client.post(f"/so/duyet/{review_id}", data={"decision": "reject"})  # the queue's old button: asked first
    assert asked.status_code == 303 and asked.headers["Location"].endswith(f"/so/duyet/{review_id}/tu-choi")
    assert client.post(f"/so/duyet/{review_id}/tu-choi", data={"reason": " "}).status_code == 422
    with app.app_context():
        assert db.session.get(ReviewRequest, review_id).state == "pending"
    client.post(f"/so/duyet/{review_id}/tu-choi", data={"reason": "Không khớp với đăng ký kinh doanh"})
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


FOUNDED = province_today().replace(year=province_today().year - 2, day=1)  # within the five-year window


def test_an_owner_asks_for_a_label_with_evidence_and_staff_approve_it(client, app, outbox):
    with app.app_context():
        enterprise = make_enterprise("Công ty TNHH Phần mềm Sông Cầu", main_vsic="6201", founded_on=FOUNDED)
        owner = make_user("chu@example.vn")
        add_member(owner, enterprise)
        key = enterprise.public_key
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "chu@example.vn")
    assert client.post(f"/doanh-nghiep/{key}/danh-hieu", data={"label": "startup", "evidence": ""}).status_code == 422
    response = client.post(
        f"/doanh-nghiep/{key}/danh-hieu", data={"label": "startup", "evidence": "Vườn ươm Phú Yên xác nhận"}
    )
    assert response.status_code == 302
    again = client.post(f"/doanh-nghiep/{key}/danh-hieu", data={"label": "startup", "evidence": "lần hai"})
    assert again.status_code == 422  # one pending request per label
    client.post("/dang-xuat")
    login(client, "staff@so.gov.vn", totp_secret=secret)
    page = client.get("/so/duyet?kind=flag").get_data(as_text=True)
    assert "Vườn ươm Phú Yên xác nhận" in page and "is_startup" not in page
    # the law's window beside the request: five years from the first registration
    ends = FOUNDED.replace(year=FOUNDED.year + 5)
    assert f"Thành lập ngày {FOUNDED:%d/%m/%Y}: còn trong thời hạn" in page and f"đến ngày {ends:%d/%m/%Y}" in page
    with app.app_context():
        review_id = db.session.scalar(select(ReviewRequest.id).where(ReviewRequest.kind == "flag"))
    client.post(f"/so/duyet/{review_id}", data={"decision": "approve"})
    with app.app_context():
        e = db.session.scalar(select(Enterprise).where(Enterprise.public_key == key))
        assert (e.is_startup, e.startup_basis, e.startup_verification) == (
            True,
            "Vườn ươm Phú Yên xác nhận",
            "verified",
        )
    assert outbox.last()["To"] == "chu@example.vn"


def test_someone_who_does_not_act_for_the_enterprise_cannot_ask_for_a_label(client, app):
    with app.app_context():
        key = make_enterprise().public_key
        make_user("khach@example.vn")
    login(client, "khach@example.vn")
    assert client.post(f"/doanh-nghiep/{key}/danh-hieu", data={"label": "startup", "evidence": "x"}).status_code == 403
