"""The counted facts of an enterprise over time: what every "as of a day" figure reads.

One row per span of days over which the facts an indicator reads held together — legal status,
record state (in the directory, withdrawn, merged), commune, line of business, size tier, legal
form, and the two verified labels. ``valid_from`` is the first day of the span, ``valid_to`` the day
after its last (None: it still holds, or holds until a later span begins). Before the first span
the firm did not exist (its first registration). app/registry/history.py is the one writer.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class EnterprisePeriod(db.Model):
    __tablename__ = "enterprise_period"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "valid_from"),
        # Covers the indicators' grouped count of the spans holding on a day, by dimension.
        Index(
            "ix_enterprise_period_as_of",
            "valid_from",
            "valid_to",
            "status",
            "record_state",
            "commune_code",
            "vsic_section",
            "main_vsic",
            "size_tier",
            "legal_form",
            "tech",
            "startup",
            "enterprise_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    record_state: Mapped[str] = mapped_column(String(20))
    commune_code: Mapped[str] = mapped_column(String(5))
    vsic_section: Mapped[str | None] = mapped_column(String(1))
    main_vsic: Mapped[str | None] = mapped_column(String(5))
    size_tier: Mapped[str] = mapped_column(String(20))
    legal_form: Mapped[str] = mapped_column(String(20))
    tech: Mapped[bool] = mapped_column(Boolean)  # a verified digital-technology label
    startup: Mapped[bool] = mapped_column(Boolean)  # a verified innovative-startup label
