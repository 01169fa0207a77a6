"""An enterprise of the registry (or a household business, or a dependent unit)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, today_local, utcnow
from app.models.geography import Commune
from app.models.sector import VsicSection
from app.models.values import EnterpriseStatus, RecordState, Verification, one_of


class Enterprise(TimestampMixin, db.Model):
    __table_args__ = (
        one_of("status", EnterpriseStatus),
        one_of("record_state", RecordState),
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees_not_negative"),
        CheckConstraint("revenue_vnd IS NULL OR revenue_vnd >= 0", name="revenue_not_negative"),
        CheckConstraint("capital_vnd IS NULL OR capital_vnd >= 0", name="capital_not_negative"),
        Index("ix_enterprise_listing", "record_state", "commune_code", "vsic_section"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public key: the enterprise code (hyphenated for branches) or, for a household
    # business under a personal ID, an opaque id. Never the personal ID itself.
    public_key: Mapped[str] = mapped_column(String(20), unique=True)
    code: Mapped[str | None] = mapped_column(String(14), unique=True)
    personal_id: Mapped[str | None] = mapped_column(String(12), index=True)  # never public
    name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    name_lower: Mapped[str] = mapped_column(String(300), default="", server_default="")  # ranks exact diacritics first
    # Vietnamese order as a plain string compared byte by byte: SQLite's default, collation "C" on
    # PostgreSQL (whose default compares by locale), so that its index serves the name order.
    name_sort: Mapped[str] = mapped_column(
        String(300).with_variant(String(300, collation="C"), "postgresql"), default="", server_default="", index=True
    )
    # Folded name without legal-form words, plus the folded names of its products: what search reads.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    legal_form: Mapped[str] = mapped_column(String(20), index=True)
    main_vsic: Mapped[str | None] = mapped_column(String(5))
    vsic_section: Mapped[str | None] = mapped_column(ForeignKey("vsic_section.code"), index=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    founded_on: Mapped[date | None] = mapped_column(Date, index=True)
    # founded_on is the day the firm came into existence (its first registration): its history of
    # counted facts (EnterprisePeriod, app/registry/history.py) begins then. registered_on is the
    # day the record entered this site (provenance; where no founding day is known, the history
    # begins then). ceased_on: the day its status left "active" (None while active); resumes_on:
    # the day a suspension ends, when declared. Kept by registry.services.derive_dates.
    registered_on: Mapped[date | None] = mapped_column(Date, default=today_local)
    ceased_on: Mapped[date | None] = mapped_column(Date)
    resumes_on: Mapped[date | None] = mapped_column(Date)
    employees: Mapped[int | None]
    revenue_vnd: Mapped[int | None] = mapped_column(BigInteger)
    capital_vnd: Mapped[int | None] = mapped_column(BigInteger)
    size_tier: Mapped[str] = mapped_column(String(20), index=True, default="unknown")

    is_digital_tech: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    digital_tech_basis: Mapped[str | None] = mapped_column(Text)
    digital_tech_verification: Mapped[str] = mapped_column(String(20), default=Verification.UNVERIFIED.value)
    digital_tech_verified_on: Mapped[date | None] = mapped_column(Date)
    is_startup: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    startup_basis: Mapped[str | None] = mapped_column(Text)
    startup_verification: Mapped[str] = mapped_column(String(20), default=Verification.UNVERIFIED.value)
    startup_verified_on: Mapped[date | None] = mapped_column(Date)

    description: Mapped[str | None] = mapped_column(Text)
    # Self-declared by startups for investors: stage and the funding they look for.
    stage: Mapped[str | None] = mapped_column(String(20))
    funding_sought_vnd: Mapped[int | None] = mapped_column(BigInteger)
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    # The legal representative as the registration names them: staff compare a claim's name with it.
    representative: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    record_state: Mapped[str] = mapped_column(String(20), default="published")
    shows_readiness: Mapped[bool] = mapped_column(Boolean, default=False)
    # A household business's own choice to publish its street address (see shows_street); a company's
    # address is public whatever this says.
    is_address_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # Provenance: where the record came from (import, registration, staff, demo) and a reference
    # to it (the import batch, the user who registered it); verified_at when the department checked it.
    provenance: Mapped[str] = mapped_column(String(20), default="staff")
    provenance_ref: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A duplicate merged by the department is withdrawn and points at the record that absorbed it;
    # its own history stays under its id, and its profile URL leads to the survivor.
    # (No foreign key: on SQLite adding one would rebuild the table under its full-text triggers;
    # the merge service is the only writer.)
    merged_into_id: Mapped[int | None] = mapped_column(index=True)

    commune: Mapped[Commune] = relationship(lazy="joined", innerjoin=True)
    section: Mapped[VsicSection | None] = relationship()
    products: Mapped[list[Product]] = relationship(back_populates="enterprise", order_by="Product.name")

    @property
    def is_household(self) -> bool:
        return self.legal_form == "hkd"

    # A label counts, is shown as the department's and recommends a firm only once the department
    # verified it; declared and not verified it is shown as declared (issue 25).
    @hybrid_property
    def verified_digital_tech(self) -> bool:
        return bool(self.is_digital_tech and self.digital_tech_verification == Verification.VERIFIED)

    @verified_digital_tech.inplace.expression
    @classmethod
    def _verified_digital_tech(cls):
        return and_(cls.is_digital_tech.is_(True), cls.digital_tech_verification == Verification.VERIFIED.value)

    @hybrid_property
    def verified_startup(self) -> bool:
        return bool(self.is_startup and self.startup_verification == Verification.VERIFIED)

    @verified_startup.inplace.expression
    @classmethod
    def _verified_startup(cls):
        return and_(cls.is_startup.is_(True), cls.startup_verification == Verification.VERIFIED.value)

    @property
    def shows_street(self) -> bool:
        """Whether the public record (profile, JSON-LD, API, public exports) carries the street address.
        A household business (hộ kinh doanh, legal form hkd: one person or a family, registered with the
        commune) often does business from its home, so its address is personal data (Decree
        13/2023/NĐ-CP): the public sees its commune unless the household chose to publish the street.
        Every other legal form is an enterprise or a unit of one, whose registered head office or
        premises the national business registration portal publishes: shown as it always was."""
        return not self.is_household or self.is_address_public

    @property
    def public_address(self) -> str | None:
        """The street address as the public may see it (None when hidden); staff read ``address``."""
        return self.address if self.shows_street else None

    def __repr__(self) -> str:
        return f"<Enterprise {self.public_key} {self.name!r}>"


class DuplicateDismissal(db.Model):
    """Two records staff judged not to be duplicates: they are not suggested again."""

    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    second_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EnterpriseMerge(db.Model):
    """A merge of a duplicate into the record kept: what moved and what was filled, so that it can be undone
    as long as neither record changed since (the history of both shows the merge and its undoing)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    duplicate_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    moved: Mapped[dict] = mapped_column(JSON)
    last_event_id: Mapped[int] = (
        mapped_column()
    )  # the merge's last audit event: any later one on either record blocks the undo
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EarlierOwner(db.Model):
    """A product or an assessment a merge moved to the record kept belonged to the duplicate until the
    day the two became one (merges.py): figures of earlier days count it under the duplicate, as they
    did before the merge. Its owner on a day is the earliest row whose ``until`` is after the day, else
    its ``enterprise_id`` now (app/progress/owners.py)."""

    __table_args__ = (Index("ix_earlier_owner_item", "kind", "item_id", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("enterprise_merge.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "product" or "assessment"
    item_id: Mapped[int] = mapped_column()
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    until: Mapped[date] = mapped_column(Date)


from app.models.product import Product  # noqa: E402  (resolves the forward reference)
