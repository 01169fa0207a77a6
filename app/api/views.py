"""JSON endpoints. Lists share one envelope: items, total, page, per_page, next, facets."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import abort, current_app, jsonify, render_template, request
from flask_babel import force_locale
from werkzeug.exceptions import BadRequest

from app.api import api_bp, openapi, serialize
from app.cache import cached_page
from app.directory import profiles, search
from app.domain.legal_forms import LEGAL_FORMS
from app.domain.size import ALL_TIERS
from app.extensions import csrf, limiter
from app.registry.services import registry_counts
from app.routing import external_url

csrf.exempt(api_bp)
API_LIMIT = "120 per minute"


def _envelope(
    items: list, total: int, query: search.Query, max_page: int, facets: dict, total_exact: bool = True
) -> dict:
    has_next = query.page < max_page
    return {
        "items": items,
        "total": total,
        "total_exact": total_exact,
        "page": query.page,
        "per_page": query.per_page,
        "next": external_url("api.enterprises", **query.as_args(page=query.page + 1)) if has_next else None,
        "facets": {name: [{"value": v, "count": n} for v, n in values] for name, values in facets.items()},
    }


_RULES = {
    "sector": lambda v: re.fullmatch(r"[A-U]", v),
    "commune": lambda v: re.fullmatch(r"[0-9]{5}", v),
    "size": lambda v: v in ALL_TIERS,
    "legal_form": lambda v: v in LEGAL_FORMS,
    "digital": lambda v: v in ("true", "false", "1", "0"),
    "startup": lambda v: v in ("true", "false", "1", "0"),
    "products": lambda v: v in ("true", "false", "1", "0"),
    "platform": lambda v: re.fullmatch(r"[a-z]{1,20}", v),
    "level": lambda v: re.fullmatch(r"[0-5]", v),
    "sort": lambda v: v in search.SORTS,
    "page": lambda v: re.fullmatch(r"[0-9]{1,6}", v) and 1 <= int(v) <= 100000,
    "per_page": lambda v: re.fullmatch(r"[0-9]{1,3}", v) and int(v) in search.PER_PAGE_CHOICES,
    "q": lambda v: len(v) <= 200,
}


def strict_query(args) -> search.Query:
    """The API refuses what its OpenAPI document does not allow (the HTML pages are lenient)."""
    for name, rule in _RULES.items():
        if name in args and not rule(args[name]):
            raise BadRequest(f"Invalid value for parameter {name!r}.")
    return search.Query.from_args(args)


@api_bp.get("/enterprises")
@limiter.limit(API_LIMIT)
@cached_page(query=lambda: urlencode(strict_query(request.args).as_args()))
def enterprises():
    query = strict_query(request.args)
    results = search.run(query)
    return jsonify(
        _envelope(
            [serialize.enterprise_item(e) for e in results.items],
            results.total,
            results.query,
            results.max_page,
            results.facets,
            results.total_is_exact,
        )
    )


def _published_or_404(code: str):
    found = profiles.get_public(code)
    if found is None:
        abort(404)
    return found


@api_bp.get("/enterprises/<code>")
@limiter.limit(API_LIMIT)
def enterprise(code: str):
    found = _published_or_404(code)
    view = profiles.build(found)
    return jsonify(serialize.enterprise_detail(found, view.readiness))


@api_bp.get("/enterprises/<code>/products")
@limiter.limit(API_LIMIT)
def enterprise_products(code: str):
    found = _published_or_404(code)
    items = [serialize.product_item(p) for p in found.products if p.is_active]
    return jsonify(
        {"items": items, "total": len(items), "page": 1, "per_page": max(1, len(items)), "next": None, "facets": {}}
    )


@api_bp.get("/aggregates")
@limiter.limit(API_LIMIT)
def aggregates():
    return jsonify(registry_counts())


@api_bp.get("/openapi.json")
def openapi_document():
    """The machine-readable document, in English whatever the visitor's language (a stable contract);
    the page at /api/v1/ says the same in the visitor's language."""
    with force_locale("en"):
        return jsonify(openapi.document(current_app))


@api_bp.get("/")
def docs():
    return render_template("api/docs.html", spec=openapi.document(current_app))
