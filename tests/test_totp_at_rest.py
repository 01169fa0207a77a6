"""Two-step sign-in secrets are stored encrypted (app/models/user.py): what the database holds is
not the secret, every reader and writer still sees the secret, and the migration encrypts the
secrets stored before it (and decrypts them going down)."""

from __future__ import annotations

import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.auth import totp
from app.extensions import db
from app.models import User
from app.models.user import UnreadableSecret, decrypt_secret, encrypt_secret
from tests.factories import login, make_user
from tests.test_migrations import _fresh_app

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _stored(email: str) -> str | None:
    return db.session.execute(text('SELECT totp_secret FROM "user" WHERE email = :e'), {"e": email}).scalar()


def test_the_database_holds_ciphertext_and_sign_in_with_a_code_still_works(client, app):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
        stored = _stored("staff@so.gov.vn")
    assert len(secret) == 32 and stored != secret and secret not in stored and stored.startswith("v1:")
    response = login(client, "staff@so.gov.vn", totp_secret=secret)
    assert response.headers["Location"].endswith("/so/")
    assert client.get("/tai-khoan").status_code == 200


def test_enrolment_stores_the_new_secret_encrypted(client, app):
    with app.app_context():
        make_user("staff@so.gov.vn", role="staff", two_factor=False)
    login(client, "staff@so.gov.vn")
    client.get("/dang-nhap/thiet-lap-xac-thuc")
    with client.session_transaction() as s:
        secret = s["totp_enrol"]
    client.post("/dang-nhap/thiet-lap-xac-thuc", data={"code": totp.current_code(secret)})
    with app.app_context():
        stored = _stored("staff@so.gov.vn")
        assert stored != secret and secret not in stored and decrypt_secret(stored) == secret
        assert db.session.scalar(db.select(User).filter_by(email="staff@so.gov.vn")).totp_secret == secret


def test_each_encryption_differs_and_another_key_or_a_changed_value_does_not_open(app):
    with app.app_context():
        first, second = encrypt_secret("JBSWY3DPEHPK3PXP"), encrypt_secret("JBSWY3DPEHPK3PXP")
        assert first != second and decrypt_secret(first) == decrypt_secret(second) == "JBSWY3DPEHPK3PXP"
        changed = first[:-4] + ("AAAA" if not first.endswith("AAAA") else "BBBB")
        for bad in (changed, "JBSWY3DPEHPK3PXP", "v1:not-base64!"):
            with pytest.raises(UnreadableSecret):
                decrypt_secret(bad)
        app.config["SECRET_KEY"] = "another-secret-key"
        with pytest.raises(UnreadableSecret):
            decrypt_secret(first)


def test_a_secret_this_key_cannot_open_refuses_the_code_without_an_error(client, app):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    assert login(client, "staff@so.gov.vn").headers["Location"].endswith("/dang-nhap/ma-xac-thuc")
    with app.app_context():
        db.session.execute(text('UPDATE "user" SET totp_secret = :v'), {"v": "v1:" + "A" * 80})
        db.session.commit()
    response = client.post("/dang-nhap/ma-xac-thuc", data={"code": totp.current_code(secret)})
    assert response.status_code == 200 and client.get("/tai-khoan").status_code == 302


def test_the_cli_prints_the_current_code_of_an_encrypted_secret(runner, app):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    before = totp.current_code(secret)
    result = runner.invoke(args=["users", "totp", "staff@so.gov.vn"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() in {before, totp.current_code(secret)}  # a new 30-second step may begin


def test_demo_accounts_store_their_secrets_encrypted(app):
    from app.demo.accounts import create_demo_accounts

    with app.app_context():
        accounts = create_demo_accounts({})
        for account in accounts:
            if account.totp_secret:
                stored = _stored(account.email)
                assert stored != account.totp_secret and decrypt_secret(stored) == account.totp_secret
        assert any(a.totp_secret for a in accounts)
        db.session.rollback()


def test_the_migration_encrypts_stored_secrets_and_its_downgrade_decrypts_them(tmp_path):
    app, drop = _fresh_app(tmp_path)
    plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    try:
        with app.app_context():
            upgrade(revision="c9e4a2b7d1f8")
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        'INSERT INTO "user" (email, password_hash, full_name, role, is_active, totp_secret, '
                        "created_at, updated_at) VALUES ('a@so.gov.vn', 'x', 'A', 'staff', :t, :s, :now, :now), "
                        "('b@example.vn', 'x', 'B', 'owner', :t, NULL, :now, :now)"
                    ),
                    {"t": True, "s": plain, "now": "2026-12-01 10:00:00+00:00"},
                )
                conn.execute(  # a signed-in session refers to the user: the table is changed, not rebuilt
                    text(
                        "INSERT INTO user_session (user_id, token_hash, created_at, last_seen_at) "
                        "SELECT id, 'h', created_at, created_at FROM \"user\" WHERE email = 'a@so.gov.vn'"
                    )
                )
            upgrade(revision="d2b4f6a8c0e1")
            with db.engine.connect() as conn:
                rows = dict(conn.execute(text('SELECT email, totp_secret FROM "user"')).all())
            assert rows["b@example.vn"] is None
            assert rows["a@so.gov.vn"] != plain and plain not in rows["a@so.gov.vn"]
            assert decrypt_secret(rows["a@so.gov.vn"]) == plain  # the application reads what the migration wrote
            downgrade(revision="c9e4a2b7d1f8")
            with db.engine.connect() as conn:
                rows = dict(conn.execute(text('SELECT email, totp_secret FROM "user"')).all())
            assert rows == {"a@so.gov.vn": plain, "b@example.vn": None}
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM user_session")).scalar() == 1
            db.engine.dispose()
    finally:
        drop()


def test_a_secret_the_key_no_longer_opens_is_reset_from_the_cli_and_set_up_again(client, runner, app):
    with app.app_context():
        make_user("staff@so.gov.vn", role="staff")
        db.session.execute(text('UPDATE "user" SET totp_secret = :v'), {"v": "v1:" + "A" * 80})
        db.session.commit()
    assert runner.invoke(args=["users", "totp", "staff@so.gov.vn"]).exit_code == 1  # said, not a traceback
    result = runner.invoke(args=["users", "reset-totp", "staff@so.gov.vn"])
    assert result.exit_code == 0, result.output
    assert login(client, "staff@so.gov.vn").headers["Location"].endswith("/dang-nhap/thiet-lap-xac-thuc")
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="staff@so.gov.vn"))
        assert user.totp_secret is None and user.totp_enabled_at is None
    assert runner.invoke(args=["users", "reset-totp", "nobody@so.gov.vn"]).exit_code == 1
