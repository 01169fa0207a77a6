"""An account's life after sign-up: the person's copy of their data, closing the account, and
deactivating or reactivating it (never the last active administrator).

Kept apart from services.py, which signs people up and in; these flush, and the request or CLI edge commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app import audit
from app.auth import passwords
from app.auth.services import AccountError, revoke_all_sessions
from app.extensions import db
from app.models import Assessment, User, UserSession
from app.models.base import utcnow


def export_user_data(user: User) -> dict:
    """Everything the platform holds about a person, for download (Decree 13/2023 right of access)."""
    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.created_at)
    )
    return {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "locale": user.locale,
            "created_at": user.created_at.isoformat(),
            "email_verified_at": _iso(user.email_verified_at),
            "privacy_consent_at": _iso(user.privacy_consent_at),
            "privacy_notice_version": user.privacy_notice_version,
            "two_factor_enabled": user.has_two_factor,
            "last_login_at": _iso(user.last_login_at),
        },
        "memberships": [
            {
                "enterprise": m.enterprise.public_key,
                "name": m.enterprise.name,
                "claim_state": m.claim_state,
                "evidence": m.evidence,
                "created_at": m.created_at.isoformat(),
            }
            for m in user.memberships
        ],
        "sessions": [
            {"created_at": s.created_at.isoformat(), "revoked_at": _iso(s.revoked_at), "user_agent": s.user_agent}
            for s in sessions
        ],
        "assessments": [
            {
                "instrument": a.instrument_id,
                "version": a.instrument_version,
                "status": a.status,
                "enterprise": a.enterprise.public_key if a.enterprise else None,
                "started_at": a.started_at.isoformat(),
                "submitted_at": _iso(a.submitted_at),
                "overall_level": a.overall_level,
                "answers": a.answers,
                "pillar_results": a.pillar_results,
            }
            for a in db.session.scalars(
                select(Assessment).where(Assessment.user_id == user.id).order_by(Assessment.started_at)
            )
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def close_account(user: User) -> None:
    """Remove personal data, keep a pseudonymous shell so that audit records stay consistent."""
    audit.record(audit.Actor.of(user), "close_account", "user", user.id)
    revoke_all_sessions(user)
    for membership in list(user.memberships):
        db.session.delete(membership)
    # Unfinished answers go; submitted results linked to an enterprise stay for its statistics,
    # no longer tied to the person; personal ones go too.
    for attempt in db.session.scalars(select(Assessment).where(Assessment.user_id == user.id)):
        if attempt.is_submitted and attempt.enterprise_id is not None:
            attempt.user_id = None
        else:
            db.session.delete(attempt)
    user.email = f"closed-{user.id}-{secrets.token_hex(4)}@invalid"
    user.full_name = _("Closed account")
    user.password_hash = passwords.hash_password(secrets.token_urlsafe(32))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.closed_at = utcnow()
    user.is_active_account = False
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id).values(user_agent=None))


def other_active_admins(user: User) -> int:
    """How many administrators besides this one can still sign in."""
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.is_active_account.is_(True), User.closed_at.is_(None), User.id != user.id)
    )


def set_active(user: User, active: bool, actor: audit.Actor) -> None:
    """Deactivate (ending every session) or reactivate an account; never the last active administrator
    (the rule of every entry point: the workspace, the CLI)."""
    if not active and user.role == "admin" and user.is_active and not other_active_admins(user):
        raise AccountError(_("This is the last active administrator; make someone else administrator first."))
    before = {"is_active": user.is_active_account}
    user.is_active_account = active
    if not active:
        revoke_all_sessions(user)
    audit.record(actor, "deactivate" if not active else "reactivate", "user", user.id, before, {"is_active": active})
