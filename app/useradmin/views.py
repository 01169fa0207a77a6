"""User-management pages for administrators: list and search, create, change the role, (de)activate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import admin_required
from app.edge import attempt
from app.extensions import db
from app.models import User
from app.useradmin import services, useradmin_bp
from app.useradmin.forms import NewStaffForm, RoleForm


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.closed_at is not None:
        abort(404)
    return user


@useradmin_bp.get("/nguoi-dung")
@admin_required
def users():
    query = request.args.get("q", "")[:100]
    scope = "all" if request.args.get("scope") == "all" else "staff"
    found, total = services.search(query, scope)
    return render_template("useradmin/list.html", users=found, total=total, q=query, scope=scope, limit=services.LISTED)


@useradmin_bp.route("/nguoi-dung/moi", methods=["GET", "POST"])
@admin_required
def new_user():
    form = NewStaffForm()
    if form.validate_on_submit():
        with attempt(form):
            user = services.create_staff_account(
                form.email.data, form.full_name.data, form.role.data, form.locale.data, current_user
            )
            flash(
                _(
                    "Account created for %(email)s. A link to choose a password was e-mailed to them; "
                    "they will set up two-step sign-in at their first sign-in.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("useradmin.account", user_id=user.id))
    return render_template("useradmin/new.html", form=form), 422 if form.errors else 200


@useradmin_bp.get("/nguoi-dung/<int:user_id>")
@admin_required
def account(user_id: int):
    user = _account(user_id)
    return render_template("useradmin/account.html", user=user, form=RoleForm(role=user.role))


@useradmin_bp.post("/nguoi-dung/<int:user_id>/vai-tro")
@admin_required
def change_role(user_id: int):
    user = _account(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return render_template("useradmin/account.html", user=user, form=form), 422
    with attempt():
        if services.change_role(user, form.role.data, current_user):
            flash(_("The role is changed; the person's sessions were ended."), "success")
    return redirect(url_for("useradmin.account", user_id=user.id))


@useradmin_bp.get("/nguoi-dung/<int:user_id>/vo-hieu-hoa")
@admin_required
def confirm_deactivate(user_id: int):
    """Ask before deactivating: what the person loses, and that the account can be reactivated."""
    user = _account(user_id)
    if user.id == current_user.id or not user.is_active_account:
        return redirect(url_for("useradmin.account", user_id=user.id))
    return render_template("useradmin/deactivate.html", user=user)


@useradmin_bp.post("/nguoi-dung/<int:user_id>/trang-thai")
@admin_required
def set_active(user_id: int):
    user = _account(user_id)
    active = request.form.get("active") == "1"
    with attempt():
        if services.set_active(user, active, current_user):
            flash(
                _("The account of %(name)s is reactivated: they can sign in again.", name=user.full_name)
                if active
                else _(
                    "The account of %(name)s is deactivated: their sessions have ended and they can no longer "
                    "sign in. To undo this, reactivate the account from this page.",
                    name=user.full_name,
                ),
                "success",
            )
    return redirect(url_for("useradmin.account", user_id=user.id))


@useradmin_bp.post("/nguoi-dung/<int:user_id>/gui-lien-ket")
@admin_required
def send_link(user_id: int):
    user = _account(user_id)
    with attempt():
        services.send_password_link(user, current_user)
        flash(_("A link to choose a password was e-mailed to %(email)s.", email=user.email), "success")
    return redirect(url_for("useradmin.account", user_id=user.id))
