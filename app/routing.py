"""URL helpers shared by the blueprints: English aliases and safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, url_for


def add_alias(bp: Blueprint, path: str, endpoint: str) -> None:
    """Serve an English alias of a Vietnamese public URL as a permanent redirect (query kept)."""

    def view(**kwargs):
        query = request.query_string.decode()
        return redirect(url_for(endpoint, **kwargs) + (f"?{query}" if query else ""), code=301)

    bp.add_url_rule(path, "alias_" + endpoint.replace(".", "_"), view, methods=["GET"])


def safe_next(target: str | None, fallback: str) -> str:
    """Only follow a same-site path: never an absolute URL or a scheme-relative one."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute link to a page, from PUBLIC_BASE_URL: e-mails, resume links and the API's links
    never take their host from the request (a forged Host header cannot redirect a reset link)."""
    from flask import current_app

    path = url_for(endpoint, _external=False, **values)
    return current_app.config["PUBLIC_BASE_URL"] + path


def external_path(path: str) -> str:
    """The absolute form of a path of the site (see `external_url`)."""
    from flask import current_app

    return current_app.config["PUBLIC_BASE_URL"] + path
