"""The data model, one module per aggregate. Importing this package registers every table."""

from sqlalchemy import exists
from sqlalchemy.orm import column_property

from app.models.assessment import Assessment, EnterpriseSolution, LatestAssessment
from app.models.audit import AuditEvent
from app.models.directory import DirectoryChange
from app.models.engagement import ContactRequest, Document, Follow, InboxMessage, OutgoingMail, ReviewRequest
from app.models.enterprise import DuplicateDismissal, EarlierOwner, Enterprise, EnterpriseMerge
from app.models.geography import Commune, LegacyCommune, Province
from app.models.history import EnterprisePeriod
from app.models.imports import ImportBatch, ImportSource
from app.models.product import Listing, ListingCheck, Platform, Product, ProductCertificate, ProductWithdrawal
from app.models.sector import VsicSection
from app.models.targets import (
    Indicator,
    IndicatorSetting,
    IndicatorSnapshot,
    IndicatorValue,
    Target,
)
from app.models.user import Membership, User, UserSession

# Whether someone the department verified acts for the enterprise (claims then reach it as reports):
# one SQL test, loaded with the profile (profiles.get_public) and on first use elsewhere.
Enterprise.has_verified_member = column_property(
    exists().where(Membership.enterprise_id == Enterprise.id, Membership.is_verified), deferred=True
)

__all__ = [
    "DirectoryChange",
    "Assessment",
    "EnterpriseSolution",
    "LatestAssessment",
    "AuditEvent",
    "Commune",
    "ContactRequest",
    "Document",
    "Follow",
    "InboxMessage",
    "OutgoingMail",
    "ReviewRequest",
    "DuplicateDismissal",
    "EarlierOwner",
    "EnterpriseMerge",
    "Enterprise",
    "EnterprisePeriod",
    "ImportBatch",
    "ImportSource",
    "Indicator",
    "IndicatorSetting",
    "IndicatorSnapshot",
    "IndicatorValue",
    "LegacyCommune",
    "Listing",
    "ListingCheck",
    "Membership",
    "Platform",
    "Product",
    "ProductCertificate",
    "ProductWithdrawal",
    "Province",
    "Target",
    "User",
    "UserSession",
    "VsicSection",
]
