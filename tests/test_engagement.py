"""Investors browse startups, follow them and write to them; the enterprise replies and chooses what to reveal."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import ContactRequest, EnterpriseSolution, Follow
from tests.factories import add_member, login, make_enterprise, make_user


def _startup(app):
    with app.app_context():
        startup = make_enterprise(
            "Công ty TNHH Công nghệ Sóng Xanh",
            main_vsic="6201",
            is_digital_tech=True,
            is_startup=True,
            founded_on=date(2024, 3, 1),
            stage="early_revenue",
            funding_sought_vnd=3_000_000_000,
            description="Phần mềm quản lý đầm nuôi tôm",
        )
        make_enterprise("Công ty TNHH Xây dựng Bình Minh", main_vsic="4100", founded_on=date(2010, 1, 1))
        add_member(make_user("founder@example.vn", name="Phạm Minh Khoa"), startup)
        make_user("investor@example.vn", role="investor", name="Nhà đầu tư An")
        return startup.public_key


def test_investors_filter_startups_by_year_stage_and_funding(client, app):
    _startup(app)
    page = client.get("/khoi-nghiep").get_data(as_text=True)
    assert "Sóng Xanh" in page and "Xây dựng Bình Minh" not in page
    assert "Sóng Xanh" in client.get("/khoi-nghiep?since=2023&stage=early_revenue&seeking=1").get_data(as_text=True)
    assert "Sóng Xanh" not in client.get("/khoi-nghiep?since=2025").get_data(as_text=True)
    assert client.get("/startups").status_code == 301


def test_an_investor_follows_and_writes_and_the_founder_replies(client, app, outbox):
    key = _startup(app)
    login(client, "investor@example.vn")
    client.post(f"/doanh-nghiep/{key}/theo-doi")
    with app.app_context():
        assert db.session.scalar(select(Follow)) is not None
    response = client.post(
        f"/doanh-nghiep/{key}/lien-he",
        data={"subject": "Đầu tư vòng hạt giống", "message": "Chúng tôi muốn tìm hiểu thêm."},
    )
    assert response.status_code == 302
    notice = outbox.last()
    assert (
        notice["To"] == "founder@example.vn" and "investor@example.vn" not in notice.get_body(("plain",)).get_content()
    )

    founder = app.test_client()
    login(founder, "founder@example.vn")
    inbox = founder.get("/tai-khoan/hop-thu").get_data(as_text=True)
    assert "Đầu tư vòng hạt giống" in inbox and "investor@example.vn" not in inbox
    with app.app_context():
        request_id = db.session.scalar(select(ContactRequest.id))
    founder.post(f"/lien-he/{request_id}/tra-loi", data={"reply": "Rất sẵn lòng.", "reveal_email": "1"})
    reply = outbox.last()
    assert reply["To"] == "investor@example.vn" and "founder@example.vn" in reply.get_body(("plain",)).get_content()
    assert "Rất sẵn lòng." in client.get("/tai-khoan/hop-thu").get_data(as_text=True)


def test_only_the_enterprise_can_reply(client, app):
    key = _startup(app)
    login(client, "investor@example.vn")
    client.post(f"/doanh-nghiep/{key}/lien-he", data={"subject": "Xin chào", "message": "Nội dung"})
    with app.app_context():
        request_id = db.session.scalar(select(ContactRequest.id))
    assert (
        client.post(f"/lien-he/{request_id}/tra-loi", data={"reply": "giả mạo", "reveal_email": "0"}).status_code == 403
    )


def test_a_provider_declares_its_solutions(client, app):
    key = _startup(app)
    login(client, "founder@example.vn")
    assert (
        client.post(f"/doanh-nghiep/{key}/giai-phap", data={"categories": ["website", "erp_crm", "bogus"]}).status_code
        == 302
    )
    with app.app_context():
        assert sorted(db.session.scalars(select(EnterpriseSolution.category))) == ["erp_crm", "website"]
    assert "Thiết kế website" in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)


def test_follow_and_contact_look_like_actions_on_a_firm_nobody_manages(client, app):
    """On a profile nobody manages, "Follow" and "Contact" were grey outlines that read as disabled."""
    import re

    with app.app_context():
        key = make_enterprise("Công ty TNHH Cơ khí Sông Cầu").public_key
        make_user("investor@example.vn", role="investor")
    anonymous = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    contact = re.search(rf'<a class="([^"]*)" href="/doanh-nghiep/{key}/lien-he">', anonymous)
    assert contact and "btn-primary" in contact.group(1)  # a visitor can reach a person too (after signing in)
    login(client, "investor@example.vn")
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    follow = re.search(rf'action="/doanh-nghiep/{key}/theo-doi".*?<button class="([^"]*)"', page, re.S)
    assert follow and "btn-outline-primary" in follow.group(1)
    assert "btn-outline-secondary" not in page.split('class="d-flex flex-wrap gap-2 no-print"', 1)[1]


def test_the_provenance_line_says_what_its_date_is(app):
    """ "Demonstration data … (24 Aug 2021)" left the reader to guess what the date was."""
    from datetime import datetime
    from types import SimpleNamespace

    from app.labels import provenance_label

    for lang, word in (("vi", "ngày"), ("en", "on")):
        with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
            for source in ("import", "registration", "staff", "demo", "generated"):
                record = SimpleNamespace(provenance=source, created_at=datetime(2021, 8, 24), verified_at=None)
                text = provenance_label(record)
                assert f" {word} " in text and "(" not in text, (lang, source, text)
