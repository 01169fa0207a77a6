"""Every fixed list of values a column may hold, written once.

Each is a `StrEnum`: its members are the stored strings (``RecordState.PUBLISHED == "published"``),
the models' CHECK constraints are generated from it (`one_of`), services and views compare with its
members, and app/labels.py gives each member its translated label (a test checks that none is
missing). Lists the department may change (size tiers, sectors, platforms) are data files instead.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class Values(StrEnum):
    """A fixed list of stored values."""

    @classmethod
    def has(cls, value: object) -> bool:
        """Whether `value` is one of the list (a plain string may be asked)."""
        return isinstance(value, str) and value in cls._value2member_map_

    @classmethod
    def listed(cls) -> list[str]:
        """The values as plain strings (a JSON Schema's enum, a CLI's choices)."""
        return [str(value) for value in cls]


def one_of(column: str, values: type[Values]) -> CheckConstraint:
    """The CHECK constraint that keeps `column` to the members of `values` (named after the column)."""
    return CheckConstraint(f"{column} IN ({', '.join(repr(str(v)) for v in values)})", name=column)


class Role(Values):
    OWNER = "owner"
    INVESTOR = "investor"
    STAFF = "staff"  # the department's staff
    ADMIN = "admin"  # staff who also manage accounts and targets


STAFF_ROLES = (Role.STAFF, Role.ADMIN)


class ClaimState(Values):
    """A person's claim to act for an enterprise."""

    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class RecordState(Values):
    """Where a registry record stands: only published ones are in the directory and the counts."""

    PUBLISHED = "published"
    PENDING = "pending"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Verification(Values):
    """The department's check of a label (digital-technology firm, startup)."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"


class EnterpriseStatus(Values):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISSOLVED = "dissolved"


class Certification(Values):
    OCOP = "ocop"
    GI = "gi"  # geographical indication
    COLLECTIVE_MARK = "collective_mark"
    CERTIFICATION_MARK = "certification_mark"


class OcopGroup(Values):
    FOOD = "food"
    BEVERAGE = "beverage"
    HERBAL = "herbal"
    HANDICRAFT = "handicraft"
    ORNAMENTAL = "ornamental"
    TOURISM = "tourism"


class ReviewKind(Values):
    REGISTRATION = "registration"
    CLAIM = "claim"
    LEGAL_EDIT = "legal_edit"
    CERTIFICATION = "certification"
    FLAG = "flag"  # a digital-technology or startup label asked for
    REPORT = "report"


class ReviewState(Values):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class DocumentPurpose(Values):
    """What an owner's document is evidence for (app/registry/documents.py)."""

    CLAIM = "claim"  # a claim to act for an enterprise: the registration certificate, an authorisation
    CERTIFICATE = "certificate"  # a product's certificate: the OCOP decision, the indication's registration


class ContactState(Values):
    NEW = "new"
    REPLIED = "replied"
    DECLINED = "declined"


class AssessmentStatus(Values):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class ImportState(Values):
    UPLOADED = "uploaded"
    CHECKING = "checking"
    CHECKED = "checked"
    COMMITTING = "committing"
    COMMITTED = "committed"
    UNDOING = "undoing"
    UNDONE = "undone"
    FAILED = "failed"


RUNNING_IMPORT_STATES = (ImportState.UPLOADED, ImportState.CHECKING, ImportState.COMMITTING, ImportState.UNDOING)


class ImportFormat(Values):
    CSV = "csv"
    XLSX = "xlsx"


class IndicatorKind(Values):
    COMPUTED = "computed"
    REPORTED = "reported"


class TargetStatus(Values):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    OBSOLETE = "obsolete"
