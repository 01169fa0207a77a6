"""The department's own work on records: find any record, correct it, take it out of the directory
and back; and the words its history is read in (record_history.py lists the changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from app import audit
from app.dates import local_day
from app.domain.codes import canonical_key
from app.domain.legal_forms import LEGAL_FORMS
from app.errors import FieldErrors, ServiceError
from app.extensions import db
from app.i18n import fmt_date, fmt_number, fmt_percent, fmt_vnd, local_today
from app.labels import CERTIFICATIONS, OCOP_GROUP_LABELS, RECORD_STATES, SIZE_TIERS, STATUSES, legal_form_label
from app.models import Commune, Enterprise, Platform
from app.models.values import Verification
from app.registry import services
from app.registry.fulltext import match_condition
from app.registry.history import spans_of_record
from app.search_text import query_terms
from app.text import fold, normalize

FIELD_LABELS = {
    "code": _l("Enterprise code"),
    "name": _l("Registered name"),
    "legal_form": _l("Legal form"),
    "main_vsic": _l("Main line of business (VSIC)"),
    "commune_code": _l("Commune or ward"),
    "address": _l("Address"),
    "founded_on": _l("Date of first registration"),
    "employees": _l("Employees"),
    "revenue_vnd": _l("Revenue (VND)"),
    "capital_vnd": _l("Total capital (VND)"),
    "is_digital_tech": _l("Digital-technology enterprise"),
    "digital_tech_basis": _l("Basis of the digital-technology label"),
    "digital_tech_verification": _l("Digital-technology label checked"),
    "is_startup": _l("Innovative startup"),
    "startup_basis": _l("Basis of the startup label"),
    "startup_verification": _l("Startup label checked"),
    "description": _l("What the enterprise does"),
    "website": _l("Website"),
    "email": _l("Contact e-mail"),
    "phone": _l("Phone"),
    "representative": _l("Legal representative"),
    "status": _l("Legal status"),
    "record_state": _l("Directory"),
    "shows_readiness": _l("Shows its readiness level"),
    "is_address_public": _l("Street address shown to the public"),
    "stage": _l("Stage"),
    "funding_sought_vnd": _l("Funding sought (VND)"),
    "merged_into": _l("Merged into"),
    "absorbed": _l("Absorbed the duplicate"),
    "reason": _l("Reason"),
    "returned": _l("Gave back the duplicate"),
    "separated_from": _l("Separated again from"),
    "ceased_on": _l("Stopped operating from (dissolved, bankrupt or suspended)"),
    "digital_tech_verified_on": _l("Digital-technology label verified on"),
    "startup_verified_on": _l("Startup label verified on"),
    "resumes_on": _l("Suspension ends on"),
    "suspended_on": _l("Suspended from"),
    "suspended_until": _l("Suspension ended on"),
    "effective_on": _l("Takes effect from"),
    "status_since": _l("New status since"),
    "url": _l("Address of the listing"),
    "platform_code": _l("Platform"),
    "certification": _l("Certification"),
    "ocop_stars": _l("OCOP stars"),
    "ocop_group": _l("OCOP product group"),
    "certificate_no": _l("Decision or registration number"),
    "certifying_body": _l("Certifying body"),
    "certified_on": _l("Date of certification"),
    "expires_on": _l("End of validity"),
    "verified_on": _l("Counted as verified from"),
    "product": _l("Product"),
    "enterprise": _l("Enterprise"),
    "merge_from": _l("The duplicate stops counting from"),
    "instrument": _l("Instrument"),
    "instrument_name": _l("Instrument"),
    "instrument_version": _l("Version"),
    "submitted_at": _l("Day of the result"),
    "overall_level": _l("Overall level"),
    "level": _l("Overall level"),
    "total_share": _l("Score"),
    "pillar_results": _l("Level per pillar"),
    "counts_toward_indicators": _l("Counts toward the indicators"),
    "checked_on": _l("Checked on"),
    "is_available": _l("Still selling"),
    "note": _l("Note"),
    "withdrawn_on": _l("Withdrawn from"),
    "returned_on": _l("Counted again from"),
}
MERGE_FROM = {"start": _l("the start: always the same firm"), "day": _l("a day the department gave")}
VERIFICATION = {
    Verification.UNVERIFIED: _l("not yet"),
    Verification.VERIFIED: _l("checked"),
    Verification.REJECTED: _l("refused"),
}
SEARCH_LIMIT = 50
DATE_FIELDS = (
    "founded_on",
    "ceased_on",
    "resumes_on",
    "digital_tech_verified_on",
    "startup_verified_on",
    "effective_on",
    "status_since",
    "certified_on",
    "expires_on",
    "verified_on",
    "suspended_on",
    "suspended_until",
    "checked_on",
    "withdrawn_on",
    "returned_on",
)


class RecordError(ServiceError):
    """A refused correction, withdrawal, merge or undo of a record."""


def find(q: str, state: str = "") -> list[Enterprise]:
    """Records of any state by code, household id or the start of a word of the name (staff lookup)."""
    q = normalize(q).strip()
    query = select(Enterprise)
    if state in RECORD_STATES:
        query = query.where(Enterprise.record_state == state)
    if q:
        folded = fold(q)
        by_name = or_(Enterprise.name_folded.like(f"{folded}%"), Enterprise.name_folded.like(f"% {folded}%"))
        terms = query_terms(q)
        if terms:  # the full-text index finds the candidates; the name test keeps those named so
            by_name = and_(match_condition(terms), by_name)
        query = query.where(or_(Enterprise.public_key == q.upper(), Enterprise.code == canonical_key(q), by_name))
    return list(
        db.session.scalars(query.order_by(Enterprise.updated_at.desc(), Enterprise.id.desc()).limit(SEARCH_LIMIT))
    )


def _status_days(enterprise: Enterprise, changes: dict[str, Any]) -> date | None:
    """The days of a status change the form gives, checked, as the record keeps them: the day a
    suspension or dissolution began (``ceased_on``), the day a suspension ends (``resumes_on``). Returns
    the day a return to business took effect (None: today)."""
    today = local_today()
    since, resumes, effective = (changes.pop(k, None) for k in ("status_since", "resumes_on", "effective_on"))
    errors = {}
    for name, day in (("status_since", since), ("effective_on", effective)):
        if day is not None and day > today:
            errors[name] = _l("This day is in the future: give the day the change took effect.")
        elif day is not None and enterprise.founded_on is not None and day < enterprise.founded_on:
            errors[name] = _l("This day comes before the firm's first registration.")
    status = changes.get("status", enterprise.status)
    if resumes is not None and status != "suspended":
        errors["resumes_on"] = _l("Only a suspended firm has a day its suspension ends.")
    elif resumes is not None and resumes <= (since or enterprise.ceased_on or today):
        errors["resumes_on"] = _l("The suspension must end after it began.")
    elif resumes is not None and resumes <= today:
        errors["resumes_on"] = _l(
            "This suspension has ended: choose the status “active”, with the day the firm resumed business."
        )
    if errors:
        raise FieldErrors(errors)
    if status != "active" and (status != enterprise.status or since is not None):
        changes["ceased_on"] = since or today
    if status == "suspended":
        changes["resumes_on"] = resumes
    changes["effective_on"] = effective
    return since if status == "active" else None


def staff_update(enterprise: Enterprise, actor: audit.Actor, fields: dict[str, Any], note: str | None) -> bool:
    """Apply a correction at once (no review: the department is the reviewer), audited with its note.

    The counted facts it changes hold from the day the form gives (today when blank), the status
    from the day it took effect: every figure for an earlier day stays as it was."""
    changes = dict(fields)
    status_since = _status_days(enterprise, changes)
    for flag in ("digital_tech", "startup"):
        if f"is_{flag}" in changes:
            on = bool(changes[f"is_{flag}"])
            basis = normalize(changes.get(f"{flag}_basis")) or None
            if on and not basis:
                raise RecordError(_l("Say on what basis the department gives this label."))
            changes[f"{flag}_basis"] = basis if on else None
            changes[f"{flag}_verification"] = Verification.VERIFIED if on else Verification.UNVERIFIED
            granted = on and getattr(enterprise, f"{flag}_verification") != Verification.VERIFIED
            if granted and changes.get("effective_on"):  # verified earlier than today: it counts from then
                changes[f"{flag}_verified_on"] = changes["effective_on"]
    code = changes.get("code")
    if code and enterprise.public_key == enterprise.code and code != enterprise.code:
        changes["public_key"] = code  # the profile's address follows a corrected code
    public_key = changes.pop("public_key", None)
    changed = services.update_enterprise(
        enterprise, actor, _provenance("staff", note), status_since=status_since, **changes
    )
    if public_key:
        enterprise.public_key = public_key
    if changed:
        enterprise.verified_at = enterprise.verified_at or datetime.now().astimezone()
    return changed


def _provenance(channel: str, note: str | None) -> str:
    note = normalize(note).strip() if note else ""
    return f"{channel}: {note}"[:100] if note else channel


def withdraw(enterprise: Enterprise, actor: audit.Actor, reason: str) -> None:
    """Take a record out of the directory and the counts; it is kept, with its history."""
    reason = normalize(reason).strip()
    if not reason:
        raise RecordError(_l("Give a reason: it stays in the record's history."))
    if enterprise.record_state != "published":
        raise RecordError(_l("Only a record in the directory can be taken out of it."))
    services.update_enterprise(enterprise, actor, _provenance("staff", reason), record_state="withdrawn")


def reinstate(enterprise: Enterprise, actor: audit.Actor, reason: str | None = None) -> None:
    """Put a withdrawn record back (not one merged into another: that one lives on in the survivor)."""
    if enterprise.record_state != "withdrawn" or enterprise.merged_into_id is not None:
        raise RecordError(_l("Only a record taken out of the directory, and not merged, can be put back."))
    services.update_enterprise(enterprise, actor, _provenance("staff", reason), record_state="published")


@dataclass
class Span:
    """One span of a record's counted facts, as the staff page shows it (app/registry/history.py)."""

    since: str
    until: str  # "" while it still holds
    status: str
    state: str
    commune: str
    size: str
    legal_form: str
    labels: str


def counted_spans(enterprise: Enterprise) -> list[Span]:
    """How the figures count the record from day to day: its spans of history, newest first."""
    names = dict(db.session.execute(select(Commune.code, Commune.name)).all())
    out = []
    for s in spans_of_record(enterprise.id):
        until = s["valid_to"] - timedelta(days=1) if s["valid_to"] else None
        flags = [
            str(label) for key, label in (("tech", _l("digital technology")), ("startup", _l("startup"))) if s[key]
        ]
        out.append(
            Span(
                fmt_date(s["valid_from"]),
                fmt_date(until) if until else "",
                str(STATUSES.get(s["status"], s["status"])),
                str(RECORD_STATES.get(s["record_state"], s["record_state"])),
                names.get(s["commune_code"], s["commune_code"]),
                str(SIZE_TIERS.get(s["size_tier"], s["size_tier"])),
                str(legal_form_label(s["legal_form"])),
                ", ".join(flags),
            )
        )
    return out[::-1]


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def display_value(field: str, value: Any) -> str:
    """A stored value as people read it: dates dd/mm/yyyy, amounts in đồng, codes by their names."""

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, date):
        return fmt_date(value)
    if field in DATE_FIELDS and isinstance(value, str):
        try:
            return fmt_date(date.fromisoformat(value))
        except ValueError:
            return value
    if field == "submitted_at" and isinstance(value, str):
        try:
            return fmt_date(local_day(datetime.fromisoformat(value)))
        except ValueError:
            return value
    if field == "total_share" and isinstance(value, int | float):
        return fmt_percent(value)
    if field == "pillar_results" and isinstance(value, dict):
        return ", ".join(f"{pillar}: {(r or {}).get('level', '—')}" for pillar, r in value.items()) or "—"
    if field in ("revenue_vnd", "capital_vnd", "funding_sought_vnd"):
        return fmt_vnd(value)
    if field == "employees":
        return fmt_number(value)
    if field == "platform_code":
        platform = db.session.get(Platform, value)
        return platform.name if platform else str(value)
    if field == "commune_code":
        commune = db.session.get(Commune, value)
        return f"{commune.name} ({value})" if commune else str(value)
    if field == "legal_form" and value in LEGAL_FORMS:
        return str(LEGAL_FORMS[value].label)
    vocabularies = {
        "certification": CERTIFICATIONS,
        "ocop_group": OCOP_GROUP_LABELS,
        "status": STATUSES,
        "record_state": RECORD_STATES,
        "size_tier": SIZE_TIERS,
        "digital_tech_verification": VERIFICATION,
        "startup_verification": VERIFICATION,
        "merge_from": MERGE_FROM,
    }
    if field in vocabularies:
        return str(vocabularies[field].get(value, value))
    return str(value)
