"""Account administration rules. Services flush; the request edge commits.

An administrator cannot deactivate or change the role of their own account, and the last active
administrator cannot be removed: there is always someone who can manage accounts. A role change
ends the person's sessions, so that a new staff member signs in again with two-step verification.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app import audit
from app.auth import lifecycle
from app.auth import services as accounts
from app.extensions import db
from app.labels import ROLES as ROLE_NAMES
from app.letters import Letter
from app.models import User
from app.models.values import Role
from app.routing import external_url
from app.text import normalize

CREATABLE_ROLES = ("staff", "admin")
LISTED = 200


class UserAdminError(accounts.AccountError):
    """A refused administration step (translated message, optional form field)."""


def search(query: str | None, scope: str = "staff") -> tuple[list[User], int]:
    """Accounts matching the words of ``query`` in the address or the name; staff and admins unless scope is 'all'."""
    condition = User.closed_at.is_(None)
    if scope != "all":
        condition &= User.is_staff
    for word in normalize(query).lower().split()[:5]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        condition &= or_(func.lower(User.email).like(pattern), func.lower(User.full_name).like(pattern))
    total = db.session.scalar(select(func.count()).select_from(User).where(condition))
    users = db.session.scalars(select(User).where(condition).order_by(User.email).limit(LISTED))
    return list(users), total


def create_staff_account(email: str, full_name: str, role: str, locale: str, actor: User) -> User:
    """A staff or admin account with no usable password; its holder sets one through the e-mailed link."""
    if role not in CREATABLE_ROLES:
        raise UserAdminError(_("Choose staff or administrator."), "role")
    if not normalize(full_name):
        raise UserAdminError(_("Enter the person's name."), "full_name")
    user = accounts.create_user(
        email,
        full_name,
        role,
        secrets.token_urlsafe(32),
        email_verified=False,
        actor=audit.Actor.of(actor),
        check_password=False,
    )
    user.locale = locale
    send_password_link(user, actor, new=True)
    return user


def send_password_link(user: User, actor: User, *, new: bool = False) -> None:
    """E-mail the account's holder a link to choose a password (the password-reset link, one hour)."""
    if not user.is_active:
        raise UserAdminError(_("This account is deactivated: reactivate it first."))
    link, role = accounts.password_link(user), user.role

    def letter() -> Letter:
        if new:
            what = _(
                "%(admin)s created an account for you on the department's platform, with the role: %(role)s.",
                admin=actor.full_name,
                role=str(ROLE_NAMES.get(role, role)),
            )
        else:
            what = _("An administrator sent you a new link to choose the password of your account.")
        after = [
            _(
                "The link works for one hour and only once. If it has expired, ask for a new one on this page "
                "with your e-mail address: %(url)s",
                url=external_url("auth.forgot_password"),
            )
        ]
        if role in ("staff", "admin"):
            after.append(
                _(
                    "At your first sign-in you will set up two-step verification with an authenticator app on your phone."
                )
            )
        subject = _("Your account on the department's platform") if new else _("Choose your password")
        return Letter(subject, [what], (_("Choose my password"), link), after)

    accounts.send_to_user(user, letter)
    if not new:
        audit.record(audit.Actor.of(actor), "send_password_link", "user", user.id)


def change_role(user: User, role: str, actor: User) -> bool:
    """Give the account another role; ends its sessions. Returns whether anything changed."""
    if not Role.has(role):
        raise UserAdminError(_("Choose a role."), "role")
    if user.id == actor.id:
        raise UserAdminError(_("You cannot change the role of your own account; ask another administrator."), "role")
    if role == user.role:
        return False
    if user.role == "admin" and user.is_active and not lifecycle.other_active_admins(user):
        raise UserAdminError(_("This is the last active administrator; make someone else administrator first."), "role")
    before = {"role": user.role}
    user.role = role
    accounts.revoke_all_sessions(user)
    audit.record(audit.Actor.of(actor), "change_role", "user", user.id, before, {"role": role})
    return True


def set_active(user: User, active: bool, actor: User) -> bool:
    """Deactivate (ending every session at once) or reactivate an account. Returns whether it changed."""
    if user.id == actor.id:
        raise UserAdminError(_("You cannot deactivate your own account."))
    if user.closed_at is not None:
        raise UserAdminError(_("This account was closed by its holder and cannot be reactivated."))
    if user.is_active_account == active:
        return False
    try:
        lifecycle.set_active(user, active, audit.Actor.of(actor))
    except accounts.AccountError as error:
        raise UserAdminError(error.message) from None
    return True
