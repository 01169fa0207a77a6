"""Administrators only: the one check for user management and target edits."""

from __future__ import annotations

import functools

from flask import abort, redirect, request, url_for
from flask_login import current_user


def is_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role == "admin")


def admin_required(view):
    """Signed-in administrators only (403 for everyone else, staff included)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if not is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
