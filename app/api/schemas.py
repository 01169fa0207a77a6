"""The JSON schemas of API v1's answers: an enterprise, a product, an indicator, an error, and the
page envelope every list comes in. The OpenAPI document (openapi.py) puts them under its paths.
"""

from __future__ import annotations

from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import ALL_TIERS
from app.models.values import Certification, EnterpriseStatus, IndicatorKind, TargetStatus

SIZE_TIER_DESCRIPTION = (
    "Decree 80/2021/ND-CP, Art. 5. micro_small, small_medium, sme (micro, small or medium): revenue or "
    "capital is not known, but the enterprise is an SME in that range whatever it is; unknown: a missing "
    "figure leaves open whether it is large; not_applicable: household businesses and branches."
)
ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
ENTERPRISE = {
    "type": "object",
    "required": [
        "code",
        "name",
        "legal_form",
        "vsic",
        "sector",
        "commune",
        "size_tier",
        "is_digital_tech",
        "digital_tech_verified",
        "is_startup",
        "startup_verified",
        "status",
    ],
    "properties": {
        "code": {
            "type": "string",
            "description": "Public key: the enterprise code (NNNNNNNNNN or NNNNNNNNNN-NNN) or an opaque household id.",
        },
        "name": {"type": "string"},
        "legal_form": {"type": "string", "enum": list(LEGAL_FORMS)},
        "vsic": {"type": ["string", "null"]},
        "sector": {"type": ["string", "null"], "description": "VSIC 2018 section letter."},
        "commune": {
            "type": "object",
            "required": ["code", "name"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
        },
        "size_tier": {
            "type": "string",
            "enum": list(ALL_TIERS),
            "description": SIZE_TIER_DESCRIPTION,
        },
        "is_digital_tech": {"type": "boolean", "description": "The firm declares the digital-technology label."},
        "digital_tech_verified": {
            "type": "boolean",
            "description": "The department verified the label: only then does it count (T6) or filter.",
        },
        "is_startup": {"type": "boolean", "description": "The firm declares the innovative-startup label."},
        "startup_verified": {"type": "boolean", "description": "The department verified the startup label."},
        "status": {"type": "string", "enum": EnterpriseStatus.listed()},
    },
}
LISTING = {
    "type": "object",
    "required": ["platform", "url", "last_verified_on"],
    "properties": {
        "platform": {"type": "string"},
        "url": {"type": "string"},
        "last_verified_on": {"type": ["string", "null"], "format": "date"},
    },
}
PRODUCT = {
    "type": "object",
    "required": ["id", "name", "certification", "ocop_stars", "listings", "state", "is_expired"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "certification": {"type": "string", "enum": Certification.listed()},
        "ocop_stars": {"type": ["integer", "null"], "minimum": 3, "maximum": 5},
        "certifying_body": {"type": ["string", "null"]},
        "certified_on": {"type": ["string", "null"], "format": "date"},
        "expires_on": {
            "type": ["string", "null"],
            "format": "date",
            "description": "The last day the certificate is valid (OCOP: from its date and the validity in force).",
        },
        "state": {
            "type": "string",
            "enum": ["certified", "expired", "awaiting_verification"],
            "description": "certified: verified by the department and valid today; a declared certificate "
            "awaits verification and counts nowhere until then.",
        },
        "is_expired": {"type": "boolean"},
        "listings": {"type": "array", "items": LISTING},
    },
}
FACET = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "count"],
        "properties": {
            "value": {"type": "string"},
            "count": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "null when the search is too broad to count",
            },
        },
    },
}


NUMBER = {"type": ["number", "null"]}
TARGET = {
    "type": "object",
    "required": [
        "year",
        "value",
        "state",
        "status",
        "deadline",
        "value_at",
        "value_at_date",
        "progress_ratio",
        "projection",
        "needed_per_month",
    ],
    "properties": {
        "year": {"type": "integer"},
        "value": NUMBER,
        "state": {"type": "string", "enum": TargetStatus.listed()},
        "status": {
            "type": "string",
            "enum": [
                "met",
                "missed",
                "achieved",
                "substantial",
                "moderate",
                "limited",
                "deteriorating",
                "insufficient",
                "obsolete",
                "qualitative",
                "no_data",
            ],
            "description": "met/missed for a passed deadline; for a live target achieved, or the UN ESCAP "
            "anticipated-progress class of progress_ratio.",
        },
        "deadline": {"type": "string", "format": "date"},
        "value_at": NUMBER,
        "value_at_date": {"type": ["string", "null"], "format": "date"},
        "progress_ratio": {
            **NUMBER,
            "description": "Observed ÷ required compound annual growth since the base period.",
        },
        "projection": {**NUMBER, "description": "Straight line through the last 12 months, at the deadline."},
        "needed_per_month": NUMBER,
    },
}
INDICATOR = {
    "type": "object",
    "required": [
        "code",
        "name",
        "name_en",
        "kind",
        "unit",
        "as_of",
        "value",
        "value_date",
        "numerator",
        "denominator",
        "counted_apart",
        "source",
        "metadata",
        "definition",
        "targets",
    ],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "name_en": {"type": "string"},
        "kind": {"type": "string", "enum": IndicatorKind.listed()},
        "unit": {"type": "string", "enum": ["percent", "percent_grdp", "count", "yes_no"]},
        "as_of": {"type": "string", "format": "date"},
        "value": NUMBER,
        "value_date": {"type": ["string", "null"], "format": "date"},
        "numerator": {"type": ["integer", "null"]},
        "denominator": {"type": ["integer", "null"]},
        "counted_apart": {
            "type": "object",
            "additionalProperties": {"type": ["integer", "null"]},
            "description": "Units kept out of the denominator (household businesses, branches …); "
            "null when fewer than 5.",
        },
        "source": {"type": ["string", "null"], "description": "Source document of a reported value."},
        "metadata": {
            "type": "object",
            "required": ["unit", "periodicity", "agency", "contact", "plan_document", "limitations"],
            "description": "What a reader needs besides the figure, kept by the department: periodicity "
            "(continuous, monthly, quarterly, yearly), the responsible agency and contact, the plan document, "
            "the limitations (each text in Vietnamese and English, null when not given), the last and next "
            "update (yyyy-mm-dd; no next update for a continuous one).",
            "properties": {
                "unit": {"type": "string"},
                "periodicity": {
                    "type": ["string", "null"],
                    "enum": ["continuous", "monthly", "quarterly", "yearly", None],
                },
                "agency": {"type": "object"},
                "contact": {"type": "string"},
                "plan_document": {"type": "object"},
                "limitations": {"type": "object"},
                "last_update": {"type": ["string", "null"], "format": "date"},
                "next_update": {"type": ["string", "null"], "format": "date"},
            },
        },
        "definition": {
            "type": ["object", "null"],
            "description": "The rule in Vietnamese and English, with the settings in force.",
        },
        "targets": {"type": "array", "items": TARGET},
    },
}
SERIES_POINT = {
    "type": "object",
    "required": ["date", "value", "numerator", "denominator"],
    "properties": {
        "date": {"type": "string", "format": "date"},
        "value": NUMBER,
        "numerator": {"type": ["integer", "null"]},
        "denominator": {"type": ["integer", "null"]},
    },
}
CELL = {
    "type": "object",
    "required": ["key", "label", "hidden", "value", "numerator", "denominator", "enterprises"],
    "properties": {
        "key": {"type": "string"},
        "label": {"type": "string"},
        "hidden": {"type": "boolean", "description": "Fewer than 5 enterprises, or what would reveal such a cell."},
        "value": NUMBER,
        "numerator": {"type": ["integer", "null"]},
        "denominator": {"type": ["integer", "null"]},
        "enterprises": {"type": ["integer", "null"]},
    },
}
INDICATOR_DETAIL = {
    **INDICATOR,
    "properties": {
        **INDICATOR["properties"],
        "series": {"type": "array", "items": SERIES_POINT},
        "breakdown": {
            "type": ["object", "null"],
            "description": "With by=: the cells of a computed indicator; null for a reported one (one figure for "
            "the province).",
            "required": ["by", "items"],
            "properties": {"by": {"type": "string"}, "items": {"type": "array", "items": CELL}},
        },
    },
}


def envelope(item: dict) -> dict:
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page", "next", "facets"],
        "properties": {
            "items": {"type": "array", "items": item},
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "Matches; when total_exact is false, a search too broad to count "
                "to the end, which has more than total - 1 matches",
            },
            "total_exact": {"type": "boolean", "description": "false when total is a lower bound"},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "next": {"type": ["string", "null"]},
            "facets": {"type": "object", "additionalProperties": FACET},
        },
    }
