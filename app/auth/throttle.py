"""Slow down guessing without letting anyone lock an account out (OWASP's device cookies).

A browser that signed in to an account holds a device cookie for it (app/auth/devices.py): its
attempts at that account are never delayed by anyone else's failures; its own DEVICE_FAILURES wrong
passwords within the hour revoke the cookie, which is then ignored. Every other attempt counts per
account *and client address*: a short delay that grows with each failure (counted whether or not the
address has an account, so it tells nothing). An attacker's failures thus delay the attacker, never
the owner signing in from another address or from a browser they signed in with before. Per client
address, the sign-in limits of LOGIN_RATE_LIMIT apply separately.

The counters, revoked cookies and pending two-step sign-ins live in the rate limiter's storage (Redis
when several processes serve the site), so every process counts the same.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from flask import current_app
from flask_limiter.util import get_remote_address
from limits.storage import Storage, storage_from_string

from app.extensions import limiter

FREE_FAILURES = 5  # failures before any delay
WINDOW_SECONDS = 3600  # failures are forgotten an hour after the first one
FIRST_DELAY_SECONDS = 2  # the delay after the first failure past the free ones; it doubles from there
MAX_DELAY_SECONDS = 300  # up to five minutes, never a long lockout
DEVICE_FAILURES = 5  # wrong passwords (within WINDOW_SECONDS) that revoke a device cookie
DEVICE_SECONDS = 365 * 24 * 3600  # a device cookie lasts a year; a revoked one is remembered as long
TOTP_FAILURES = 5  # wrong codes that end a pending sign-in (the password is asked again)
PENDING_SECONDS = 600  # a pending two-step sign-in lasts ten minutes


def _key(kind: str, who: str) -> str:
    return f"throttle:{kind}:" + hashlib.sha256(who.encode()).hexdigest()[:32]


def storage() -> Storage:
    """The rate limiter's storage; with rate limits off, a storage of the same kind for this app (the
    pending two-step sign-ins need one all the same)."""
    if current_app.config["RATELIMIT_ENABLED"]:
        return limiter.storage
    own = current_app.extensions.get("sign_in_state")
    if own is None:
        uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        own = storage_from_string(uri, **current_app.config.get("RATELIMIT_STORAGE_OPTIONS", {}))
        current_app.extensions["sign_in_state"] = own
    return own


def _storage() -> Storage | None:
    return storage() if current_app.config["RATELIMIT_ENABLED"] else None


def wait_seconds(kind: str, who: str) -> int:
    """Seconds before the next attempt of this kind for `who` is heard (0: go ahead)."""
    store = _storage()
    if store is None:
        return 0
    gate = _key(kind + "-gate", who)
    return max(int(store.get_expiry(gate) - time.time()) + 1, 1) if store.get(gate) else 0


def failed(kind: str, who: str) -> int:
    """Count a failure; past the free ones, close the gate for a growing delay. Returns the count
    (0 when rate limits are off)."""
    store = _storage()
    if store is None:
        return 0
    count = store.incr(_key(kind, who), WINDOW_SECONDS)
    if count > FREE_FAILURES:
        delay = min(FIRST_DELAY_SECONDS * 2 ** (count - FREE_FAILURES - 1), MAX_DELAY_SECONDS)
        store.clear(_key(kind + "-gate", who))
        store.incr(_key(kind + "-gate", who), delay)
    return count


def succeeded(kind: str, who: str) -> None:
    store = _storage()
    if store is not None:
        store.clear(_key(kind, who))
        store.clear(_key(kind + "-gate", who))


# --- sign-in attempts: from a trusted device, or from a client address ---------------------------


def from_address(account: str, address: str | None) -> str:
    """Whose failures an attempt without a (valid) device cookie counts in: this account from this address."""
    return f"{account}\n{address or ''}"


def device_revoked(nonce: str) -> bool:
    store = _storage()
    return bool(store and store.get(_key("device-revoked", nonce)))


class SignIn:
    """One password attempt at an account, with the nonce of the browser's device cookie when it
    presented a valid one for this account (app/auth/devices.py)."""

    def __init__(self, account: str, device: str | None):
        self.device = device if device and not device_revoked(device) else None
        self.who = from_address(account, get_remote_address())

    def wait_seconds(self) -> int:
        return 0 if self.device else wait_seconds("login", self.who)

    def failed(self) -> None:
        if self.device is None:
            failed("login", self.who)
            return
        store = _storage()
        if store is not None and store.incr(_key("device", self.device), WINDOW_SECONDS) >= DEVICE_FAILURES:
            store.incr(_key("device-revoked", self.device), DEVICE_SECONDS)  # ignored from now on

    def succeeded(self) -> None:
        if self.device is None:
            succeeded("login", self.who)
        elif (store := _storage()) is not None:
            store.clear(_key("device", self.device))


# --- pending two-step sign-ins: their id in the session, their state here -------------------------


def start_pending() -> str:
    """Record a sign-in waiting for its two-step code; returns the id the session will carry."""
    pending_id = secrets.token_urlsafe(16)
    storage().incr(_key("pending", pending_id), PENDING_SECONDS)
    return pending_id


def pending_alive(pending_id: str | None) -> bool:
    """Whether a pending sign-in can still be completed (not expired, consumed or ended by wrong codes)."""
    return bool(pending_id) and bool(storage().get(_key("pending", pending_id)))


def pending_tried(pending_id: str) -> int:
    """Count a code submitted for a pending sign-in (before checking it, so that no burst of requests
    checks more than TOTP_FAILURES codes); returns how many were."""
    return storage().incr(_key("pending-tries", pending_id), PENDING_SECONDS)


def end_pending(pending_id: str) -> None:
    """Consume a pending sign-in (completed, or too many wrong codes): its cookie no longer works."""
    store = storage()
    store.clear(_key("pending", pending_id))
    store.clear(_key("pending-tries", pending_id))
