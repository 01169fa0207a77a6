"""What people do around a listing: review requests, contact requests, follows, their inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.enterprise import Enterprise
from app.models.user import User
from app.models.values import ContactState, DocumentPurpose, ReviewState, one_of


class ReviewRequest(db.Model):
    """Something the department must approve or reject: a new listing, a claim, a legal edit, a report."""

    __table_args__ = (
        one_of("state", ReviewState),
        Index("ix_review_request_queue", "state", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # proposed values, evidence, message
    state: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)  # the department's reason, sent to the requester
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])


class Document(db.Model):
    """A file an owner sends as evidence — a claim's registration certificate or authorisation, a
    product certificate's scan — for the department's review. Kept in the database, not in a folder
    a web server serves: written in the transaction of what it supports, the same on every app
    server, in every backup; served only to staff and to the people acting for the enterprise
    (app/registry/documents.py)."""

    __table_args__ = (one_of("purpose", DocumentPurpose),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review_request.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_certificate.id", ondelete="SET NULL"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(200))  # as the owner's device named it
    media_type: Mapped[str] = mapped_column(String(50))  # read from the content, not from the name
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContactRequest(db.Model):
    """A message from an investor or a business to an enterprise; the recipient decides what to reveal."""

    __table_args__ = (one_of("state", ContactState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="new")
    reply: Mapped[str | None] = mapped_column(Text)
    reveal_email: Mapped[bool] = mapped_column(Boolean, default=False)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    replied_by: Mapped[User | None] = relationship(foreign_keys=[replied_by_id])
    enterprise: Mapped[Enterprise] = relationship()


class Follow(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()


class InboxMessage(db.Model):
    """A notice in a person's in-app inbox (each is also sent by e-mail)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutgoingMail(db.Model):
    """An e-mail waiting to leave: written in the transaction that decided to send it (a rolled-back
    write sends nothing), sent after the commit, retried with growing delays when the server fails."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # the plain-text part
    html: Mapped[str | None] = mapped_column(Text)  # the HTML alternative, from the same content
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
