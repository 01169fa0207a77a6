"""Who may do what: one check per resource, used by views, the API and the CLI alike."""

from __future__ import annotations

import functools

from flask import abort
from flask_login import current_user


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in ("staff", "admin"))


def staff_required(view):
    """Department staff and admins only (they cannot sign in without two-step verification)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from flask import redirect, request, url_for

            return redirect(url_for("auth.login", next=request.full_path))
        if not is_staff(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def can_manage(user, enterprise) -> bool:
    """A verified member of the enterprise, or department staff, may edit it."""
    if user is None or not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    return any(m.enterprise_id == enterprise.id and m.claim_state == "verified" for m in user.memberships)
