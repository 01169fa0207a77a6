"""Translated labels for the codes stored in the database (one place for each vocabulary)."""

from __future__ import annotations

from datetime import date

from babel.lists import format_list
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.auth.permissions import can_manage
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import SME_RANGES, UNKNOWN, missing_figures
from app.domain.websites import website_link
from app.i18n import current_language, fmt_date, localized
from app.models.values import Certification, ClaimState, EnterpriseStatus, OcopGroup, RecordState, Role
from app.routing import external_url

ROLES = {
    Role.OWNER: _l("Business owner"),
    Role.INVESTOR: _l("Investor"),
    Role.STAFF: _l("Department staff"),
    Role.ADMIN: _l("Administrator"),
}
CLAIM_STATES = {
    ClaimState.PENDING: _l("awaiting verification"),
    ClaimState.VERIFIED: _l("verified"),
    ClaimState.REJECTED: _l("rejected"),
}
SIZE_TIERS = {
    "micro": _l("Micro"),
    "small": _l("Small"),
    "medium": _l("Medium"),
    "large": _l("Large"),
    # A figure is missing, but the firm is an SME whatever it is (app/domain/size.py).
    "micro_small": _l("Micro or small"),
    "small_medium": _l("Small or medium"),
    "sme": _l("Micro, small or medium"),
    "unknown": _l("Size unknown"),
    "not_applicable": _l("Not an SME (household business or branch)"),
}
# The figures the size tier is decided on, as size_text names the missing ones.
SIZE_FIGURES = {
    "employees": _l("number of employees"),
    "revenue": _l("revenue"),
    "capital": _l("capital"),
}
STATUSES = {
    EnterpriseStatus.ACTIVE: _l("Active"),
    EnterpriseStatus.SUSPENDED: _l("Suspended"),
    EnterpriseStatus.DISSOLVED: _l("Dissolved"),
}
RECORD_STATES = {
    RecordState.PUBLISHED: _l("In the directory"),
    RecordState.PENDING: _l("Awaiting review"),
    RecordState.REJECTED: _l("Rejected"),
    RecordState.WITHDRAWN: _l("Out of the directory"),
}
CERTIFICATIONS = {
    Certification.OCOP: _l("OCOP"),
    Certification.GI: _l("Geographical indication"),
    Certification.COLLECTIVE_MARK: _l("Collective mark"),
    Certification.CERTIFICATION_MARK: _l("Certification mark"),
}

OCOP_GROUP_LABELS = {
    OcopGroup.FOOD: _l("Food"),
    OcopGroup.BEVERAGE: _l("Beverages"),
    OcopGroup.HERBAL: _l("Herbal and medicinal products"),
    OcopGroup.HANDICRAFT: _l("Handicrafts"),
    OcopGroup.ORNAMENTAL: _l("Ornamental plants and animals"),
    OcopGroup.TOURISM: _l("Community and eco-tourism services"),
}


def _label(vocabulary: dict):
    return lambda code: vocabulary.get(code, code)


def legal_form_label(code: str) -> str:
    form = LEGAL_FORMS.get(code)
    return form.label if form else code


def size_text(enterprise) -> str:
    """The size tier as people read it; a range or ``unknown`` says which figures are not known:
    "Small or medium — capital not known"."""

    tier = enterprise.size_tier
    label = str(SIZE_TIERS.get(tier, tier))
    if tier not in (*SME_RANGES, UNKNOWN):
        return label
    missing = missing_figures(enterprise.employees, enterprise.revenue_vnd, enterprise.capital_vnd)
    if not missing:
        return label  # unknown for want of a main line of business
    figures = format_list([str(SIZE_FIGURES[f]) for f in missing], locale=get_locale() or "vi")
    return str(_l("%(size)s — %(figures)s not known", size=label, figures=figures))


_SOURCES = {
    "import": _l("Imported from the business registry on %(date)s."),
    "registration": _l("Registered by the enterprise itself on %(date)s."),
    "staff": _l("Entered by the department on %(date)s."),
    "demo": _l("Demonstration data, made up for trying the platform, added on %(date)s."),
    "generated": _l("Generated test data, added on %(date)s."),
}


def provenance_label(enterprise) -> str:
    """Where a record came from and whether the department checked it, in one sentence."""
    text = str(_SOURCES.get(enterprise.provenance, _SOURCES["staff"])) % {
        "date": fmt_date(enterprise.created_at.date())
    }
    if enterprise.verified_at:
        text += " " + str(_l("Verified by the department on %(date)s.")) % {
            "date": fmt_date(enterprise.verified_at.date())
        }
    return text


def label_basis(enterprise, label: str) -> str:
    """Why an enterprise carries the digital-technology or startup label, in the page's language.

    The department's own note (``digital_tech_basis``, ``startup_basis``) is written in Vietnamese:
    Vietnamese pages show it; English pages say the same from the record's facts instead (main
    line of business, founding day), so that no Vietnamese text reaches an English page."""

    note = getattr(enterprise, f"{label}_basis", None)
    if note and current_language() != "en":
        return note
    if label == "startup" and enterprise.founded_on:
        return str(_l("founded on %(date)s", date=fmt_date(enterprise.founded_on)))
    if enterprise.main_vsic:
        section = enterprise.section
        name = localized(section.name_vi, section.name_en) if section else ""
        return str(_l("main line of business: VSIC %(code)s", code=enterprise.main_vsic)) + (
            f" – {name}" if name else ""
        )
    return ""


DOCUMENT_KINDS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}


def document_label(document) -> str:
    """ "scan.pdf (PDF, 240 KB)": what a link to an owner's document says."""
    kind = DOCUMENT_KINDS.get(document.media_type, document.media_type)
    mb = 1024 * 1024
    size = f"{document.size / mb:.1f} MB" if document.size >= mb else f"{max(1, document.size // 1024)} KB"
    return f"{document.file_name} ({kind}, {size})"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        role_label=_label(ROLES),
        claim_label=_label(CLAIM_STATES),
        size_label=_label(SIZE_TIERS),
        size_text=size_text,
        status_label=_label(STATUSES),
        certification_label=_label(CERTIFICATIONS),
        ocop_group_label=_label(OCOP_GROUP_LABELS),
        legal_form_label=legal_form_label,
        document_label=document_label,
        provenance_label=provenance_label,
        label_basis=label_basis,
        today=date.today,
        can_manage=can_manage,
        website_link=website_link,
        external_url=external_url,
    )
