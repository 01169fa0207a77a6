"""Response headers (CSP, HSTS, nosniff, frame-ancestors) and generic error pages."""

from __future__ import annotations

import logging

from flask import Flask, abort, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

log = logging.getLogger(__name__)


def _api_error(e: HTTPException):
    """API clients get JSON errors, never an HTML page."""
    from flask import jsonify

    names = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}
    response = jsonify({"error": names.get(e.code or 500, "error"), "message": e.description or ""})
    response.status_code = e.code or 500
    for header in ("Retry-After", "Allow"):
        value = e.get_response().headers.get(header)
        if value:
            response.headers[header] = value
    return response


def has_forbidden_characters() -> bool:
    """A NUL byte anywhere, or a line break in the path: no page or API call takes one, and PostgreSQL
    refuses NUL in text, so such a request is turned away before it reaches a view."""
    if "\x00" in request.path or any(c in request.path for c in "\r\n"):
        return True
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return True
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
    return False


def init_app(app: Flask) -> None:
    production = app.config["APP_ENV"] == "production"

    @app.before_request
    def _refuse_control_characters():
        if has_forbidden_characters():
            abort(400)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store" if request.cookies.get("session") else "no-cache")
        return response

    def _error_page(status: int, title: str, message: str):
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return _error_page(400, _("The form expired"), _("Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if isinstance(e, SecurityError):  # a Host not in TRUSTED_HOSTS: no page, no link is built for it
            return "Bad Request: unknown host", 400, {"Content-Type": "text/plain; charset=utf-8"}
        if request.path.startswith("/api/"):
            return _api_error(e)
        messages = {
            400: (_("Bad request"), _("The request could not be understood.")),
            403: (_("Access denied"), _("You do not have permission to see this page.")),
            404: (_("Page not found"), _("The page you asked for does not exist or has moved.")),
            405: (_("Not allowed"), _("This address does not accept that kind of request.")),
            413: (_("File too large"), _("The file is larger than the site accepts.")),
            429: (_("Too many attempts"), _("Please wait a moment before trying again.")),
        }
        title, message = messages.get(e.code or 500, (_("Error"), _("Something went wrong.")))
        response = _error_page(e.code or 500, title, message)
        if e.code == 429:
            # keep Retry-After and rate-limit headers
            rendered, status = response
            return (
                rendered,
                status,
                {
                    k: v
                    for k, v in e.get_response().headers.items()
                    if k.lower().startswith(("retry-after", "x-ratelimit"))
                },
            )
        return response

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("Unhandled error on %s", request.path)  # already rolled back (app/edge.py)
        if request.path.startswith("/api/"):
            from flask import jsonify

            return jsonify({"error": "server_error", "message": "The error has been logged."}), 500
        return _error_page(500, _("Something went wrong"), _("The error has been logged. Please try again later."))
