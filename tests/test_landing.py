"""Landing where the work is: staff on the workspace, a new owner on next steps, an investor on the
firms they follow; a claim offered only to whom it makes sense, a message to an unmanaged enterprise
offered to the department instead."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import totp
from app.extensions import db
from app.models import ContactRequest, Follow, ReviewRequest, User
from tests.factories import PASSWORD, add_member, login, make_enterprise, make_user


def test_staff_land_on_the_workspace_and_a_safe_next_comes_first(client, app):
    with app.app_context():
        staff = make_user("staff@so.gov.vn", role="staff")
        secret, staff_id = staff.totp_secret, staff.id
    assert login(client, "staff@so.gov.vn", totp_secret=secret).headers["Location"].endswith("/so/")
    client.post("/dang-xuat")
    with app.app_context():
        db.session.get(User, staff_id).totp_last_step -= 1  # the same code again: each code works once
        db.session.commit()
    client.post("/dang-nhap?next=/so/duyet", data={"email": "staff@so.gov.vn", "password": PASSWORD})
    response = client.post("/dang-nhap/ma-xac-thuc", data={"code": totp.current_code(secret)})
    assert response.headers["Location"].endswith("/so/duyet")


def test_an_owner_lands_on_the_account_and_a_new_one_sees_next_steps(client, app):
    with app.app_context():
        make_user("chu@example.vn")
    assert login(client, "chu@example.vn").headers["Location"].endswith("/tai-khoan")
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "Nên làm gì tiếp theo" in page
    assert 'href="/doanh-nghiep"' in page and 'href="/doanh-nghiep/dang-ky"' in page and 'href="/danh-gia"' in page
    assert "Thêm sản phẩm được chứng nhận" in page


def test_an_owner_with_an_enterprise_sees_it_instead_of_first_steps(client, app):
    with app.app_context():
        add_member(make_user("chu@example.vn"), make_enterprise("Công ty TNHH Yến sào Hòa Hiệp"))
    login(client, "chu@example.vn")
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "Yến sào Hòa Hiệp" in page and "Nên làm gì tiếp theo" not in page and 'href="/doanh-nghiep/cua-toi"' in page


def test_an_investor_sees_followed_firms_and_sent_requests_not_owner_links(client, app):
    with app.app_context():
        followed = make_enterprise("Công ty Cổ phần Phần mềm Sông Cầu", main_vsic="6201", is_digital_tech=True)
        written = make_enterprise("Công ty TNHH Dữ liệu Tuy Hòa", main_vsic="6201", is_digital_tech=True)
        add_member(make_user("chu@example.vn"), written)
        investor = make_user("nha.dau.tu@example.vn", role="investor")
        db.session.add(Follow(user_id=investor.id, enterprise_id=followed.id))
        db.session.add(
            ContactRequest(
                sender_id=investor.id, enterprise_id=written.id, subject="Gọi vốn vòng hạt giống", message="x"
            )
        )
        db.session.commit()
    login(client, "nha.dau.tu@example.vn")
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "Doanh nghiệp bạn theo dõi" in page and "Phần mềm Sông Cầu" in page
    assert "Yêu cầu bạn đã gửi" in page and "Gọi vốn vòng hạt giống" in page and "Chưa có trả lời." in page
    assert (
        "/doanh-nghiep/cua-toi" not in page
        and "/doanh-nghiep/dang-ky" not in page
        and "Nên làm gì tiếp theo" not in page
    )


def test_claim_is_not_offered_when_a_verified_owner_exists_nor_to_investors(client, app):
    with app.app_context():
        managed = make_enterprise("Công ty TNHH Yến sào Hòa Hiệp")
        add_member(make_user("chu@example.vn"), managed)
        free = make_enterprise("Công ty TNHH Thủy sản Hải Đăng")
        keys = managed.public_key, free.public_key
        make_user("khac@example.vn")
        make_user("nha.dau.tu@example.vn", role="investor")
    anonymous = app.test_client()
    assert f"/doanh-nghiep/{keys[1]}/nhan" in anonymous.get(f"/doanh-nghiep/{keys[1]}").get_data(as_text=True)
    page = anonymous.get(f"/doanh-nghiep/{keys[0]}").get_data(as_text=True)
    assert f"/doanh-nghiep/{keys[0]}/nhan" not in page and f"/doanh-nghiep/{keys[0]}/bao-sai" in page
    assert "Những người được Sở xác minh đang đại diện cho doanh nghiệp này" in page

    login(client, "khac@example.vn")
    assert f"/doanh-nghiep/{keys[0]}/nhan" not in client.get(f"/doanh-nghiep/{keys[0]}").get_data(as_text=True)
    refused = client.get(f"/doanh-nghiep/{keys[0]}/nhan")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/doanh-nghiep/{keys[0]}")
    assert (
        client.post(
            f"/doanh-nghiep/{keys[0]}/nhan", data={"representative": "Lê Thị Thu", "evidence": "Tôi là giám đốc"}
        ).status_code
        == 200
    )
    with app.app_context():
        assert db.session.scalar(select(ReviewRequest)) is None
    client.post("/dang-xuat")

    login(client, "nha.dau.tu@example.vn")
    assert f"/doanh-nghiep/{keys[1]}/nhan" not in client.get(f"/doanh-nghiep/{keys[1]}").get_data(as_text=True)
    assert client.get(f"/doanh-nghiep/{keys[1]}/nhan").status_code == 302


def test_a_message_to_an_enterprise_nobody_manages_can_go_to_the_department(client, app):
    with app.app_context():
        unmanaged = make_enterprise("Công ty TNHH Thủy sản Hải Đăng").public_key
        managed = make_enterprise("Công ty TNHH Yến sào Hòa Hiệp")
        add_member(make_user("chu@example.vn"), managed)
        managed = managed.public_key
        make_user("nha.dau.tu@example.vn", role="investor")
    login(client, "nha.dau.tu@example.vn")
    assert "Chưa có ai quản lý hồ sơ này" not in client.get(f"/doanh-nghiep/{managed}/lien-he").get_data(as_text=True)
    page = client.get(f"/doanh-nghiep/{unmanaged}/lien-he").get_data(as_text=True)
    assert "Chưa có ai quản lý hồ sơ này" in page and 'value="department"' in page

    response = client.post(
        f"/doanh-nghiep/{unmanaged}/lien-he",
        data={"subject": "Hợp tác xuất khẩu", "message": "Xin số điện thoại", "to": "department"},
        follow_redirects=True,
    )
    assert "Tin nhắn của bạn đã được gửi đến Sở" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ContactRequest)) is None
        report = db.session.scalar(select(ReviewRequest))
        assert (report.kind, report.payload["about"]) == ("report", "contact")
        assert "Hợp tác xuất khẩu" in report.payload["message"]
