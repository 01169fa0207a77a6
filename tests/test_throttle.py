"""Guessing is slowed per account with a short, growing delay, never a long lockout, and the same
for an address without an account; wrong two-step codes end the pending sign-in."""

from __future__ import annotations

import re

import pyotp

from tests.factories import PASSWORD, make_user


def _post_login(client, email, password):
    return client.post("/dang-nhap", data={"email": email, "password": password})


def test_wrong_passwords_slow_the_account_down_then_the_right_one_works(client, app, monkeypatch):
    from app.auth import throttle
    from app.extensions import limiter

    monkeypatch.setattr(throttle, "FIRST_DELAY_SECONDS", 60)  # no gate opens by itself during the test
    app.config["RATELIMIT_ENABLED"] = True
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    with app.app_context():
        make_user("hoa@example.vn")
    for email in ("hoa@example.vn", "nobody@example.vn"):
        answers = [_post_login(client, email, "sai mật khẩu rồi") for _ in range(6)]
        assert [r.status_code for r in answers] == [200] * 6  # five free failures, the sixth closes the gate
        gated = _post_login(client, email, PASSWORD)
        assert gated.status_code == 429 and "thử lại sau" in gated.get_data(as_text=True)
    known = _post_login(client, "hoa@example.vn", "x" * 12).get_data(as_text=True)
    unknown = _post_login(client, "nobody@example.vn", "x" * 12).get_data(as_text=True)
    same = [
        re.sub(r"\d+ giây", "N giây", page.replace(email, "X"))
        for page, email in ((known, "hoa@example.vn"), (unknown, "nobody@example.vn"))
    ]
    assert same[0] == same[1]  # nothing tells the two addresses apart
    with app.app_context():  # the delay passes (the gate's key expires): the right password works, no lockout
        limiter.storage.clear(throttle._key("login-gate", "hoa@example.vn"))
    assert _post_login(client, "hoa@example.vn", PASSWORD).headers["Location"].endswith("/tai-khoan")


def test_the_delay_doubles_from_two_seconds_up_to_five_minutes(app):
    from app.auth import throttle

    app.config["RATELIMIT_ENABLED"] = True
    with app.test_request_context():
        waits = []
        for _ in range(14):
            throttle.failed("login", "hoa@example.vn")
            waits.append(throttle.wait_seconds("login", "hoa@example.vn"))
    assert waits[:5] == [0] * 5
    assert [2 <= w <= 3 for w in waits[5:6]] == [True] and 4 <= waits[6] <= 5 and 8 <= waits[7] <= 9
    assert 299 <= waits[-1] <= 301


def test_five_wrong_codes_end_the_pending_sign_in(client, app):
    app.config["RATELIMIT_ENABLED"] = True
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    assert _post_login(client, "staff@so.gov.vn", PASSWORD).headers["Location"].endswith("/dang-nhap/ma-xac-thuc")
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    answers = [client.post("/dang-nhap/ma-xac-thuc", data={"code": wrong}) for _ in range(5)]
    assert [r.status_code for r in answers[:4]] == [200] * 4
    assert answers[4].headers["Location"].endswith("/dang-nhap")
    assert client.get("/dang-nhap/ma-xac-thuc").headers["Location"].endswith("/dang-nhap")  # the password again
