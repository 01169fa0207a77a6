"""Guessing is slowed per account and client address with a short, growing delay, never a long
lockout, and the same for an address without an account; a browser that signed in before (device
cookie) is not delayed by anyone else's failures; wrong two-step codes end the pending sign-in, on the
server (a copy of the cookie does not bring it back)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.factories import PASSWORD, make_user


def _post_login(client, email, password, address="127.0.0.1"):
    return client.post("/dang-nhap", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def _limits_on(app):
    from app.extensions import limiter

    app.config["RATELIMIT_ENABLED"] = True
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    with app.app_context():
        limiter.storage.reset()  # the limiter's storage outlives a test


def test_wrong_passwords_slow_the_account_down_then_the_right_one_works(client, app, monkeypatch):
    from app.auth import throttle
    from app.extensions import limiter

    monkeypatch.setattr(throttle, "FIRST_DELAY_SECONDS", 60)  # no gate opens by itself during the test
    _limits_on(app)
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
        limiter.storage.clear(throttle._key("login-gate", throttle.from_address("hoa@example.vn", "127.0.0.1")))
    assert _post_login(client, "hoa@example.vn", PASSWORD).headers["Location"].endswith("/tai-khoan")


def test_the_delay_doubles_from_two_seconds_up_to_five_minutes(app):
    from app.auth import throttle

    _limits_on(app)
    with app.test_request_context():
        waits = []
        for _ in range(14):
            throttle.failed("login", "hoa@example.vn")
            waits.append(throttle.wait_seconds("login", "hoa@example.vn"))
    assert waits[:5] == [0] * 5
    assert [2 <= w <= 3 for w in waits[5:6]] == [True] and 4 <= waits[6] <= 5 and 8 <= waits[7] <= 9
    assert 299 <= waits[-1] <= 301


def test_five_wrong_codes_end_the_pending_sign_in(client, app):
    _limits_on(app)
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    assert _post_login(client, "staff@so.gov.vn", PASSWORD).headers["Location"].endswith("/dang-nhap/ma-xac-thuc")
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    answers = [client.post("/dang-nhap/ma-xac-thuc", data={"code": wrong}) for _ in range(5)]
    assert [r.status_code for r in answers[:4]] == [200] * 4
    assert answers[4].headers["Location"].endswith("/dang-nhap")
    assert client.get("/dang-nhap/ma-xac-thuc").headers["Location"].endswith("/dang-nhap")  # the password again


ATTACKER, ELSEWHERE = "203.0.113.7", "198.51.100.20"


def test_an_attackers_wrong_passwords_delay_the_attacker_never_the_owner(app, monkeypatch):
    """Audit finding: ten wrong passwords from one address kept the owner (and admins) out everywhere."""
    from app.auth import throttle

    monkeypatch.setattr(throttle, "FIRST_DELAY_SECONDS", 60)
    _limits_on(app)
    with app.app_context():
        make_user("hoa@example.vn")
        make_user("ke.gian@example.vn")
    known_browser = app.test_client()  # the owner signed in from this browser before, at the attacker's address
    assert _post_login(known_browser, "hoa@example.vn", PASSWORD, ATTACKER).status_code == 302
    assert known_browser.get_cookie("device") is not None
    known_browser.post("/dang-xuat", environ_base={"REMOTE_ADDR": ATTACKER})

    attacker = app.test_client()  # holds a device cookie of its own account: it does not count for another
    assert _post_login(attacker, "ke.gian@example.vn", PASSWORD, ATTACKER).status_code == 302
    attacker.post("/dang-xuat", environ_base={"REMOTE_ADDR": ATTACKER})
    answers = [_post_login(attacker, "hoa@example.vn", "sai mật khẩu rồi", ATTACKER) for _ in range(10)]
    assert [r.status_code for r in answers] == [200] * 6 + [429] * 4  # the attacker is slowed down
    assert _post_login(attacker, "hoa@example.vn", PASSWORD, ATTACKER).status_code == 429

    new_browser = app.test_client()  # the owner, from another address, with no device cookie
    assert _post_login(new_browser, "hoa@example.vn", PASSWORD, ELSEWHERE).headers["Location"].endswith("/tai-khoan")
    # the owner's own browser, at the very address of the attack
    assert _post_login(known_browser, "hoa@example.vn", PASSWORD, ATTACKER).headers["Location"].endswith("/tai-khoan")


def test_the_device_cookie_is_signed_httponly_lax_long_lived_and_secure_in_production(app):
    with app.app_context():
        make_user("hoa@example.vn")
    client = app.test_client()
    header = next(
        h
        for h in _post_login(client, "hoa@example.vn", PASSWORD).headers.getlist("Set-Cookie")
        if h.startswith("device=")
    )
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=31536000" in header and "Path=/" in header
    assert "Secure" not in header  # plain http in development
    client.post("/dang-xuat")
    app.config["SESSION_COOKIE_SECURE"] = True  # as in production (app/config.py)
    header = next(
        h
        for h in _post_login(client, "hoa@example.vn", PASSWORD).headers.getlist("Set-Cookie")
        if h.startswith("device=")
    )
    assert "; Secure" in header


def test_a_device_cookie_that_fails_too_often_is_ignored_and_a_forged_one_never_counts(app, monkeypatch):
    from app.auth import throttle

    monkeypatch.setattr(throttle, "FIRST_DELAY_SECONDS", 60)
    _limits_on(app)
    with app.app_context():
        make_user("hoa@example.vn")
    browser = app.test_client()
    assert _post_login(browser, "hoa@example.vn", PASSWORD, ATTACKER).status_code == 302
    browser.post("/dang-xuat", environ_base={"REMOTE_ADDR": ATTACKER})
    # its own wrong passwords: not delayed, but the fifth revokes the cookie
    own = [
        _post_login(browser, "hoa@example.vn", "sai mật khẩu rồi", ATTACKER) for _ in range(throttle.DEVICE_FAILURES)
    ]
    assert [r.status_code for r in own] == [200] * throttle.DEVICE_FAILURES
    # from now on it counts like any browser at its address: five free failures, then the delay
    after = [_post_login(browser, "hoa@example.vn", "sai mật khẩu rồi", ATTACKER) for _ in range(7)]
    assert [r.status_code for r in after] == [200] * 6 + [429]

    forged = app.test_client()
    value = browser.get_cookie("device").value
    forged.set_cookie("device", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert _post_login(forged, "hoa@example.vn", PASSWORD, ATTACKER).status_code == 429


def _pending_cookie(client):
    assert _post_login(client, "staff@so.gov.vn", PASSWORD).headers["Location"].endswith("/dang-nhap/ma-xac-thuc")
    return client.get_cookie("session").value


@pytest.mark.parametrize("limits", [True, False], ids=["limits-on", "limits-off"])
def test_a_saved_cookie_does_not_bring_back_a_sign_in_ended_by_wrong_codes(client, app, limits):
    """Audit finding: the count of wrong codes lived in the cookie, so replaying it reset the count."""
    if limits:
        _limits_on(app)
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    saved = _pending_cookie(client)
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    answers = [client.post("/dang-nhap/ma-xac-thuc", data={"code": wrong}) for _ in range(5)]
    assert answers[4].headers["Location"].endswith("/dang-nhap")
    client.set_cookie("session", saved)  # the cookie as it was after the password step
    response = client.post("/dang-nhap/ma-xac-thuc", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"].endswith("/dang-nhap")  # the password again
    assert client.get("/tai-khoan").status_code == 302  # not signed in


def test_a_pending_sign_in_completes_once(client, app):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    saved = _pending_cookie(client)
    assert client.post("/dang-nhap/ma-xac-thuc", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/tai-khoan").status_code == 200
    client.post("/dang-xuat")
    client.set_cookie("session", saved)
    next_code = pyotp.TOTP(secret).at(time.time() + 30)  # a code not used yet
    assert client.post("/dang-nhap/ma-xac-thuc", data={"code": next_code}).headers["Location"].endswith("/dang-nhap")
    assert client.get("/tai-khoan").status_code == 302
