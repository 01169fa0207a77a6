"""E-mail leaves through an outbox: after the commit, never for a rolled-back write, retried when the
server fails, and neither a mail outage nor timing tells whether an address has an account."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.mail import drain, send_email
from app.models import OutgoingMail
from tests.factories import make_user


def test_a_rolled_back_write_sends_no_mail(app, outbox):
    with app.test_request_context(method="POST"):
        send_email("hoa@example.vn", "Xin chào", "Nội dung")
        db.session.rollback()
    assert outbox.messages() == []
    with app.app_context():
        assert db.session.scalar(select(OutgoingMail.id)) is None


def test_with_the_mail_server_down_the_reset_page_answers_alike_and_the_mail_leaves_later(client, app, outbox, runner):
    with app.app_context():
        make_user("hoa@example.vn")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there: the server is "down"
    known = client.post("/quen-mat-khau", data={"email": "hoa@example.vn"})
    unknown = client.post("/quen-mat-khau", data={"email": "nobody@example.vn"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("hoa@example.vn", "X") == unknown.get_data(as_text=True).replace(
        "nobody@example.vn", "X"
    )
    with app.app_context():
        waiting = db.session.scalars(select(OutgoingMail)).all()
        assert [(m.recipient, m.attempts, m.sent_at) for m in waiting] == [("hoa@example.vn", 1, None)]
        assert waiting[0].last_error
        db.session.execute(db.update(OutgoingMail).values(next_attempt_at=waiting[0].created_at))  # due now
        db.session.commit()
    app.config.update(MAIL_SERVER="")  # back up (files in instance/mail)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and result.output.startswith("1 sent"), result.output
    assert "/dat-lai-mat-khau/" in outbox.last().get_body(("plain",)).get_content()
    with app.app_context():
        assert drain() == (0, 0)  # sent once, never twice


def test_registering_an_existing_address_costs_the_same_password_work(client, app, monkeypatch):
    from app.auth import passwords

    with app.app_context():
        make_user("hoa@example.vn")
    calls = []
    real = passwords.hash_password
    monkeypatch.setattr(passwords, "hash_password", lambda p: calls.append(p) or real(p))
    form = {
        "full_name": "Lê Thị Hoa",
        "password": "một câu mật khẩu đủ dài",
        "confirm": "một câu mật khẩu đủ dài",
        "consent": "y",
        "role": "owner",
    }
    first = client.post("/dang-ky", data={**form, "email": "hoa@example.vn"})
    second = client.post("/dang-ky", data={**form, "email": "moi@example.vn"})
    assert first.status_code == second.status_code and len(calls) == 2
