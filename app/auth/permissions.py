"""Who may do what: one check per resource, used by views, the API and the CLI alike."""

from __future__ import annotations

import functools

from flask import abort, redirect, request, url_for
from flask_login import current_user


def is_staff(user) -> bool:
    """Department staff or an administrator, signed in."""
    return bool(user is not None and user.is_authenticated and user.is_staff)


def is_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_admin)


def is_verified_member(user, enterprise_id: int | None) -> bool:
    """Signed in and verified by the department as acting for the enterprise. Staff are not members
    by their role: they manage records (`can_manage`), they do not answer or assess for an enterprise."""
    return bool(user is not None and user.is_authenticated and user.is_verified_member(enterprise_id))


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
    return is_staff(user) or is_verified_member(user, enterprise.id)
