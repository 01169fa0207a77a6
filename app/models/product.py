"""Certified products of an enterprise, their certificates and withdrawals, and where they are sold online."""

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
    # The certificate columns above and the two below mirror the product's latest certificate (by
    # certification day): what the profile, the forms and the API show. Every figure reads the
    # certificates themselves (app/registry/certificates.py); app/registry/product_history.py keeps
    # the mirror. When the department checked it (None while a declared one awaits review), and the
    # day that check counts from: the day of the check, or the decision's day for a list the
    # department itself imported.
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_on: Mapped[date | None] = mapped_column(Date)
    # Not withdrawn now, and the first day it no longer counts when it is (its open withdrawal).
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship(back_populates="products")
    listings: Mapped[list[Listing]] = relationship(back_populates="product", order_by="Listing.platform_code")
    certificates: Mapped[list[ProductCertificate]] = relationship(
        back_populates="product",
        order_by="(ProductCertificate.certified_on, ProductCertificate.id)",
        passive_deletes=True,
    )
    withdrawals: Mapped[list[ProductWithdrawal]] = relationship(
        order_by="(ProductWithdrawal.withdrawn_on, ProductWithdrawal.id)", passive_deletes=True
    )


class ProductCertificate(db.Model):
    """One decision that certified a product: an OCOP certification or re-certification, a
    geographical indication's or a mark's registration. A renewal is a new row, so a figure as of a
    past day reads the certificate that held then.

    ``expires_on`` None: for OCOP, the validity months the department sets, counted from
    ``certified_on``; for the others, no end. ``verified_on``: the day the department's check counts
    from (None while a declared certificate awaits it). ``provenance``: who recorded it (``owner``,
    ``review:<id>``, ``import:<batch>``, ``demo``, ``backfill``).
    """

    __tablename__ = "product_certificate"
    __table_args__ = (
        one_of("certification", Certification),
        CheckConstraint(
            "(certification = 'ocop' AND ocop_stars BETWEEN 3 AND 5) OR (certification <> 'ocop' AND ocop_stars IS NULL)",
            name="ocop_stars",
        ),
        # A product's certificates by day (the figures' EXISTS and the latest one); each day alone
        # for the day's rollover (app/registry/certificates.enterprises_changing_between).
        Index("ix_product_certificate_product_day", "product_id", "certified_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    certification: Mapped[str] = mapped_column(String(30))
    ocop_stars: Mapped[int | None]
    ocop_group: Mapped[str | None] = mapped_column(String(20))
    certifying_body: Mapped[str | None] = mapped_column(String(300))
    certificate_no: Mapped[str | None] = mapped_column(String(100))
    certified_on: Mapped[date] = mapped_column(Date, index=True)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    verified_on: Mapped[date | None] = mapped_column(Date, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provenance: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    product: Mapped[Product] = relationship(back_populates="certificates")


class ProductWithdrawal(db.Model):
    """A span of days a product did not count: from ``withdrawn_on`` (the first such day) to the day
    before ``returned_on`` (None: still withdrawn). Putting a product back from a later day keeps the
    span; putting it back from its withdrawal day or earlier takes the withdrawal back, as if it had
    never been (app/registry/product_history.py)."""

    __tablename__ = "product_withdrawal"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    withdrawn_on: Mapped[date] = mapped_column(Date, index=True)
    returned_on: Mapped[date | None] = mapped_column(Date, index=True)
    provenance: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
