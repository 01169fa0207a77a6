"""Signed, expiring tokens for e-mail links (verification, password reset) and device cookies."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
DEVICE_COOKIE = "device-cookie"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"auth.{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict | None:
    """The payload of a valid, unexpired token; None otherwise."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
