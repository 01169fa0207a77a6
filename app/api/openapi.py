"""The OpenAPI 3.1 document of API v1: every path in full, parameters inline."""

from __future__ import annotations

from flask import Flask

from app.directory.search import PER_PAGE_CHOICES, SORTS
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import ALL_TIERS
from app.models.values import Certification, EnterpriseStatus, IndicatorKind, TargetStatus

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
_ENTERPRISE = {
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
        "is_startup",
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
        "size_tier": {"type": "string", "enum": list(ALL_TIERS)},
        "is_digital_tech": {"type": "boolean"},
        "is_startup": {"type": "boolean"},
        "status": {"type": "string", "enum": EnterpriseStatus.listed()},
    },
}
_LISTING = {
    "type": "object",
    "required": ["platform", "url", "last_verified_on"],
    "properties": {
        "platform": {"type": "string"},
        "url": {"type": "string"},
        "last_verified_on": {"type": ["string", "null"], "format": "date"},
    },
}
_PRODUCT = {
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
        "listings": {"type": "array", "items": _LISTING},
    },
}
_FACET = {
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


_NUMBER = {"type": ["number", "null"]}
_TARGET = {
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
        "value": _NUMBER,
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
        "value_at": _NUMBER,
        "value_at_date": {"type": ["string", "null"], "format": "date"},
        "progress_ratio": {
            **_NUMBER,
            "description": "Observed ÷ required compound annual growth since the base period.",
        },
        "projection": {**_NUMBER, "description": "Straight line through the last 12 months, at the deadline."},
        "needed_per_month": _NUMBER,
    },
}
_INDICATOR = {
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
        "value": _NUMBER,
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
        "definition": {
            "type": ["object", "null"],
            "description": "The rule in Vietnamese and English, with the settings in force.",
        },
        "targets": {"type": "array", "items": _TARGET},
    },
}
_SERIES_POINT = {
    "type": "object",
    "required": ["date", "value", "numerator", "denominator"],
    "properties": {
        "date": {"type": "string", "format": "date"},
        "value": _NUMBER,
        "numerator": {"type": ["integer", "null"]},
        "denominator": {"type": ["integer", "null"]},
    },
}
_CELL = {
    "type": "object",
    "required": ["key", "label", "hidden", "value", "numerator", "denominator", "enterprises"],
    "properties": {
        "key": {"type": "string"},
        "label": {"type": "string"},
        "hidden": {"type": "boolean", "description": "Fewer than 5 enterprises, or what would reveal such a cell."},
        "value": _NUMBER,
        "numerator": {"type": ["integer", "null"]},
        "denominator": {"type": ["integer", "null"]},
        "enterprises": {"type": ["integer", "null"]},
    },
}
_INDICATOR_DETAIL = {
    **_INDICATOR,
    "properties": {
        **_INDICATOR["properties"],
        "series": {"type": "array", "items": _SERIES_POINT},
        "breakdown": {
            "type": "object",
            "required": ["by", "items"],
            "properties": {"by": {"type": "string"}, "items": {"type": "array", "items": _CELL}},
        },
    },
}
DIMENSIONS = ["commune", "section", "priority", "size", "legal_form"]
DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _envelope(item: dict) -> dict:
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
            "facets": {"type": "object", "additionalProperties": _FACET},
        },
    }


def _param(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _code_param() -> dict:
    return {
        "name": "code",
        "in": "path",
        "required": True,
        "description": "The enterprise's public key.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[0-9A-Z-]+$"},
    }


def document(app: Flask) -> dict:
    bool_schema = {"type": "string", "enum": ["true", "false", "1", "0"]}
    search_params = [
        _param(
            "q",
            "Search text: name, product or commune, with or without diacritics; an enterprise code. "
            "A NUL character is refused with 400 (as in every parameter and path).",
            {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000]*$"},
        ),
        _param("sector", "VSIC 2018 section letter.", {"type": "string", "pattern": "^[A-U]$"}),
        _param("commune", "Commune code (5 digits).", {"type": "string", "pattern": "^[0-9]{5}$"}),
        _param("size", "Size tier.", {"type": "string", "enum": list(ALL_TIERS)}),
        _param("legal_form", "Legal form.", {"type": "string", "enum": list(LEGAL_FORMS)}),
        _param("digital", "Only digital-technology enterprises.", bool_schema),
        _param("startup", "Only innovative startups.", bool_schema),
        _param("products", "Only enterprises with certified products.", bool_schema),
        _param(
            "platform",
            "Only enterprises selling on this e-commerce platform.",
            {"type": "string", "pattern": "^[a-z]{1,20}$"},
        ),
        _param(
            "level",
            "Readiness level 0–5 (enterprises that chose to show it).",
            {"type": "integer", "minimum": 0, "maximum": 5},
        ),
        _param("sort", "Order of the results.", {"type": "string", "enum": list(SORTS)}),
        _param(
            "page",
            "Page number (results beyond the depth cap are not reachable).",
            {"type": "integer", "minimum": 1, "maximum": 100000},
        ),
        _param("per_page", "Results per page.", {"type": "integer", "enum": list(PER_PAGE_CHOICES)}),
    ]
    bad = _json(_ERROR, "Invalid parameter.")
    missing = _json(_ERROR, "No such enterprise.")
    limited = _json(_ERROR, "Rate limited.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Enterprise digital-transformation registry API",
            "version": "1.0.0",
            "description": "Read-only public data of the province's enterprise registry: search with facets, "
            "profiles, certified products, aggregate counts and the indicators of the province's "
            "digital-transformation targets. Personal data is never included.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/enterprises": {
                "get": {
                    "operationId": "searchEnterprises",
                    "summary": "Search enterprises with filters and facet counts",
                    "parameters": search_params,
                    "responses": {
                        "200": _json(_envelope(_ENTERPRISE), "A page of enterprises."),
                        "400": bad,
                        "429": limited,
                    },
                }
            },
            "/api/v1/enterprises/{code}": {
                "get": {
                    "operationId": "getEnterprise",
                    "summary": "An enterprise's public profile",
                    "parameters": [_code_param()],
                    "responses": {
                        "200": _json(
                            {
                                **_ENTERPRISE,
                                "properties": {
                                    **_ENTERPRISE["properties"],
                                    "products": {"type": "array", "items": _PRODUCT},
                                },
                            },
                            "The enterprise.",
                        ),
                        "404": missing,
                        "429": limited,
                    },
                }
            },
            "/api/v1/enterprises/{code}/products": {
                "get": {
                    "operationId": "getEnterpriseProducts",
                    "summary": "Certified products of an enterprise and where they sell",
                    "parameters": [_code_param()],
                    "responses": {"200": _json(_envelope(_PRODUCT), "The products."), "404": missing, "429": limited},
                }
            },
            "/api/v1/indicators": {
                "get": {
                    "operationId": "listIndicators",
                    "summary": "Every indicator of the plan as of a day, with its targets' status",
                    "parameters": [
                        _param(
                            "as_of",
                            "Figures as of the last month end on or before this day, from 2000-01-01 (default and "
                            "any later day: today).",
                            {"type": "string", "format": "date", "pattern": DAY_PATTERN},
                        )
                    ],
                    "responses": {"200": _json(_envelope(_INDICATOR), "The indicators."), "400": bad, "429": limited},
                }
            },
            "/api/v1/indicators/{code}": {
                "get": {
                    "operationId": "getIndicator",
                    "summary": "One indicator: monthly series, targets and a breakdown",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "description": "Indicator code (T1 … T9).",
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 40,
                                "pattern": "^[A-Za-z0-9_-]+$",
                            },
                        },
                        _param(
                            "as_of",
                            "Figures as of the last month end on or before this day, from 2000-01-01 "
                            "(default and any later day: today).",
                            {"type": "string", "format": "date", "pattern": DAY_PATTERN},
                        ),
                        _param(
                            "by",
                            "Break a computed indicator down by this dimension (groups of fewer than 5 "
                            "enterprises hidden).",
                            {"type": "string", "enum": DIMENSIONS},
                        ),
                    ],
                    "responses": {
                        "200": _json(_INDICATOR_DETAIL, "The indicator."),
                        "400": bad,
                        "404": _json(_ERROR, "No such indicator."),
                        "429": limited,
                    },
                }
            },
            "/api/v1/aggregates": {
                "get": {
                    "operationId": "getAggregates",
                    "summary": "Counts over the registry",
                    "parameters": [],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["enterprises", "smes", "tech", "products", "products_listed"],
                                "properties": {
                                    k: {"type": "integer", "minimum": 0}
                                    for k in ("enterprises", "smes", "tech", "products", "products_listed")
                                },
                            },
                            "Counts.",
                        ),
                        "429": limited,
                    },
                }
            },
        },
    }
