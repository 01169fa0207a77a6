"""E-mails people can act on: a greeting, what happened, what to do next with a link, who sent it and
how to reach them, in the recipient's language, as plain text and as HTML made from the same content."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.database import write_intent
from app.extensions import db
from app.models import OutgoingMail
from app.registry import reviews
from tests.factories import make_enterprise, make_user
from tests.progress_helpers import product


def _parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_an_approved_product_is_named_and_the_mail_has_both_parts_in_the_owners_language(app, outbox):
    with app.test_request_context(method="POST"), write_intent():  # as the staff's POST does
        enterprise = make_enterprise("Công ty TNHH Yến sào Hòa Hiệp")
        owner = make_user("chu@example.vn", name="Nguyễn Thị Lan")
        owner.locale = "vi"
        item = product(enterprise, date(2025, 3, 1), None)
        item.name = "Yến sào tinh chế Hòa Hiệp"
        review = reviews.declare_product(owner, enterprise, item)
        reviews.decide(review, make_user("staff@so.gov.vn", role="staff"), True, None)
        db.session.commit()
    message = outbox.last()
    assert message.is_multipart() and message["To"] == "chu@example.vn"
    assert message["Reply-To"] == app.config["DEPARTMENT_EMAIL"]
    assert "Yến sào tinh chế Hòa Hiệp" in message["Subject"]
    text, html = _parts(message)
    for part in (text, html):
        assert "Xin chào Nguyễn Thị Lan," in part  # a greeting
        assert "Sở đã duyệt sản phẩm được chứng nhận Yến sào tinh chế Hòa Hiệp" in part  # what happened
        assert "Xem hồ sơ doanh nghiệp" in part and "/doanh-nghiep/" in part  # what to do next, with a link
        assert app.config["DEPARTMENT_NAME_VI"] in part and app.config["DEPARTMENT_PHONE"] in part  # who sent it
        assert app.config["DEPARTMENT_EMAIL"] in part
    assert '<html lang="vi"' in html and "<img" not in html and "<script" not in html and "src=" not in html
    assert "Approved" not in text and "Hello" not in text  # one language


def test_a_rejection_in_english_says_why_and_what_to_do_next(app, outbox):
    with app.test_request_context(method="POST"), write_intent():  # as the staff's POST does
        enterprise = make_enterprise("Công ty TNHH Thủy sản Hải Đăng")
        owner = make_user("owner@example.vn", name="Jane Tran")
        owner.locale = "en"
        reviews.claim(owner, enterprise, "I am the director")
        review = db.session.scalar(select(reviews.ReviewRequest))
        reviews.decide(review, make_user("staff@so.gov.vn", role="staff"), False, "No registration certificate")
        db.session.commit()
        stored = db.session.scalar(select(OutgoingMail))
        assert stored.html and "No registration certificate" in stored.html  # kept in the outbox for the worker
    text, html = _parts(outbox.last())
    for part in (text, html):
        assert "Hello Jane Tran," in part and "has not approved your claim to act for" in part
        assert "Reason: No registration certificate" in part
        assert "send the request again from My enterprises" in part and "/doanh-nghiep/cua-toi" in part
        assert app.config["DEPARTMENT_NAME_EN"] in part and "reply to this e-mail" in part
    assert '<html lang="en"' in html and "Xin chào" not in text


def test_account_mails_carry_an_html_part_with_the_link_as_a_button(client, app, outbox):
    with app.app_context():
        make_user("hoa@example.vn", name="Lê Thị Hoa")
    client.post("/quen-mat-khau", data={"email": "hoa@example.vn"})
    text, html = _parts(outbox.last())
    assert "Xin chào Lê Thị Hoa," in text and "Chọn mật khẩu mới" in text and "/dat-lai-mat-khau/" in text
    assert 'href="http' in html and "/dat-lai-mat-khau/" in html and "Chọn mật khẩu mới</a>" in html
    assert app.config["DEPARTMENT_PHONE"] in text and app.config["DEPARTMENT_PHONE"] in html
