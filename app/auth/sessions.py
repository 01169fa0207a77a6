"""Flask-Login wiring: a signed-in browser is a row of user_session, not just a cookie."""

from __future__ import annotations

from flask import Flask, request, session
from flask_login import login_user, logout_user

from app.auth import devices, services
from app.extensions import login_manager
from app.models import User

SESSION_TOKEN_KEY = "sid"
CARRIED_OVER = ("locale", "assessments", "assessment_tokens")


def init_login_manager(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page explains itself
    login_manager.session_protection = None  # sessions are server-side rows; see load_user

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            return None
        return services.session_user(session.get(SESSION_TOKEN_KEY), uid)


def complete_sign_in(user: User) -> None:
    """Start a brand-new session for the user (the old cookie's content is discarded), and give the
    browser a device cookie for the account (app/auth/devices.py)."""
    # What the visitor did before signing in survives the new session: their language and the
    # assessments they hold private links to.
    kept = {k: session[k] for k in CARRIED_OVER if k in session}
    session.clear()
    token = services.start_session(user, request.headers.get("User-Agent"))
    session[SESSION_TOKEN_KEY] = token
    session.permanent = True
    session.update(kept)
    login_user(user)
    devices.issue(user)


def sign_out() -> None:
    services.end_session(session.get(SESSION_TOKEN_KEY))
    logout_user()
    session.clear()
