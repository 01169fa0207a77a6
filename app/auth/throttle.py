"""Slow down guessing without locking anyone out: per account, a short delay that grows with each
failure (counted whether or not the address has an account, so it tells nothing), kept in the rate
limiter's storage (Redis when several workers serve the site). Per client address, the sign-in
limits of LOGIN_RATE_LIMIT apply separately."""

from __future__ import annotations

import hashlib
import time

from flask import current_app

from app.extensions import limiter

FREE_FAILURES = 5  # failures before any delay
WINDOW_SECONDS = 3600  # failures are forgotten an hour after the first one
FIRST_DELAY_SECONDS = 2  # the delay after the first failure past the free ones; it doubles from there
MAX_DELAY_SECONDS = 300  # up to five minutes, never a long lockout
TOTP_FAILURES = 5  # wrong codes that end a pending sign-in (the password is asked again)


def _key(kind: str, who: str) -> str:
    return f"throttle:{kind}:" + hashlib.sha256(who.encode()).hexdigest()[:32]


def _storage():
    return limiter.storage if current_app.config["RATELIMIT_ENABLED"] else None


def wait_seconds(kind: str, who: str) -> int:
    """Seconds before the next attempt for this account is heard (0: go ahead)."""
    storage = _storage()
    if storage is None:
        return 0
    gate = _key(kind + "-gate", who)
    return max(int(storage.get_expiry(gate) - time.time()) + 1, 1) if storage.get(gate) else 0


def failed(kind: str, who: str) -> int:
    """Count a failure; past the free ones, close the gate for a growing delay. Returns the count
    (0 when rate limits are off)."""
    storage = _storage()
    if storage is None:
        return 0
    count = storage.incr(_key(kind, who), WINDOW_SECONDS)
    if count > FREE_FAILURES:
        delay = min(FIRST_DELAY_SECONDS * 2 ** (count - FREE_FAILURES - 1), MAX_DELAY_SECONDS)
        storage.clear(_key(kind + "-gate", who))
        storage.incr(_key(kind + "-gate", who), delay)
    return count


def succeeded(kind: str, who: str) -> None:
    storage = _storage()
    if storage is not None:
        storage.clear(_key(kind, who))
        storage.clear(_key(kind + "-gate", who))
