"""Administrators manage staff accounts: create with a password link, change roles, deactivate (sessions end)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.auth import totp
from app.extensions import db
from app.models import AuditEvent, User, UserSession
from tests.factories import PASSWORD, link_from, login, make_user

ADMIN_ROUTES = [
    ("get", "/so/nguoi-dung"),
    ("get", "/so/nguoi-dung/moi"),
    ("post", "/so/nguoi-dung/moi"),
    ("get", "/so/nguoi-dung/{id}"),
    ("post", "/so/nguoi-dung/{id}/vai-tro"),
    ("post", "/so/nguoi-dung/{id}/trang-thai"),
    ("post", "/so/nguoi-dung/{id}/gui-lien-ket"),
]


def _admin(client, app, email="admin@so.gov.vn"):
    with app.app_context():
        admin = make_user(email, role="admin", name="Trần Văn Quản")
        secret, admin_id = admin.totp_secret, admin.id
    login(client, email, totp_secret=secret)
    return admin_id


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_admin_creates_a_staff_account_that_sets_its_password_and_two_step(client, app, outbox):
    _admin(client, app)
    response = client.post(
        "/so/nguoi-dung/moi",
        data={"email": "Can.Bo@so.gov.vn", "full_name": "Lê Thị Mai", "role": "staff", "locale": "vi"},
    )
    assert response.status_code == 302
    user = _user(app, "can.bo@so.gov.vn")
    assert (user.full_name, user.role, user.email_verified_at) == ("Lê Thị Mai", "staff", None)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.entity_id == str(user.id))
        )
        assert event.actor_label == "admin@so.gov.vn" and event.after == {"email": "can.bo@so.gov.vn", "role": "staff"}
    message = outbox.last()
    assert message["To"] == "can.bo@so.gov.vn"
    link = link_from(message)
    assert "/dat-lai-mat-khau/" in link
    # The new person sets a password, then must enrol two-step verification before reaching the workspace.
    client.post("/dang-xuat")
    new = "mật khẩu của cán bộ sở mới"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    response = login(client, "can.bo@so.gov.vn", new)
    assert response.headers["Location"].endswith("/dang-nhap/thiet-lap-xac-thuc")
    assert "<svg" in client.get("/dang-nhap/thiet-lap-xac-thuc").get_data(as_text=True)
    with client.session_transaction() as s:
        secret = s["totp_enrol"]
    client.post("/dang-nhap/thiet-lap-xac-thuc", data={"code": totp.current_code(secret)})
    assert client.get("/so/").status_code == 200
    assert client.get("/so/nguoi-dung").status_code == 403  # staff, not admin


def test_a_taken_address_is_refused_and_the_form_keeps_what_was_typed(client, app):
    _admin(client, app)
    with app.app_context():
        make_user("hoa@example.vn")
    response = client.post(
        "/so/nguoi-dung/moi", data={"email": "hoa@example.vn", "full_name": "Nguyễn Hoa", "role": "admin"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="email-error"' in page and 'aria-describedby="email-error"' in page
    assert 'value="Nguyễn Hoa"' in page and re.search(r'<input checked[^>]*value="admin"', page)
    assert _user(app, "hoa@example.vn").role == "owner"


def test_admin_changes_a_role_which_ends_the_persons_sessions(client, app):
    _admin(client, app)
    with app.app_context():
        owner = make_user("chu@example.vn")
        owner_id = owner.id
    other = app.test_client()
    login(other, "chu@example.vn")
    assert other.get("/tai-khoan").status_code == 200
    assert client.post(f"/so/nguoi-dung/{owner_id}/vai-tro", data={"role": "staff"}).status_code == 302
    assert _user(app, "chu@example.vn").role == "staff"
    # The promoted person signs in again, now with two-step verification.
    assert other.get("/so/").status_code == 302
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "change_role"))
        assert (event.before, event.after, event.entity_id) == ({"role": "owner"}, {"role": "staff"}, str(owner_id))


def test_deactivated_staff_lose_their_session_at_once(client, app):
    _admin(client, app)
    with app.app_context():
        staff = make_user("staff@so.gov.vn", role="staff")
        staff_id, secret = staff.id, staff.totp_secret
    staff_client = app.test_client()
    login(staff_client, "staff@so.gov.vn", totp_secret=secret)
    assert staff_client.get("/so/").status_code == 200
    assert client.post(f"/so/nguoi-dung/{staff_id}/trang-thai", data={"active": "0"}).status_code == 302
    assert staff_client.get("/so/").status_code == 302  # signed out: back to the sign-in page
    assert staff_client.get("/so/chi-tieu").status_code == 302
    with app.app_context():
        assert not db.session.get(User, staff_id).is_active
        assert db.session.scalar(select(UserSession).where(UserSession.user_id == staff_id)).revoked_at is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "deactivate"))
        assert (event.actor_label, event.before, event.after) == (
            "admin@so.gov.vn",
            {"is_active": True},
            {"is_active": False},
        )
    assert login(staff_client, "staff@so.gov.vn", PASSWORD).status_code == 200  # refused
    # Reactivated, the person signs in again (with a later code: each code works once).
    assert client.post(f"/so/nguoi-dung/{staff_id}/trang-thai", data={"active": "1"}).status_code == 302
    with app.app_context():
        db.session.get(User, staff_id).totp_last_step -= 1
        db.session.commit()
    assert login(staff_client, "staff@so.gov.vn", totp_secret=secret).status_code == 302
    assert staff_client.get("/so/").status_code == 200


def test_an_admin_cannot_deactivate_or_demote_themselves(client, app):
    admin_id = _admin(client, app)
    response = client.post(f"/so/nguoi-dung/{admin_id}/trang-thai", data={"active": "0"}, follow_redirects=True)
    assert "alert-danger" in response.get_data(as_text=True)
    response = client.post(f"/so/nguoi-dung/{admin_id}/vai-tro", data={"role": "staff"}, follow_redirects=True)
    assert "alert-danger" in response.get_data(as_text=True)
    user = _user(app, "admin@so.gov.vn")
    assert user.is_active and user.role == "admin"
    assert client.get("/so/nguoi-dung").status_code == 200


def test_the_last_active_admin_stays(app):
    from app.useradmin import services

    with app.app_context():
        first = make_user("a1@so.gov.vn", role="admin")
        second = make_user("a2@so.gov.vn", role="admin")
        services.set_active(second, False, first)
        db.session.commit()
        # The only other admin is deactivated: `first` is now the last active admin.
        second.is_active_account = True
        second.role = "staff"
        db.session.commit()
        with pytest.raises(services.UserAdminError):
            services.change_role(first, "staff", second)
        with pytest.raises(services.UserAdminError):
            services.set_active(first, False, second)
        assert first.role == "admin" and first.is_active


def test_search_lists_staff_by_default_and_any_account_on_request(client, app):
    _admin(client, app)
    with app.app_context():
        make_user("mai.staff@so.gov.vn", role="staff", name="Lê Thị Mai")
        make_user("mai.owner@example.vn", name="Phạm Mai")
    page = client.get("/so/nguoi-dung?q=mai").get_data(as_text=True)
    assert "mai.staff@so.gov.vn" in page and "mai.owner@example.vn" not in page
    page = client.get("/so/nguoi-dung?q=MAI&scope=all").get_data(as_text=True)
    assert "mai.staff@so.gov.vn" in page and "mai.owner@example.vn" in page and "admin@so.gov.vn" not in page


def test_admin_sends_a_new_password_link(client, app, outbox):
    _admin(client, app)
    with app.app_context():
        staff_id = make_user("staff@so.gov.vn", role="staff").id
    assert client.post(f"/so/nguoi-dung/{staff_id}/gui-lien-ket").status_code == 302
    assert outbox.last()["To"] == "staff@so.gov.vn" and "/dat-lai-mat-khau/" in link_from(outbox.last())
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "send_password_link")).entity_id == str(
            staff_id
        )


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_staff_get_403_on_every_admin_route(client, app, method, path):
    with app.app_context():
        target_id = make_user("other@so.gov.vn", role="staff").id
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    data = {"email": "x@so.gov.vn", "full_name": "X", "role": "admin", "active": "0"}
    response = getattr(client, method)(path.format(id=target_id), data=data if method == "post" else None)
    assert response.status_code == 403
    other = _user(app, "other@so.gov.vn")
    assert other.role == "staff" and other.is_active and _user(app, "x@so.gov.vn") is None


def test_only_admins_see_the_user_management_card(client, app):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    page = client.get("/so/").get_data(as_text=True)
    assert "/so/chi-tieu" in page and "/so/nguoi-dung" not in page
    client.post("/dang-xuat")
    _admin(client, app)
    assert "/so/nguoi-dung" in client.get("/so/").get_data(as_text=True)


def test_admin_forms_need_a_csrf_token(database, tmp_path):
    """With CSRF on (as in production), every form of these pages refuses a post without the token."""
    from app import create_app

    app = create_app(
        {**database, "TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "RATELIMIT_ENABLED": False}
    )
    client = app.test_client()
    for path in (
        "/so/nguoi-dung/moi",
        "/so/nguoi-dung/1/trang-thai",
        "/so/nguoi-dung/1/vai-tro",
        "/so/nguoi-dung/1/gui-lien-ket",
        "/so/chi-tieu/T1",
        "/so/chi-tieu/T1/2025",
    ):
        assert client.post(path, data={"active": "0", "role": "owner"}).status_code == 400, path


def test_the_cli_obeys_the_last_admin_rule_too(app, runner):
    with app.app_context():
        admin = make_user("only-admin@so.gov.vn", role="admin")
        email = admin.email
    result = runner.invoke(args=["users", "deactivate", email])
    assert result.exit_code != 0 and "cuối cùng" in result.output + (str(result.exception) or "")
    with app.app_context():
        from app.auth.services import get_user_by_email

        assert get_user_by_email(email).is_active
