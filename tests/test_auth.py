"""Accounts, as a person uses them: register, confirm, sign in, two-step, reset, data rights."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from sqlalchemy import select

from app.auth import totp
from app.extensions import db
from app.models import AuditEvent, User, UserSession
from tests.factories import PASSWORD, add_member, link_from, login, make_enterprise, make_user


def register(client, **overrides):
    data = {
        "full_name": "Trần Văn Nam",
        "email": "Nam@Example.vn",
        "password": PASSWORD,
        "role": "owner",
        "consent": "y",
    }
    data.update(overrides)
    return client.post("/dang-ky", data=data)


def test_owner_registers_confirms_email_and_signs_in(client, app, outbox):
    response = register(client)
    assert response.status_code == 200
    assert "nam@example.vn" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="nam@example.vn"))
        assert user.email_verified_at is None and user.privacy_consent_at is not None
        assert user.password_hash.startswith("$argon2id$")
    assert login(client, "nam@example.vn").headers["Location"].endswith("/xac-minh-email/gui-lai")

    message = outbox.last()
    assert message["To"] == "nam@example.vn"
    assert client.get(link_from(message)).status_code == 302
    response = login(client, "nam@example.vn")
    assert response.headers["Location"].endswith("/tai-khoan")
    assert "Trần Văn Nam" in client.get("/tai-khoan").get_data(as_text=True)


def test_registration_needs_consent_and_keeps_what_was_typed(client, app):
    response = register(client, consent="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trần Văn Nam" in page and "Nam@Example.vn" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", ["12345678", "matkhau123", "short"])
def test_weak_passwords_are_refused(client, app, password):
    response = register(client, password=password)
    assert "is-invalid" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_registering_a_taken_address_reveals_nothing(client, app, outbox):
    with app.app_context():
        make_user("nam@example.vn")
    response = register(client)
    assert response.status_code == 200 and "nam@example.vn" in response.get_data(as_text=True)
    assert (
        "already has one" in outbox.last().get_body(("plain",)).get_content()
        or "đã có" in outbox.last().get_body(("plain",)).get_content()
    )


def test_wrong_password_is_refused_without_saying_which_part(client, app):
    with app.app_context():
        make_user("hoa@example.vn")
    response = client.post(
        "/dang-nhap", data={"email": "hoa@example.vn", "password": "wrong password!"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert client.get("/tai-khoan").status_code == 302


def test_sign_in_starts_a_new_session_and_sign_out_ends_it(client, app):
    with app.app_context():
        make_user("hoa@example.vn")
    client.get("/")
    login(client, "hoa@example.vn")
    with client.session_transaction() as s:
        first_sid = s["sid"]
    stolen_cookie = client.get_cookie("session").value
    client.post("/dang-xuat")
    assert client.get("/tai-khoan").status_code == 302
    # Replaying the old cookie does not bring the session back.
    client.set_cookie("session", stolen_cookie)
    assert client.get("/tai-khoan").status_code == 302
    login(client, "hoa@example.vn")
    with client.session_transaction() as s:
        assert s["sid"] != first_sid


def test_deactivation_ends_every_session(client, app):
    from app import audit
    from app.auth import lifecycle, services

    with app.app_context():
        make_user("hoa@example.vn")
    login(client, "hoa@example.vn")
    assert client.get("/tai-khoan").status_code == 200
    with app.app_context():
        lifecycle.set_active(services.get_user_by_email("hoa@example.vn"), False, audit.CLI)
        db.session.commit()
        assert (
            db.session.scalar(
                db.select(db.func.count()).select_from(UserSession).where(UserSession.revoked_at.is_(None))
            )
            == 0
        )
    assert client.get("/tai-khoan").status_code == 302
    assert login(client, "hoa@example.vn").status_code == 200  # refused: the form is shown again


def test_staff_must_enrol_two_factor_before_signing_in(client, app):
    with app.app_context():
        make_user("staff@so.gov.vn", role="staff", two_factor=False)
    response = login(client, "staff@so.gov.vn")
    assert response.headers["Location"].endswith("/dang-nhap/thiet-lap-xac-thuc")
    assert client.get("/tai-khoan").status_code == 302
    page = client.get("/dang-nhap/thiet-lap-xac-thuc").get_data(as_text=True)
    assert "<svg" in page
    with client.session_transaction() as s:
        secret = s["totp_enrol"]
    assert client.post("/dang-nhap/thiet-lap-xac-thuc", data={"code": "000000"}).status_code == 200
    response = client.post("/dang-nhap/thiet-lap-xac-thuc", data={"code": totp.current_code(secret)})
    assert response.headers["Location"].endswith("/so/")  # staff land on the workspace
    assert client.get("/tai-khoan").status_code == 200


def test_staff_sign_in_asks_for_a_code_that_works_once(client, app):
    with app.app_context():
        staff = make_user("staff@so.gov.vn", role="admin")
        secret = staff.totp_secret
    response = login(client, "staff@so.gov.vn")
    assert response.headers["Location"].endswith("/dang-nhap/ma-xac-thuc")
    code = totp.current_code(secret)
    assert client.post("/dang-nhap/ma-xac-thuc", data={"code": code}).status_code == 302
    client.post("/dang-xuat")
    login(client, "staff@so.gov.vn")
    response = client.post("/dang-nhap/ma-xac-thuc", data={"code": code})
    assert response.status_code == 200  # the same code is not accepted twice
    assert "Mã này vừa được dùng" in response.get_data(as_text=True)  # said so, not "check your phone's time"
    assert client.get("/tai-khoan").status_code == 302
    wrong = client.post("/dang-nhap/ma-xac-thuc", data={"code": "000000" if code != "000000" else "111111"})
    assert "Mã này vừa được dùng" not in wrong.get_data(as_text=True)


def test_the_language_a_person_chooses_is_the_one_their_mail_and_notices_use(client, app):
    with app.app_context():
        make_user("hoa@example.vn")
    login(client, "hoa@example.vn")
    client.get("/ngon-ngu/en?next=/tai-khoan")
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email == "hoa@example.vn")) == "en"
    client.get("/ngon-ngu/vi")
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email == "hoa@example.vn")) == "vi"


def test_password_reset_link_works_once(client, app, outbox):
    with app.app_context():
        make_user("hoa@example.vn")
    client.post("/quen-mat-khau", data={"email": "hoa@example.vn"})
    link = link_from(outbox.last())
    new = "một câu mật khẩu mới dễ nhớ"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert login(client, "hoa@example.vn", new).headers["Location"].endswith("/tai-khoan")
    assert client.get(link).headers["Location"].endswith("/quen-mat-khau")


def test_reset_for_unknown_address_looks_the_same(client, outbox):
    response = client.post("/quen-mat-khau", data={"email": "nobody@example.vn"})
    assert response.status_code == 200 and "nobody@example.vn" in response.get_data(as_text=True)
    assert outbox.messages() == []


def test_owner_downloads_their_data(client, app):
    with app.app_context():
        user = make_user("hoa@example.vn")
        add_member(user, make_enterprise())
    login(client, "hoa@example.vn")
    response = client.get("/tai-khoan/du-lieu.json")
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "hoa@example.vn"
    assert data["memberships"][0]["name"] == "Công ty TNHH Thủy sản Hải Đăng"
    assert "password_hash" not in response.get_data(as_text=True)


def test_closing_an_account_removes_personal_data(client, app):
    with app.app_context():
        user = make_user("hoa@example.vn")
        add_member(user, make_enterprise())
        user_id = user.id
    login(client, "hoa@example.vn")
    assert client.post("/tai-khoan/dong", data={"password": "wrong", "confirm": "y"}).status_code == 200
    assert client.post("/tai-khoan/dong", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.email.endswith("@invalid") and user.memberships == [] and not user.is_active
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="close_account")) is not None
    assert client.get("/tai-khoan").status_code == 302


def test_forms_need_a_csrf_token(database, tmp_path):
    from app import create_app

    app = create_app(
        {**database, "TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "RATELIMIT_ENABLED": False}
    )
    response = app.test_client().post("/dang-nhap", data={"email": "a@b.vn", "password": "x"})
    assert response.status_code == 400


def test_sign_in_is_rate_limited(database, tmp_path):
    from app import create_app

    app = create_app(
        {
            **database,
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    client = app.test_client()
    statuses = [
        client.post("/dang-nhap", data={"email": "a@b.vn", "password": "nope-nope"}).status_code for _ in range(5)
    ]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


def test_open_redirects_are_refused(client, app):
    with app.app_context():
        make_user("hoa@example.vn")
    response = client.post("/dang-nhap?next=//evil.example/x", data={"email": "hoa@example.vn", "password": PASSWORD})
    assert response.headers["Location"].endswith("/tai-khoan")


def test_users_create_command(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Can.Bo@so.gov.vn",
            "--name",
            "Cán bộ Sở",
            "--role",
            "staff",
            "--password",
            "mật khẩu đủ dài",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="can.bo@so.gov.vn"))
        assert user.role == "staff" and user.email_verified_at is not None
    again = runner.invoke(
        args=["users", "create", "--email", "can.bo@so.gov.vn", "--name", "X", "--password", "mật khẩu đủ dài"]
    )
    assert again.exit_code != 0


def test_data_download_includes_assessments(client, app):
    from tests.assessment_helpers import answer_all, start

    with app.app_context():
        make_user("hoa@example.vn")
    login(client, "hoa@example.vn")
    public_id = start(client, "quick-check")
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    data = json.loads(client.get("/tai-khoan/du-lieu.json").get_data(as_text=True))
    assert data["assessments"][0]["instrument"] == "quick-check" and data["assessments"][0]["answers"]


def test_a_session_ends_after_days_unused_not_days_after_sign_in(client, app):
    from datetime import timedelta

    from app.models import UserSession
    from app.models.base import utcnow

    with app.app_context():
        make_user("idle@example.vn")
    login(client, "idle@example.vn")

    def age(created_days: float, seen_days: float) -> None:
        with app.app_context():
            row = db.session.scalar(select(UserSession))
            row.created_at = utcnow() - timedelta(days=created_days)
            row.last_seen_at = utcnow() - timedelta(days=seen_days)
            db.session.commit()

    age(30, 1)  # signed in a month ago, used yesterday: still signed in, and the use is recorded
    assert client.get("/tai-khoan").status_code == 200
    with app.app_context():
        assert utcnow() - db.session.scalar(select(UserSession.last_seen_at)).replace(tzinfo=UTC) < timedelta(minutes=1)
    age(30, app.config["SESSION_IDLE_DAYS"] + 1)  # then unused for longer than the setting
    assert client.get("/tai-khoan").status_code == 302


def test_registration_shows_every_mistake_at_once_each_linked_to_its_field(client, app):
    """A refused password and a missing consent in the same answer (not the password on a second try),
    listed at the top with a link to each field."""
    response = register(client, password="short", consent="")
    page = response.get_data(as_text=True)
    assert page.count('class="form-control is-invalid"') == 1 and 'id="password-error"' in page
    assert 'id="consent-error"' in page
    summary = page.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert 'href="#password"' in summary and 'href="#consent"' in summary
    assert "8" in summary  # the password's own reason, not a generic "correct the fields"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_a_new_password_too_short_and_not_repeated_is_told_both_at_once(client, app, outbox):
    with app.app_context():
        make_user("hoa@example.vn")
    client.post("/quen-mat-khau", data={"email": "hoa@example.vn"})
    link = link_from(outbox.last())
    page = client.post(link, data={"password": "short", "confirm": "other"}).get_data(as_text=True)
    assert 'id="password-error"' in page and 'id="confirm-error"' in page
