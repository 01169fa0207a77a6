"""People, their sign-in sessions and their membership of enterprises."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, utcnow
from app.models.enterprise import Enterprise
from app.models.values import STAFF_ROLES, ClaimState, Role, one_of


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
    totp_secret: Mapped[str | None] = mapped_column(String(64))
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
