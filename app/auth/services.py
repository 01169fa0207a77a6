"""Account rules. Views, the CLI and the demo loader all go through these functions.

Services flush; the request or CLI edge commits.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from app import audit
from app.auth import passwords, tokens, totp
from app.database import write_intent
from app.errors import ServiceError
from app.extensions import db
from app.letters import Letter, send_letter
from app.models import Membership, User, UserSession
from app.models.base import utcnow
from app.models.values import Role
from app.routing import external_url
from app.text import normalize

log = logging.getLogger(__name__)


@functools.cache
def _dummy_hash() -> str:
    return passwords.hash_password(secrets.token_hex(16))


class AccountError(ServiceError):
    """A refused account operation with a translated message and the form field it concerns."""


def normalize_email(email: str) -> str:
    return normalize(email).lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _check_password(password: str, email: str, name: str) -> None:
    problem = passwords.password_problem(password, email=email, name=name)
    if problem:
        raise AccountError(problem, "password")


def create_user(
    email: str,
    full_name: str,
    role: str,
    password: str,
    *,
    email_verified: bool = True,
    actor: audit.Actor = audit.CLI,
    check_password: bool = True,
) -> User:
    """Create an account directly (CLI, demo). Raises AccountError when the address is taken."""
    email = normalize_email(email)
    if get_user_by_email(email):
        raise AccountError(_("An account with this e-mail address already exists."), "email")
    if check_password:
        _check_password(password, email, full_name)
    now = utcnow()
    user = User(
        email=email,
        full_name=normalize(full_name),
        role=role,
        password_hash=passwords.hash_password(password),
        email_verified_at=now if email_verified else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user", user.id, None, {"email": email, "role": role})
    return user


def register_user(
    email: str, full_name: str, password: str, consent: bool, locale: str, role: str = "owner"
) -> User | None:
    """Self-registration with consent to the privacy notice. Sends the verification e-mail.

    When the address already has an account, its holder is told by e-mail instead, and the
    caller shows the same message either way (no account enumeration). Returns the new user or None.
    """
    if not consent:
        raise AccountError(_("Please read the privacy notice and give your consent to continue."), "consent")
    if role not in (Role.OWNER, Role.INVESTOR):
        raise AccountError(_("Choose the kind of account."), "role")
    email = normalize_email(email)
    _check_password(password, email, full_name)
    existing = get_user_by_email(email)
    if existing:
        passwords.hash_password(password)  # the same work as a new account: the answer's time tells nothing
        send_to_user(
            existing,
            lambda: Letter(
                _("Someone tried to register with your address"),
                [_("Someone tried to create an account with your e-mail address, which already has one.")],
                (_("Sign in"), external_url("auth.login")),
                [
                    _("Forgot your password? %(url)s", url=external_url("auth.forgot_password")),
                    _("If it was not you, ignore this message."),
                ],
            ),
        )
        return None
    user = create_user(email, full_name, role, password, email_verified=False, actor=audit.SYSTEM, check_password=False)
    user.locale = locale
    user.privacy_consent_at = utcnow()
    user.privacy_notice_version = current_app.config["PRIVACY_NOTICE_VERSION"]
    send_verification(user)
    return user


def send_to_user(user: User, compose: Callable[[], Letter]) -> None:
    """E-mail a user in their own language, as plain text and HTML (app/letters.py)."""
    send_letter(user, compose)


def send_verification(user: User) -> None:
    token = tokens.make_token(tokens.VERIFY_EMAIL, {"uid": user.id, "email": user.email})
    send_to_user(
        user,
        lambda: Letter(
            _("Confirm your e-mail address"),
            [_("Thank you for registering. Please confirm your e-mail address: then you can sign in.")],
            (_("Confirm my e-mail address"), external_url("auth.verify_email", token=token)),
            [_("The link works for 48 hours. If you did not create an account, ignore this message.")],
        ),
    )


def verify_email(token: str) -> User | None:
    data = tokens.read_token(tokens.VERIFY_EMAIL, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    if not data:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email") or not user.is_active:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record(audit.Actor.of(user), "verify_email", "user", user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose password matches, or None. Spends the same effort for unknown addresses."""
    user = get_user_by_email(email)
    if user is None:
        passwords.verify_password(_dummy_hash(), password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.is_active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


# --- sessions ---------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, user_agent: str | None) -> str:
    """Record a new signed-in session and return the token the cookie will carry."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_hash_token(token), user_agent=(user_agent or "")[:300]))
    user.last_login_at = utcnow()
    audit.record(audit.Actor.of(user), "sign_in", "user", user.id)
    return token


def session_user(token: str | None, user_id: int | None) -> User | None:
    """The user of a live session token, or None when revoked, expired or deactivated."""
    if not token or user_id is None:
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _hash_token(token)))
    if row is None or row.revoked_at is not None or row.user_id != user_id:
        return None
    now = utcnow()
    seen = row.last_seen_at or row.created_at
    seen = seen if seen.tzinfo else seen.replace(tzinfo=UTC)
    if now - seen >= timedelta(days=current_app.config["SESSION_IDLE_DAYS"]):
        return None  # unused for too long
    if now - seen >= SEEN_EVERY:
        _write_last_seen(row.id, now)
    return row.user if row.user.is_active else None


SEEN_EVERY = timedelta(hours=1)  # how often a session in use records it: an idle timeout of days needs no more


def _write_last_seen(session_id: int, now) -> None:
    """Record that a session is in use, on its own connection: the request itself may only read, and
    a busy database only delays the record to the next request."""
    try:
        with write_intent(), db.engine.begin() as connection:
            connection.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
    except OperationalError:
        log.info("session %s: last use not recorded this time (database busy)", session_id)


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == _hash_token(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_all_sessions(user: User) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# --- two-factor ---------------------------------------------------------------------------


def enable_totp(user: User, secret: str, code: str) -> None:
    step = totp.accepted_step(secret, code, None)
    if step is None:
        raise AccountError(_("That code is not right. Check the time on your phone and try the newest code."), "code")
    user.totp_secret = secret  # stored encrypted (app/models/user.py)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    audit.record(audit.Actor.of(user), "enable_two_factor", "user", user.id)


def reset_two_factor(user: User, actor: audit.Actor) -> None:
    """Forget the user's authenticator (lost phone, or a secret SECRET_KEY no longer opens): they set
    up a new one at their next sign-in. Their sessions end."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    revoke_all_sessions(user)
    audit.record(actor, "reset_two_factor", "user", user.id)


def set_language(user: User, lang: str) -> None:
    """The language the person reads: their e-mails and inbox notices are written in it (flushes)."""
    if user.locale != lang:
        user.locale = lang
        db.session.flush()


def check_totp(user: User, code: str) -> bool:
    """Accept a current code once (a replayed code is refused)."""
    if not user.totp_secret:  # none, or one this SECRET_KEY cannot open (app/models/user.py)
        return False
    step = totp.accepted_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def totp_code_was_used(user: User, code: str) -> bool:
    """Whether a refused code is a right one already accepted (typed again within its 30 seconds)."""
    return bool(user.totp_secret) and totp.was_used(user.totp_secret, code, user.totp_last_step)


# --- password reset -------------------------------------------------------------------------


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def password_link(user: User) -> str:
    """A link to choose a new password: it works once (it names the current password's fingerprint)
    and for RESET_TOKEN_MAX_AGE seconds."""
    token = tokens.make_token(tokens.RESET_PASSWORD, {"uid": user.id, "fp": _password_fingerprint(user)})
    return external_url("auth.reset_password", token=token)


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the address has an active account; say nothing either way."""
    user = get_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = password_link(user)
    send_to_user(
        user,
        lambda: Letter(
            _("Reset your password"),
            [_("Someone (we hope you) asked to reset the password of your account.")],
            (_("Choose a new password"), link),
            [
                _(
                    "The link works for one hour and only once. If you did not ask for it, ignore this message: "
                    "your password stays as it is."
                )
            ],
        ),
    )


def user_for_reset_token(token: str) -> User | None:
    data = tokens.read_token(tokens.RESET_PASSWORD, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if not data:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.is_active or data.get("fp") != _password_fingerprint(user):
        return None  # a used link no longer matches the (changed) password
    return user


def set_password(user: User, password: str) -> None:
    _check_password(password, user.email, user.full_name)
    user.password_hash = passwords.hash_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the reset link proved the address
    revoke_all_sessions(user)
    audit.record(audit.Actor.of(user), "set_password", "user", user.id)


def verified_membership(user: User, enterprise_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.enterprise_id == enterprise_id, Membership.is_verified
        )
    )
