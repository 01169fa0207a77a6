"""People, their sign-in sessions and their membership of enterprises."""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import os
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from app.extensions import db
from app.models.base import TimestampMixin, utcnow
from app.models.enterprise import Enterprise
from app.models.values import STAFF_ROLES, ClaimState, Role, one_of
from app.signing import derived_key

log = logging.getLogger(__name__)

# --- secrets at rest ----------------------------------------------------------------------------
# A two-step sign-in secret is stored as AES-GCM ciphertext under a key derived from SECRET_KEY
# (app/signing.derived_key: HKDF-SHA256 with a purpose label): a copy of the database (a backup, a dump) makes no codes without
# the key. Changing SECRET_KEY makes the stored secrets unreadable: `flask users reset-totp EMAIL` then
# lets their people set up their authenticator again. The migration d2b4f6a8c0e1 holds a frozen copy.

SECRET_PREFIX = "v1:"  # a base32 secret never holds ':', so stored plaintext and ciphertext never look alike
SECRET_PURPOSE = b"chuyendoiso user.totp_secret v1"  # HKDF's info and the ciphertext's associated data
NONCE_BYTES = 12


class UnreadableSecret(ValueError):
    """Stored ciphertext that this SECRET_KEY does not open (changed key, or altered value)."""


@functools.lru_cache(maxsize=4)
def _aead(secret_key: bytes) -> AESGCM:
    return AESGCM(derived_key(secret_key, SECRET_PURPOSE.decode()))


def _current_aead() -> AESGCM:
    secret_key = current_app.config["SECRET_KEY"]
    return _aead(secret_key.encode() if isinstance(secret_key, str) else bytes(secret_key))


def encrypt_secret(plain: str) -> str:
    """The value to store for a secret: a fresh nonce and the ciphertext, base64, behind the prefix."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _current_aead().encrypt(nonce, plain.encode(), SECRET_PURPOSE)
    return SECRET_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_secret(stored: str) -> str:
    """The secret of a stored value; UnreadableSecret when it is not one this key encrypted."""
    if not stored.startswith(SECRET_PREFIX):
        raise UnreadableSecret("not an encrypted secret (was the migration run?)")
    try:
        raw = base64.urlsafe_b64decode(stored[len(SECRET_PREFIX) :])
        return _current_aead().decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], SECRET_PURPOSE).decode()
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise UnreadableSecret("encrypted with another SECRET_KEY, or altered") from exc


class EncryptedSecret(TypeDecorator):
    """A column whose value Python reads and writes in clear and the database holds encrypted. One
    SQLite cannot open is read as None (and logged): the person is refused, not the page."""

    impl = String(255)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        # SQLite ignores a VARCHAR's length, and its user table keeps the VARCHAR(64) it had: widening
        # it there would rebuild the table every other one refers to, which its foreign keys refuse.
        return dialect.type_descriptor(String(64) if dialect.name == "sqlite" else String(255))

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt_secret(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return decrypt_secret(value)
        except UnreadableSecret as exc:
            log.error("a stored two-step secret is unreadable (%s): `flask users reset-totp EMAIL`", exc)
            return None


class User(UserMixin, TimestampMixin, db.Model):
    __table_args__ = (one_of("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="owner")
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_secret: Mapped[str | None] = mapped_column(EncryptedSecret())  # in clear here, encrypted in the table
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None]  # last accepted TOTP time step: a code works once
    privacy_consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    privacy_notice_version: Mapped[str | None] = mapped_column(String(20))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", foreign_keys="Membership.user_id")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.is_active_account and self.closed_at is None

    @hybrid_property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @is_staff.inplace.expression
    @classmethod
    def _is_staff_expression(cls):
        return cls.role.in_(STAFF_ROLES)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def verified_enterprise_ids(self) -> list[int]:
        """The enterprises this person is a verified member of (staff are not members by their role)."""
        return [m.enterprise_id for m in self.memberships if m.is_verified]

    def is_verified_member(self, enterprise_id: int | None) -> bool:
        return enterprise_id is not None and enterprise_id in self.verified_enterprise_ids()

    @property
    def needs_two_factor(self) -> bool:
        return self.is_staff

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None


class UserSession(db.Model):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class Membership(TimestampMixin, db.Model):
    """A user acting for an enterprise; a claim is pending until the department verifies it."""

    __table_args__ = (
        UniqueConstraint("user_id", "enterprise_id"),
        one_of("claim_state", ClaimState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    claim_state: Mapped[str] = mapped_column(String(20), default="pending")
    evidence: Mapped[str | None] = mapped_column(String(1000))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(String(1000))

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    enterprise: Mapped[Enterprise] = relationship()

    @hybrid_property
    def is_verified(self) -> bool:
        """The department verified the claim: the one test of a verified member, in Python and in SQL."""
        return self.claim_state == "verified"
