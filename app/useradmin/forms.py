"""Forms of the user-management pages (labels only; the rules are in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from app.labels import ROLES


class NewStaffForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off"},
    )
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    role = RadioField(
        _l("Role"),
        choices=[("staff", ROLES["staff"]), ("admin", ROLES["admin"])],
        default="staff",
        validators=[DataRequired(_l("Choose staff or administrator."))],
    )
    locale = SelectField(_l("Language of the e-mails"), choices=[("vi", "Tiếng Việt"), ("en", "English")], default="vi")


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=list(ROLES.items()))
