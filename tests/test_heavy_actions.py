"""Heavy actions are asked first: a page that says what will happen (no JavaScript needed), then the
action, then a message that says what happened and how to reverse it."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise, ImportBatch, InboxMessage, ReviewRequest, User
from tests.factories import login, make_enterprise, make_user
from tests.test_imports import MESSY


def _signed_in(client, app, email: str, role: str) -> None:
    with app.app_context():
        secret = make_user(email, role=role, name="Trần Văn Quản").totp_secret
    login(client, email, totp_secret=secret)


def _committed_import(client, app) -> int:
    _signed_in(client, app, "staff@so.gov.vn", "staff")
    upload = client.post(
        "/so/nhap", data={"file": (io.BytesIO(MESSY), "so-lieu.csv")}, content_type="multipart/form-data"
    )
    batch_id = int(upload.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/so/nhap/{batch_id}/ghi", data={"commune-12": "22045"})
    return batch_id


def test_staff_are_asked_before_undoing_an_import_and_told_how_to_bring_it_back(client, app):
    batch_id = _committed_import(client, app)
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert f'href="/so/nhap/{batch_id}/hoan-tac"' in page  # a link to the question, not a button that undoes
    assert f'action="/so/nhap/{batch_id}/hoan-tac"' not in page

    question = client.get(f"/so/nhap/{batch_id}/hoan-tac").get_data(as_text=True)
    assert "Hoàn tác lần nhập" in question
    # the number in a sentence, not "…, sẽ được đưa ra khỏi danh bạ: 4."
    assert "Lần nhập này đã tạo 4 hồ sơ; các hồ sơ này sẽ được đưa ra khỏi danh bạ." in question
    assert "Lần nhập này không thay đổi hồ sơ nào đã có trong cơ sở dữ liệu." in question
    assert ": 4." not in question and ": 0." not in question
    client.get("/ngon-ngu/en")
    english = client.get(f"/so/nhap/{batch_id}/hoan-tac").get_data(as_text=True)
    assert "This import created 4 records: they will be taken out of the directory." in english
    assert "This import changed no record that was already in the registry." in english
    client.get("/ngon-ngu/vi")
    assert "bị từ chối và không có gì thay đổi" in question
    assert f'action="/so/nhap/{batch_id}/hoan-tac"' in question
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).state == "committed"  # asking changed nothing

    done = client.post(f"/so/nhap/{batch_id}/hoan-tac", follow_redirects=True).get_data(as_text=True)
    assert "Đã hoàn tác lần nhập: 4 hồ sơ" in done and "nhập lại đúng tệp đó" in done
    with app.app_context():
        assert {e.record_state for e in db.session.scalars(select(Enterprise))} == {"withdrawn"}
    # undone: no question any more, the batch page says how to bring the records back
    assert client.get(f"/so/nhap/{batch_id}/hoan-tac").status_code == 302


def test_the_undo_question_says_when_a_record_changed_since_refuses_it(client, app):
    from app import audit
    from app.registry import services as registry

    batch_id = _committed_import(client, app)
    with app.app_context():
        first = db.session.scalar(select(Enterprise).order_by(Enterprise.id))
        registry.update_enterprise(first, audit.CLI, "staff", employees=77)
        db.session.commit()
        key = first.public_key
    question = client.get(f"/so/nhap/{batch_id}/hoan-tac").get_data(as_text=True)
    assert key in question and f'action="/so/nhap/{batch_id}/hoan-tac"' not in question


def test_an_admin_is_asked_before_deactivating_and_told_how_to_reactivate(client, app):
    _signed_in(client, app, "admin@so.gov.vn", "admin")
    with app.app_context():
        staff_id = make_user("can.bo@so.gov.vn", role="staff", name="Lê Thị Mai").id
    account = client.get(f"/so/nguoi-dung/{staff_id}").get_data(as_text=True)
    assert f'href="/so/nguoi-dung/{staff_id}/vo-hieu-hoa"' in account
    assert f'action="/so/nguoi-dung/{staff_id}/trang-thai"' not in account  # no direct deactivation

    question = client.get(f"/so/nguoi-dung/{staff_id}/vo-hieu-hoa").get_data(as_text=True)
    assert "Vô hiệu hóa tài khoản của Lê Thị Mai?" in question
    assert "đăng xuất trên mọi thiết bị" in question and "không thể đăng nhập" in question
    assert "kích hoạt lại" in question and f'action="/so/nguoi-dung/{staff_id}/trang-thai"' in question
    with app.app_context():
        assert db.session.get(User, staff_id).is_active

    done = client.post(f"/so/nguoi-dung/{staff_id}/trang-thai", data={"active": "0"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert (
        "Tài khoản của Lê Thị Mai đã bị vô hiệu hóa" in text and "kích hoạt lại tài khoản ngay trên trang này" in text
    )
    with app.app_context():
        assert not db.session.get(User, staff_id).is_active
    # deactivated: the question leads back to the account, which offers to reactivate
    assert client.get(f"/so/nguoi-dung/{staff_id}/vo-hieu-hoa").status_code == 302
    again = client.post(f"/so/nguoi-dung/{staff_id}/trang-thai", data={"active": "1"}, follow_redirects=True)
    assert "Tài khoản của Lê Thị Mai đã được kích hoạt lại" in again.get_data(as_text=True)


def test_an_admin_is_not_asked_to_deactivate_their_own_account(client, app):
    _signed_in(client, app, "admin@so.gov.vn", "admin")
    with app.app_context():
        admin_id = db.session.scalar(select(User.id))
    assert client.get(f"/so/nguoi-dung/{admin_id}/vo-hieu-hoa").status_code == 302


def test_staff_reject_on_a_page_that_asks_for_the_reason_and_says_who_is_told(client, app, outbox):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Yến sào Hòa Hiệp").public_key
        make_user("chu@example.vn", name="Nguyễn Thị Lan")
    login(client, "chu@example.vn")
    client.post(
        f"/doanh-nghiep/{key}/nhan", data={"representative": "Nguyễn Văn An", "evidence": "Giám đốc, có giấy đăng ký"}
    )
    client.post("/dang-xuat")
    _signed_in(client, app, "staff@so.gov.vn", "staff")
    with app.app_context():
        review_id = db.session.scalar(select(ReviewRequest.id))
    queue = client.get("/so/duyet").get_data(as_text=True)
    assert f'href="/so/duyet/{review_id}/tu-choi"' in queue

    question = client.get(f"/so/duyet/{review_id}/tu-choi")
    text = question.get_data(as_text=True)
    assert question.status_code == 200 and "Từ chối yêu cầu này?" in text
    assert "Giám đốc, có giấy đăng ký" in text  # what is rejected
    assert 'name="reason"' in text and "Nguyễn Thị Lan sẽ được báo qua e-mail và hộp thư" in text
    assert "không trở thành thành viên đã xác minh" in text

    missing = client.post(f"/so/duyet/{review_id}/tu-choi", data={"reason": ""})
    assert missing.status_code == 422 and 'id="reason-error"' in missing.get_data(as_text=True)
    done = client.post(f"/so/duyet/{review_id}/tu-choi", data={"reason": "Thiếu giấy đăng ký"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Yêu cầu không được duyệt. Nguyễn Thị Lan đã được báo" in text and "gửi lại yêu cầu" in text
    with app.app_context():
        review = db.session.get(ReviewRequest, review_id)
        assert (review.state, review.reason) == ("rejected", "Thiếu giấy đăng ký")
        assert "Lý do: Thiếu giấy đăng ký" in db.session.scalar(select(InboxMessage.body))
    assert outbox.last()["To"] == "chu@example.vn"
    assert client.get(f"/so/duyet/{review_id}/tu-choi").status_code == 302  # decided: nothing to ask


def test_after_a_merge_the_message_says_how_to_undo_it(client, app):
    with app.app_context():
        keep = make_enterprise("Công ty TNHH Thủy sản Hải Đăng")
        other = make_enterprise("Thuy san Hai Dang", code=None)
        ids = keep.id, other.id
    _signed_in(client, app, "staff@so.gov.vn", "staff")
    response = client.post(
        "/so/trung-lap/gop", data={"keep": ids[0], "other": ids[1], "note": "Cùng địa chỉ"}, follow_redirects=True
    )
    assert "có thể hoàn tác việc gộp ngay trên trang này" in response.get_data(as_text=True)
