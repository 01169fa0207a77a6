"""Time-based one-time passwords (RFC 6238) for two-factor sign-in."""

from __future__ import annotations

import time

import pyotp
import segno

ISSUER = "ChuyenDoiSo DN"
VALID_WINDOW = 1  # accept the previous and the next 30-second step for clock drift


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The provisioning URI as an inline SVG QR code (no image request, no third party)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def accepted_step(secret: str, code: str, last_step: int | None, now: float | None = None) -> int | None:
    """The time step a code matches, if it is newer than the last accepted one; else None."""
    code = "".join(ch for ch in (code or "") if ch.isascii() and ch.isdigit())
    if len(code) != 6:
        return None
    otp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now // otp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(otp.generate_otp(step), code):
            return step
    return None


def was_used(secret: str, code: str, last_step: int | None, now: float | None = None) -> bool:
    """Whether the code is a right one already accepted (typed again within its 30 seconds)."""
    code = "".join(ch for ch in (code or "") if ch.isascii() and ch.isdigit())
    if last_step is None or len(code) != 6:
        return False
    otp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // otp.interval)
    return any(
        pyotp.utils.strings_equal(otp.generate_otp(step), code)
        for step in range(current - VALID_WINDOW, min(current + VALID_WINDOW, last_step) + 1)
    )


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()
