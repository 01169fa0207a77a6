"""A website as people type it, checked and written one way for every entry point (forms, imports)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from app.text import normalize

MAX_LENGTH = 300
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOP = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{2,59})$")


class WebsiteError(ValueError):
    """Not a website address (a formula, a file path, a bare word, an e-mail address...)."""


def normalize_website(raw: str | None) -> str | None:
    """``https://host/path`` from what was typed; a bare ``gandadia.vn`` gets ``https://``.

    Blank gives None. Only http and https addresses of a host with a dot are accepted; the host is
    written in lower case (and an internationalised one in its ASCII form).
    """
    value = normalize(raw or "").strip()
    if not value:
        return None
    if len(value) > MAX_LENGTH or any(c.isspace() for c in value) or value.startswith(("=", "+", "@")):
        raise WebsiteError(value)
    if "://" not in value:
        if ":" in value.split("/", 1)[0].split("@", 1)[0] and not re.match(r"^[^:/]+:\d+(/|$)", value):
            raise WebsiteError(value)  # mailto:, javascript:, C:\...
        value = "https://" + value.lstrip("/")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise WebsiteError(value) from None
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password or not parts.hostname:
        raise WebsiteError(value)
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise WebsiteError(value) from None
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or not _TOP.match(labels[-1]):
        raise WebsiteError(value)
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def website_link(stored: str | None) -> str | None:
    """The address a page may link to: a stored website that passes the rule, else None (shown as text).
    Records kept from before the rule, or written by hand in the database, never become a live link."""
    try:
        return normalize_website(stored)
    except WebsiteError:
        return None
