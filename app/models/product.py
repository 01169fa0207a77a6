"""Certified products of an enterprise and where they are sold online."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, utcnow

if TYPE_CHECKING:
    from app.models.enterprise import Enterprise
from app.models.values import Certification, one_of


class Product(TimestampMixin, db.Model):
    __table_args__ = (
        one_of("certification", Certification),
        CheckConstraint(
            "(certification = 'ocop' AND ocop_stars BETWEEN 3 AND 5) OR (certification <> 'ocop' AND ocop_stars IS NULL)",
            name="ocop_stars",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    certification: Mapped[str] = mapped_column(String(30), index=True)
    ocop_stars: Mapped[int | None]
    ocop_group: Mapped[str | None] = mapped_column(String(20))
    certifying_body: Mapped[str | None] = mapped_column(String(300))
    certificate_no: Mapped[str | None] = mapped_column(String(100))
    certified_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the department checked the certificate (None while a self-declared one awaits review), and
    # the day that check counts from in every figure: the day of the check, or the decision's day for
    # a certified list the department itself imported (app/registry/certificates.verified_by).
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_on: Mapped[date | None] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship(back_populates="products")
    listings: Mapped[list[Listing]] = relationship(back_populates="product", order_by="Listing.platform_code")


class Platform(db.Model):
    """An e-commerce platform from the reference list (rules/platforms.yaml)."""

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    domains: Mapped[str] = mapped_column(String(300))  # space-separated


class Listing(TimestampMixin, db.Model):
    __table_args__ = (UniqueConstraint("product_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    platform_code: Mapped[str] = mapped_column(ForeignKey("platform.code"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    last_verified_on: Mapped[date | None] = mapped_column(Date)

    product: Mapped[Product] = relationship(back_populates="listings")
    platform: Mapped[Platform] = relationship(lazy="joined")
    checks: Mapped[list[ListingCheck]] = relationship(
        back_populates="listing", order_by="(ListingCheck.checked_on.desc(), ListingCheck.id.desc())"
    )


class ListingCheck(db.Model):
    """A dated check that a listing still sells the product: what "present on e-commerce" reads.

    The latest available check is copied to ``Listing.last_verified_on``; the history stays so that
    the share of products on e-commerce can be computed as of any past day.
    """

    __table_args__ = (Index("ix_listing_check_listing_day", "listing_id", "checked_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"))
    checked_on: Mapped[date] = mapped_column(Date)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_by_label: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="checks")
