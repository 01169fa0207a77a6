"""Who may do what: one check per resource, used by views, the API and the CLI alike."""

from __future__ import annotations

import functools

from flask import abort, redirect, request, url_for
from flask_login import current_user


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in ("staff", "admin"))


def is_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role == "admin")


def _required(allowed):
    """A view decorator: strangers go to sign in, signed-in people without the role get 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path))
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Department staff and admins (they cannot sign in without two-step verification).
staff_required = _required(is_staff)
# Administrators only: user management and target edits.
admin_required = _required(is_admin)


def can_manage(user, enterprise) -> bool:
    """A verified member of the enterprise, or department staff, may edit it."""
    if user is None or not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    return any(m.enterprise_id == enterprise.id and m.claim_state == "verified" for m in user.memberships)
