"""The OpenAPI 3.1 document of API v1: every path in full, parameters inline."""

from __future__ import annotations

from flask import Flask

from app.directory.search import PER_PAGE_CHOICES, SORTS
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import ALL_TIERS

_ERROR = {"type": "object", "required": ["error", "message"],
          "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
_ENTERPRISE = {
    "type": "object",
    "required": ["code", "name", "legal_form", "vsic", "sector", "commune", "size_tier", "is_digital_tech", "is_startup", "status"],
    "properties": {
        "code": {"type": "string", "description": "Public key: the enterprise code (NNNNNNNNNN or NNNNNNNNNN-NNN) or an opaque household id."},
        "name": {"type": "string"},
        "legal_form": {"type": "string", "enum": list(LEGAL_FORMS)},
        "vsic": {"type": ["string", "null"]},
        "sector": {"type": ["string", "null"], "description": "VSIC 2018 section letter."},
        "commune": {"type": "object", "required": ["code", "name"],
                    "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
        "size_tier": {"type": "string", "enum": list(ALL_TIERS)},
        "is_digital_tech": {"type": "boolean"},
        "is_startup": {"type": "boolean"},
        "status": {"type": "string", "enum": ["active", "suspended", "dissolved"]},
    },
}
_LISTING = {"type": "object", "required": ["platform", "url", "last_verified_on"],
            "properties": {"platform": {"type": "string"}, "url": {"type": "string"},
                           "last_verified_on": {"type": ["string", "null"], "format": "date"}}}
_PRODUCT = {
    "type": "object",
    "required": ["id", "name", "certification", "ocop_stars", "listings", "is_expired"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "certification": {"type": "string", "enum": ["ocop", "gi", "collective_mark", "certification_mark"]},
        "ocop_stars": {"type": ["integer", "null"], "minimum": 3, "maximum": 5},
        "certifying_body": {"type": ["string", "null"]},
        "certified_on": {"type": ["string", "null"], "format": "date"},
        "expires_on": {"type": ["string", "null"], "format": "date"},
        "is_expired": {"type": "boolean"},
        "listings": {"type": "array", "items": _LISTING},
    },
}
_FACET = {"type": "array", "items": {"type": "object", "required": ["value", "count"],
                                     "properties": {"value": {"type": "string"},
                                                                    "count": {"type": ["integer", "null"], "minimum": 0,
                                                                              "description": "null when the search is too broad to count"}}}}


def _envelope(item: dict) -> dict:
    return {"type": "object", "required": ["items", "total", "page", "per_page", "next", "facets"],
            "properties": {"items": {"type": "array", "items": item},
                           "total": {"type": "integer", "minimum": 0,
                                     "description": "Matches; when total_exact is false, a search too broad to count "
                                                    "to the end, which has more than total - 1 matches"},
                           "total_exact": {"type": "boolean", "description": "false when total is a lower bound"},
                           "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
                           "next": {"type": ["string", "null"]},
                           "facets": {"type": "object", "additionalProperties": _FACET}}}


def _param(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _code_param() -> dict:
    return {"name": "code", "in": "path", "required": True, "description": "The enterprise's public key.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[0-9A-Z-]+$"}}


def document(app: Flask) -> dict:
    bool_schema = {"type": "string", "enum": ["true", "false", "1", "0"]}
    search_params = [
        _param("q", "Search text: name, product or commune, with or without diacritics; an enterprise code.",
               {"type": "string", "maxLength": 200}),
        _param("sector", "VSIC 2018 section letter.", {"type": "string", "pattern": "^[A-U]$"}),
        _param("commune", "Commune code (5 digits).", {"type": "string", "pattern": "^[0-9]{5}$"}),
        _param("size", "Size tier.", {"type": "string", "enum": list(ALL_TIERS)}),
        _param("legal_form", "Legal form.", {"type": "string", "enum": list(LEGAL_FORMS)}),
        _param("digital", "Only digital-technology enterprises.", bool_schema),
        _param("startup", "Only innovative startups.", bool_schema),
        _param("products", "Only enterprises with certified products.", bool_schema),
        _param("platform", "Only enterprises selling on this e-commerce platform.", {"type": "string", "pattern": "^[a-z]{1,20}$"}),
        _param("level", "Readiness level 0–5 (enterprises that chose to show it).", {"type": "integer", "minimum": 0, "maximum": 5}),
        _param("sort", "Order of the results.", {"type": "string", "enum": list(SORTS)}),
        _param("page", "Page number (results beyond the depth cap are not reachable).", {"type": "integer", "minimum": 1, "maximum": 100000}),
        _param("per_page", "Results per page.", {"type": "integer", "enum": list(PER_PAGE_CHOICES)}),
    ]
    bad = _json(_ERROR, "Invalid parameter.")
    missing = _json(_ERROR, "No such enterprise.")
    limited = _json(_ERROR, "Rate limited.")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Enterprise digital-transformation registry API", "version": "1.0.0",
                 "description": "Read-only public data of the province's enterprise registry: search with facets, "
                                "profiles, certified products and aggregate counts. Personal data is never included."},
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/enterprises": {"get": {
                "operationId": "searchEnterprises", "summary": "Search enterprises with filters and facet counts",
                "parameters": search_params,
                "responses": {"200": _json(_envelope(_ENTERPRISE), "A page of enterprises."), "400": bad, "429": limited},
            }},
            "/api/v1/enterprises/{code}": {"get": {
                "operationId": "getEnterprise", "summary": "An enterprise's public profile",
                "parameters": [_code_param()],
                "responses": {"200": _json({**_ENTERPRISE, "properties": {**_ENTERPRISE["properties"],
                                                                           "products": {"type": "array", "items": _PRODUCT}}},
                                           "The enterprise."), "404": missing, "429": limited},
            }},
            "/api/v1/enterprises/{code}/products": {"get": {
                "operationId": "getEnterpriseProducts", "summary": "Certified products of an enterprise and where they sell",
                "parameters": [_code_param()],
                "responses": {"200": _json(_envelope(_PRODUCT), "The products."), "404": missing, "429": limited},
            }},
            "/api/v1/aggregates": {"get": {
                "operationId": "getAggregates", "summary": "Counts over the registry",
                "parameters": [],
                "responses": {"200": _json({"type": "object", "required": ["enterprises", "smes", "tech", "products", "products_listed"],
                                            "properties": {k: {"type": "integer", "minimum": 0} for k in
                                                           ("enterprises", "smes", "tech", "products", "products_listed")}},
                                           "Counts."), "429": limited},
            }},
        },
    }
