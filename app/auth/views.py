"""Account pages. Each view: parse the form, call one service, redirect (the request edge commits)."""

from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import auth_bp, devices, forms, lifecycle, services, throttle, totp
from app.auth.sessions import complete_sign_in, sign_out
from app.edge import attempt, writes
from app.extensions import db, limiter
from app.i18n import current_language
from app.models import User
from app.routing import add_alias, safe_next

PENDING_KEY = "pending_2fa"  # the pending two-step sign-in: its user and id; its state is server-side (throttle)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def landing(user) -> str:
    """Where a person's work is: the department's workspace for staff and admins, the account (with
    what to do next) for everyone else."""
    return url_for("workspace.home") if user.is_staff else url_for("main.account")


@auth_bp.route("/dang-ky", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.account"))
    form = forms.RegisterForm()
    if form.validate_on_submit():
        with attempt(form):
            services.register_user(
                form.email.data,
                form.full_name.data,
                form.password.data,
                form.consent.data,
                current_language(),
                form.role.data,
            )
            return render_template("auth/check_email.html", email=services.normalize_email(form.email.data))
    return render_template("auth/register.html", form=form)


@auth_bp.get("/xac-minh-email/<token>")
@writes
def verify_email(token: str):
    user = services.verify_email(token)
    if user is None:
        flash(_("This confirmation link is invalid or has expired. Sign in to receive a new one."), "error")
        return redirect(url_for("auth.login"))
    flash(_("Your e-mail address is confirmed. You can sign in now."), "success")
    return redirect(url_for("auth.login"))


@auth_bp.route("/xac-minh-email/gui-lai", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def resend_verification():
    form = forms.EmailForm()
    if form.validate_on_submit():
        user = services.get_user_by_email(form.email.data)
        if user and user.is_active and user.email_verified_at is None:
            services.send_verification(user)
        return render_template("auth/check_email.html", email=services.normalize_email(form.email.data))
    return render_template("auth/resend.html", form=form)


@auth_bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), landing(current_user)))
    form = forms.LoginForm()
    if form.validate_on_submit():
        who = services.normalize_email(form.email.data)
        sign_in = throttle.SignIn(who, devices.presented(who))  # a device cookie for it, or this address
        wait = sign_in.wait_seconds()
        if wait:  # the same for every address, with an account or not
            flash(_("Too many wrong passwords for this address: try again in %(n)s seconds.", n=wait), "error")
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            sign_in.failed()
            flash(_("The e-mail address or the password is not right."), "error")
            return render_template("auth/login.html", form=form)
        sign_in.succeeded()
        if user.email_verified_at is None:
            flash(_("Please confirm your e-mail address first: follow the link we sent you."), "error")
            return redirect(url_for("auth.resend_verification"))
        if user.needs_two_factor or user.has_two_factor:
            next_url = safe_next(request.args.get("next"), "")
            session[PENDING_KEY] = {"uid": user.id, "id": throttle.start_pending(), "next": next_url}
            return redirect(url_for("auth.two_factor" if user.has_two_factor else "auth.two_factor_setup"))
        complete_sign_in(user)
        return redirect(safe_next(request.args.get("next"), landing(user)))
    return render_template("auth/login.html", form=form)


def _pending_user():
    """The user of the session's pending two-step sign-in while the server still holds it (not
    expired, completed or ended by wrong codes: an older copy of the cookie does not bring it back)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not throttle.pending_alive(pending.get("id")):
        session.pop(PENDING_KEY, None)
        return None, None
    user = db.session.get(User, pending["uid"])
    return (user, pending) if user is not None and user.is_active else (None, None)


def _finish_pending(user, pending):
    throttle.end_pending(pending["id"])  # it works once
    complete_sign_in(user)  # clears the session, so the pending state goes too
    return redirect(pending.get("next") or landing(user))


@auth_bp.route("/dang-nhap/ma-xac-thuc", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def two_factor():
    user, pending = _pending_user()
    if user is None or not user.has_two_factor:
        return redirect(url_for("auth.login"))
    form = forms.CodeForm()
    if form.validate_on_submit():
        who = str(user.id)
        wait = throttle.wait_seconds("totp", who)
        if wait:
            form.code.errors = [_("Too many wrong codes: try again in %(n)s seconds.", n=wait)]
            return render_template("auth/two_factor.html", form=form), 429
        tries = throttle.pending_tried(pending["id"])  # counted first: no burst checks more codes
        if tries <= throttle.TOTP_FAILURES and services.check_totp(user, form.code.data):
            throttle.succeeded("totp", who)
            return _finish_pending(user, pending)
        if tries <= throttle.TOTP_FAILURES:
            throttle.failed("totp", who)
        if tries >= throttle.TOTP_FAILURES:
            throttle.end_pending(pending["id"])
            session.pop(PENDING_KEY, None)  # the password is asked again
            flash(_("Too many wrong codes: sign in again."), "error")
            return redirect(url_for("auth.login"))
        form.code.errors = [
            _("This code was just used. Wait for the next code in your app (a new one comes every 30 seconds).")
            if services.totp_code_was_used(user, form.code.data)
            else _("That code is not right. Check the time on your phone and try the newest code.")
        ]
    return render_template("auth/two_factor.html", form=form)


@auth_bp.route("/dang-nhap/thiet-lap-xac-thuc", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def two_factor_setup():
    """Enrolment of an authenticator app, required before staff and admins can sign in."""
    user, pending = _pending_user()
    if user is None and current_user.is_authenticated:
        user, pending = current_user, None
    if user is None:
        return redirect(url_for("auth.login"))
    if user.has_two_factor:
        return redirect(url_for("main.account"))
    secret = session.get("totp_enrol") or totp.new_secret()
    session["totp_enrol"] = secret
    form = forms.CodeForm()
    if form.validate_on_submit():
        with attempt(form):
            services.enable_totp(user, secret, form.code.data)
            session.pop("totp_enrol", None)
            if pending:
                return _finish_pending(user, pending)
            flash(_("Two-step sign-in is on."), "success")
            return redirect(url_for("main.account"))
    uri = totp.provisioning_uri(secret, user.email)
    return render_template(
        "auth/two_factor_setup.html", form=form, secret=secret, qr=totp.qr_svg(uri), required=user.needs_two_factor
    )


@auth_bp.post("/dang-xuat")
def logout():
    sign_out()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))


@auth_bp.route("/quen-mat-khau", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def forgot_password():
    form = forms.EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/check_email.html", email=services.normalize_email(form.email.data), reset=True)
    return render_template("auth/forgot.html", form=form)


@auth_bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid, has expired or was already used. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = forms.NewPasswordForm()
    if form.validate_on_submit():
        with attempt(form):
            services.set_password(user, form.password.data)
            sign_out()
            flash(_("Your password is changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@auth_bp.get("/tai-khoan/du-lieu.json")
@login_required
def download_data():
    data = lifecycle.export_user_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": "attachment; filename=my-data.json"}
    )


@auth_bp.route("/tai-khoan/dong", methods=["GET", "POST"])
@login_required
def close_account():
    form = forms.CloseAccountForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.email, form.password.data) is None:
            form.password.errors = [_("The password is not right.")]
        else:
            lifecycle.close_account(current_user)
            sign_out()
            flash(_("Your account is closed and your personal data removed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/close.html", form=form)


add_alias(auth_bp, "/register", "auth.register")
add_alias(auth_bp, "/login", "auth.login")
