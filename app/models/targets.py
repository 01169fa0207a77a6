"""The province's targets and the indicators they are measured by.

An indicator is a measured quantity (the share of certified products on e-commerce platforms, the
share of records processed online at commune level …). It is either computed from the registry and
the assessments, or reported by the department with a value, a date and a source document. A target
is a value an indicator should reach by a year, with a status: targets are data the department keeps,
because the law changes them (districts were abolished on 1 July 2025, and with them a target).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, utcnow
from app.models.values import IndicatorKind, TargetStatus, one_of


class Indicator(TimestampMixin, db.Model):
    __table_args__ = (one_of("kind", IndicatorKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # "T4", "T2-commune"
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    # For computed indicators, the name of the function that computes them (app.targets.metrics).
    metric: Mapped[str | None] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(20))  # percent, count, percent_grdp, yes_no
    source: Mapped[str | None] = mapped_column(Text)  # where the target comes from
    # what a reader of the figure needs besides it (app/progress/about.py): periodicity, agency,
    # contact, the plan document, limitations, the next update
    about: Mapped[dict | None] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(default=0)

    targets: Mapped[list[Target]] = relationship(back_populates="indicator", order_by="Target.year")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="(IndicatorValue.as_of.desc(), IndicatorValue.id.desc())"
    )


class Target(TimestampMixin, db.Model):
    __table_args__ = (
        UniqueConstraint("indicator_id", "year"),
        one_of("status", TargetStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    year: Mapped[int]
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # empty for a qualitative target
    # How the value was read from the source ("+30 percentage points over 2025"), kept beside it.
    reading_vi: Mapped[str | None] = mapped_column(Text)
    reading_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_note: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class IndicatorValue(db.Model):
    """A reported figure: never edited, a correction is a newer entry (the history stays)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    as_of: Mapped[date] = mapped_column(Date)
    source_document: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    entered_by_label: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="values")


class IndicatorSetting(db.Model):
    """A setting of the indicators' rules (threshold level, validity, readings), kept with its reading.

    Declared with its type and default in app/indicator_settings.py, loaded from targets.yaml, edited
    by admins (each change is an audit event), read by the indicator functions.
    """

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))
    reading_vi: Mapped[str | None] = mapped_column(Text)
    reading_en: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class IndicatorSnapshot(db.Model):
    """A computed indicator as of one day, with its breakdowns: the summary table the pages read.

    A past day's figures depend only on records dated up to that day, so once computed they stand;
    the settings they were computed with are part of the key. `flask progress rebuild` recomputes
    them all (after a correction that reaches into the past); today's row is refreshed after writes.
    """

    __table_args__ = (UniqueConstraint("indicator_code", "as_of", "settings_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[date] = mapped_column(Date)
    settings_key: Mapped[str] = mapped_column(String(64))
    registry_version: Mapped[str] = mapped_column(String(64), default="")  # app.cache.registry_version()
    summary: Mapped[dict] = mapped_column(JSON)  # the figure itself: what the series and the cards read
    data: Mapped[dict] = mapped_column(JSON)  # breakdowns and yearly counts: what the indicator page reads
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
