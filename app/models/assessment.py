"""Attempts at a readiness instrument, and each enterprise's latest counted result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.enterprise import Enterprise
from app.models.user import User
from app.models.values import AssessmentStatus, one_of

EXTERNAL = "external:"  # the prefix of an external instrument's id


class Assessment(db.Model):
    """One attempt: answers saved page by page, then submitted once and never changed again."""

    __table_args__ = (
        one_of("status", AssessmentStatus),
        Index("ix_assessment_instrument", "instrument_id", "instrument_version", "status"),
        Index("ix_assessment_enterprise_submitted", "enterprise_id", "submitted_at"),
        # Covers the progress indicators' "latest counted attempt of each enterprise as of a day" (with
        # what T5 tells apart: an external instrument's results, the department's imported ones).
        Index(
            "ix_assessment_counted_latest",
            "enterprise_id",
            "submitted_at",
            "counted_at",
            "overall_level",
            "instrument_id",
            "is_imported",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    resume_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    instrument_id: Mapped[str] = mapped_column(String(40))
    instrument_version: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    page: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # Stamped at submission from the instrument's own rules:
    counts_toward_indicators: Mapped[bool] = mapped_column(Boolean, default=False)
    total_share: Mapped[float | None] = mapped_column(Float)
    overall_level: Mapped[int | None] = mapped_column(Integer, index=True)
    pillar_results: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When the attempt began to count for its enterprise (a counting instrument, linked by a verified
    # member): at submission, or later when the member's claim was approved. Indicators read it.
    counted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A past result the department imported from its records (app/imports/kinds/results.py; the batch
    # is its audit events' provenance): no answers, counted from its day. Its instrument is one of
    # ours, or an external one (``instrument_id`` "external:<slug>") named here.
    is_imported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    instrument_name: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()

    @property
    def is_submitted(self) -> bool:
        return self.status == "submitted"

    @property
    def is_external(self) -> bool:
        """A result of another body's instrument (imported), not of one of ours."""
        return self.instrument_id.startswith(EXTERNAL)


class LatestAssessment(db.Model):
    """The newest counted result of each enterprise: what the dashboard and peers read."""

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True)
    # Goes with its attempt (an undone import deletes the attempts it wrote; the latest is then recomputed).
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), unique=True)
    instrument_id: Mapped[str] = mapped_column(String(40), index=True)
    instrument_version: Mapped[int] = mapped_column(Integer)
    overall_level: Mapped[int] = mapped_column(Integer, index=True)
    total_share: Mapped[float | None] = mapped_column(Float)  # unknown for an imported result without a score
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    assessment: Mapped[Assessment] = relationship()


class EnterpriseSolution(db.Model):
    """A solution category a provider offers (codes from surveys/categories.yaml)."""

    __tablename__ = "enterprise_solution"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
