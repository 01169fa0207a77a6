"""The OpenAPI 3.1 document of API v1: every path in full, parameters inline."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from app.api.schemas import ENTERPRISE, ERROR, INDICATOR, INDICATOR_DETAIL, PRODUCT, SIZE_TIER_DESCRIPTION, envelope
from app.directory.search import PER_PAGE_CHOICES, SORTS
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import ALL_TIERS

DIMENSIONS = ["commune", "section", "priority", "size", "legal_form"]
DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _param(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _as_of_param() -> dict:
    return _param(
        "as_of",
        _(
            "Figures as of the last month end on or before this day, from 2000-01-01 (left out, and any later "
            "day: today). An empty value is refused like any other that is not a date."
        ),
        {"type": "string", "format": "date", "pattern": DAY_PATTERN},
    )


def _code_param() -> dict:
    return {
        "name": "code",
        "in": "path",
        "required": True,
        "description": _("The enterprise's public key."),
        "schema": {"type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[0-9A-Z-]+$"},
    }


def document(app: Flask) -> dict:
    bool_schema = {"type": "string", "enum": ["true", "false", "1", "0"]}
    search_params = [
        _param(
            "q",
            _(
                "Search text: name, product or commune, with or without diacritics; an enterprise code. "
                "A NUL character is refused with 400 (as in every parameter and path)."
            ),
            {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000]*$"},
        ),
        _param("sector", _("VSIC 2018 section letter."), {"type": "string", "pattern": "^[A-U]$"}),
        _param("commune", _("Commune code (5 digits)."), {"type": "string", "pattern": "^[0-9]{5}$"}),
        _param("size", "Size tier. " + SIZE_TIER_DESCRIPTION, {"type": "string", "enum": list(ALL_TIERS)}),
        _param("legal_form", _("Legal form."), {"type": "string", "enum": list(LEGAL_FORMS)}),
        _param(
            "digital", _("Only digital-technology enterprises, their label verified by the department."), bool_schema
        ),
        _param("startup", _("Only innovative startups, their label verified by the department."), bool_schema),
        _param("products", _("Only enterprises with certified products."), bool_schema),
        _param(
            "platform",
            _("Only enterprises selling on this e-commerce platform."),
            {"type": "string", "pattern": "^[a-z]{1,20}$"},
        ),
        _param(
            "level",
            _("Readiness level 0–5 (enterprises that chose to show it)."),
            {"type": "integer", "minimum": 0, "maximum": 5},
        ),
        _param("sort", _("Order of the results."), {"type": "string", "enum": list(SORTS)}),
        _param(
            "page",
            _("Page number (results beyond the depth cap are not reachable)."),
            {"type": "integer", "minimum": 1, "maximum": 100000},
        ),
        _param("per_page", _("Results per page."), {"type": "integer", "enum": list(PER_PAGE_CHOICES)}),
    ]
    # Every operation may answer 400: besides a parameter the document refuses, a NUL character anywhere or
    # a line break in the path is turned away before any view (app/security.py).
    bad = _json(
        ERROR, _("Invalid request: a parameter this document refuses, a NUL character or a line break in the path.")
    )
    missing = _json(ERROR, _("No such enterprise."))
    limited = _json(ERROR, _("Rate limited."))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Enterprise digital-transformation registry API",
            "version": "1.0.0",
            "description": _(
                "Read-only public data of the province's enterprise registry: search with facets, "
                "profiles, certified products, aggregate counts and the indicators of the province's "
                "digital-transformation targets. Personal data is never included."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/enterprises": {
                "get": {
                    "operationId": "searchEnterprises",
                    "summary": _("Search enterprises with filters and facet counts"),
                    "parameters": search_params,
                    "responses": {
                        "200": _json(envelope(ENTERPRISE), _("A page of enterprises.")),
                        "400": bad,
                        "429": limited,
                    },
                }
            },
            "/api/v1/enterprises/{code}": {
                "get": {
                    "operationId": "getEnterprise",
                    "summary": _("An enterprise's public profile"),
                    "parameters": [_code_param()],
                    "responses": {
                        "200": _json(
                            {
                                **ENTERPRISE,
                                "properties": {
                                    **ENTERPRISE["properties"],
                                    "address": {
                                        "type": ["string", "null"],
                                        "description": _(
                                            "Street address. null for a household business that has "
                                            "not chosen to publish it (often the family's home): its commune says where."
                                        ),
                                    },
                                    "products": {"type": "array", "items": PRODUCT},
                                },
                            },
                            _("The enterprise."),
                        ),
                        "400": bad,
                        "404": missing,
                        "429": limited,
                    },
                }
            },
            "/api/v1/enterprises/{code}/products": {
                "get": {
                    "operationId": "getEnterpriseProducts",
                    "summary": _("Certified products of an enterprise and where they sell"),
                    "parameters": [_code_param()],
                    "responses": {
                        "200": _json(envelope(PRODUCT), _("The products.")),
                        "400": bad,
                        "404": missing,
                        "429": limited,
                    },
                }
            },
            "/api/v1/indicators": {
                "get": {
                    "operationId": "listIndicators",
                    "summary": _("Every indicator of the plan as of a day, with its targets' status"),
                    "parameters": [_as_of_param()],
                    "responses": {"200": _json(envelope(INDICATOR), _("The indicators.")), "400": bad, "429": limited},
                }
            },
            "/api/v1/indicators/{code}": {
                "get": {
                    "operationId": "getIndicator",
                    "summary": _("One indicator: monthly series, targets and a breakdown"),
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "description": _("Indicator code (T1 … T9)."),
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 40,
                                "pattern": "^[A-Za-z0-9_-]+$",
                                "examples": ["T1", "T5"],  # a reported indicator and a computed one
                            },
                        },
                        _as_of_param(),
                        _param(
                            "by",
                            _(
                                "Break the indicator down by this dimension (groups of fewer than 5 enterprises "
                                "hidden). A reported indicator is one figure for the province: its breakdown is null."
                            ),
                            {"type": "string", "enum": DIMENSIONS},
                        ),
                    ],
                    "responses": {
                        "200": _json(INDICATOR_DETAIL, _("The indicator.")),
                        "400": bad,
                        "404": _json(ERROR, _("No such indicator.")),
                        "429": limited,
                    },
                }
            },
            "/api/v1/aggregates": {
                "get": {
                    "operationId": "getAggregates",
                    "summary": _("Counts over the registry"),
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
                            _("Counts."),
                        ),
                        "400": bad,
                        "429": limited,
                    },
                }
            },
        },
    }
