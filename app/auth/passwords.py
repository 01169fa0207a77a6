"""Password hashing (argon2id) and the password policy (≥ 8 characters, not a common password)."""

from __future__ import annotations

import functools
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.text import fold

MIN_LENGTH = 8
MAX_LENGTH = 256
# The PASSWORD_HASHING setting: argon2id with the library's current recommended parameters, or a
# minimal cost that only the test suite uses (production refuses it).
HASHERS = {"argon2id": PasswordHasher(), "argon2id-cheap": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)}


def _hasher() -> PasswordHasher:
    return HASHERS[current_app.config["PASSWORD_HASHING"]]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().lower()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, email: str = "", name: str = ""):
    """Return a translated reason the password is refused, or None. No composition rules."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)s characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(n)s characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or fold(password).replace(" ", "") in _common_passwords():
        return _l("This password is too common and easy to guess. Choose another one.")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and lowered == local:
        return _l("Do not use your e-mail address as your password.")
    if len(set(password)) < 3:
        return _l("This password is too easy to guess. Choose another one.")
    return None
