"""Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): a browser that
signed in to an account receives a signed cookie naming the account and a random nonce. An attempt
presenting a valid one for the account it names is not delayed by failures from elsewhere
(app/auth/throttle.py)."""

from __future__ import annotations

import secrets

from flask import after_this_request, current_app, request

from app.auth import services, throttle, tokens
from app.models import User

COOKIE = "device"


def issue(user: User) -> None:
    """Give this browser a fresh device cookie for the account (on the response to this request)."""
    value = tokens.make_token(tokens.DEVICE_COOKIE, {"uid": user.id, "nonce": secrets.token_urlsafe(16)})

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            COOKIE,
            value,
            max_age=throttle.DEVICE_SECONDS,
            path="/",
            secure=current_app.config["SESSION_COOKIE_SECURE"],  # on in production
            httponly=True,
            samesite="Lax",
        )
        return response


def presented(email: str) -> str | None:
    """The nonce of the browser's device cookie if it is valid, unexpired and names the account of
    this e-mail address; None otherwise (then the attempt counts per client address)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    data = tokens.read_token(tokens.DEVICE_COOKIE, value, throttle.DEVICE_SECONDS)
    if not isinstance(data, dict) or not isinstance(data.get("nonce"), str):
        return None
    user = services.get_user_by_email(email)
    return data["nonce"] if user is not None and user.id == data.get("uid") else None
