"""Public JSON shapes: every enterprise item carries `code` (its public key) and `name`."""

from __future__ import annotations

from app.models import Enterprise, LatestAssessment, Product
from app.registry import certificates


def enterprise_item(e: Enterprise) -> dict:
    return {
        "code": e.public_key,
        "name": e.name,
        "legal_form": e.legal_form,
        "vsic": e.main_vsic,
        "sector": e.vsic_section,
        "commune": {"code": e.commune_code, "name": e.commune.name},
        "size_tier": e.size_tier,
        "is_digital_tech": e.is_digital_tech,  # declared
        "digital_tech_verified": e.verified_digital_tech,  # and verified by the department
        "is_startup": e.is_startup,
        "startup_verified": e.verified_startup,
        "status": e.status,
    }


def product_item(p: Product) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "certification": p.certification,
        "ocop_stars": p.ocop_stars,
        "certifying_body": p.certifying_body,
        "certified_on": p.certified_on.isoformat() if p.certified_on else None,
        "expires_on": (valid := certificates.valid_until(p, certificates.ocop_validity_months())) and valid.isoformat(),
        "state": (state := certificates.state_today(p)),
        "is_expired": state == certificates.EXPIRED,
        "listings": [
            {
                "platform": listing.platform_code,
                "url": listing.url,
                "last_verified_on": listing.last_verified_on.isoformat() if listing.last_verified_on else None,
            }
            for listing in p.listings
        ],
    }


def enterprise_detail(e: Enterprise, readiness: LatestAssessment | None) -> dict:
    return {
        **enterprise_item(e),
        "address": e.public_address,
        "founded_on": e.founded_on.isoformat() if e.founded_on else None,
        "website": e.website,
        "description": e.description,
        "digital_tech_basis": e.digital_tech_basis if e.is_digital_tech else None,
        "startup_basis": e.startup_basis if e.is_startup else None,
        "readiness_level": readiness.overall_level if readiness else None,
        "provenance": e.provenance,
        "products": [product_item(p) for p in e.products if p.is_active],
    }
