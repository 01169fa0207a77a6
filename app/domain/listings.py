"""Where a listing may point: a product's own page on an e-commerce platform (rules/platforms.yaml).

The share of certified products on e-commerce (T4) counts products, so a listing's address must be
on its platform's domain (or a subdomain of one) and be a product page, not a shop's home page, a
search or a video. The owners' form (app/directory/owner.py) and the import of listings
(app/imports/kinds/listings.py) apply this one rule, each saying its reason in its own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import SplitResult, parse_qs, urlsplit

from app import rules

NOT_AN_ADDRESS = "url_not_an_address"
NOT_ON_PLATFORM = "url_not_on_platform"
NOT_A_PRODUCT_PAGE = "url_not_a_product_page"


def _parts(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:  # "https://[shopee.vn": no address at all
        return None
    return parts if parts.scheme in ("http", "https") and host else None


def _on(host: str, domains: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains.split())


def url_problem(platform_code: str, domains: str, url: str) -> str | None:
    """Why a listing's address is refused on the platform (one of the codes above), or None.
    ``domains`` is the platform's, space-separated (``Platform.domains``)."""
    parts = _parts(url)
    if parts is None:
        return NOT_AN_ADDRESS
    if not _on(parts.hostname.lower(), domains):
        return NOT_ON_PLATFORM
    if not _is_product_page(platform_code, parts):
        return NOT_A_PRODUCT_PAGE
    return None


def _is_product_page(platform_code: str, parts: SplitResult) -> bool:
    data = rules.load("platforms")
    refused = data.get("not_a_product_page", {})
    segments = [segment.lower() for segment in parts.path.split("/") if segment]
    if not segments or any(segment in refused.get("path_segments", ()) for segment in segments):
        return False
    if set(parse_qs(parts.query)) & set(refused.get("query_keys", ())):
        return False
    pattern = next((p.get("product_pattern") for p in data["platforms"] if p["code"] == platform_code), None)
    return not pattern or re.search(pattern, parts.path) is not None


def platform_of(url: str, platforms: Iterable[tuple[str, str]]) -> str | None:
    """The code of the platform whose domains the address is on, from (code, domains) pairs; None
    when it is on none of them, or is no address."""
    parts = _parts(url)
    if parts is None:
        return None
    host = parts.hostname.lower()
    return next((code for code, domains in platforms if _on(host, domains)), None)


def same_listing(url: str) -> str:
    """The address as two lists name the same page: without its scheme, ``www.``, fragment or
    closing slash, its host in lower case."""
    parts = _parts(url)
    if parts is None:
        return url.strip()
    host = parts.hostname.lower().removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path.rstrip('/')}{query}"
