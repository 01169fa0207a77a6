"""Account forms. Labels are lazy so that they follow the visitor's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.auth.passwords import password_problem


class PasswordPolicy:
    """The password policy checked with the form's other fields, so that a refused password is shown
    in the same answer as the other mistakes rather than on a second try (the service checks again)."""

    def __call__(self, form, field) -> None:
        email = getattr(form, "email", None)
        name = getattr(form, "full_name", None)
        email, name = (email.data or "") if email else "", (name.data or "") if name else ""
        problem = password_problem(field.data or "", email=email, name=name)
        if problem:
            raise ValidationError(str(problem))


class RegisterForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Email(_l("Enter a valid e-mail address."))],
        render_kw={"autocomplete": "email"},
    )
    role = RadioField(
        _l("I am"),
        choices=[("owner", _l("a business owner or manager")), ("investor", _l("an investor"))],
        default="owner",
        validators=[DataRequired(_l("Choose the kind of account."))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), PasswordPolicy()],
        description=_l("At least 8 characters. A sentence you can remember works well."),
        render_kw={"autocomplete": "new-password"},
    )
    consent = BooleanField(
        _l(
            "I have read the privacy notice and consent to the processing of my personal data for the purposes it describes."
        ),
        validators=[DataRequired(_l("Please read the privacy notice and give your consent to continue."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("6-digit code"),
        validators=[DataRequired(_l("Enter the code from your authenticator app.")), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"},
    )


class EmailForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Email(_l("Enter a valid e-mail address."))],
        render_kw={"autocomplete": "email"},
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), PasswordPolicy()],
        description=_l("At least 8 characters. A sentence you can remember works well."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class CloseAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password, to confirm"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that closing my account cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
