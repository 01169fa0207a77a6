"""Forms of the department's workspace. The rules they feed live in app/registry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.directory.forms import EditForm
from app.labels import STATUSES


class StaffEditForm(EditForm):
    """Everything about a record, corrected by the department at once (it is the reviewer)."""

    status = SelectField(_l("Legal status"), choices=list(STATUSES.items()))
    is_digital_tech = BooleanField(_l("Digital-technology enterprise"))
    digital_tech_basis = TextAreaField(
        _l("Basis of the digital-technology label"),
        validators=[Optional(), Length(max=1000)],
        description=_l("For example: main VSIC 6201 (software); revenue from software above half."),
    )
    is_startup = BooleanField(_l("Innovative startup"))
    startup_basis = TextAreaField(_l("Basis of the startup label"), validators=[Optional(), Length(max=1000)])
    note = StringField(
        _l("Source of the correction"),
        validators=[Optional(), Length(max=90)],
        description=_l("Kept in the history, e.g. the document or the call that the correction comes from."),
    )


class WithdrawForm(FlaskForm):
    reason = StringField(
        _l("Why take it out of the directory?"),
        validators=[DataRequired(_l("Give a reason: it stays in the record's history.")), Length(max=90)],
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is it not approved?"),
        validators=[DataRequired(_l("Give a reason: it is sent to the person who asked.")), Length(max=1000)],
        description=_l("Sent with the decision. Say what is missing or wrong, and what they can do about it."),
        render_kw={"rows": 4, "maxlength": 1000},
    )
