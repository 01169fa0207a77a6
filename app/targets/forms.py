"""Forms for reported values and targets: fields and labels only; the rules are in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

STATUS_LABELS = {"active": _l("In force"), "achieved": _l("Achieved"), "obsolete": _l("Obsolete")}


class IndicatorValueForm(FlaskForm):
    value = StringField(_l("Value"), render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 40})
    as_of = StringField(
        _l("As of"),
        description=_l("The date the figure describes, dd/mm/yyyy."),
        render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", "maxlength": 20},
    )
    source_document = StringField(
        _l("Source document"),
        render_kw={"maxlength": 300},
        description=_l("The report or decision the figure comes from: its number, date or title."),
    )
    note = TextAreaField(_l("Note (optional)"), render_kw={"rows": 2, "maxlength": 2000})


class TargetForm(FlaskForm):
    value = StringField(
        _l("Target value"),
        description=_l("Leave empty for a qualitative target."),
        render_kw={"inputmode": "decimal", "maxlength": 40},
    )
    reading_vi = TextAreaField(_l("How the value was read (Vietnamese)"), render_kw={"rows": 3, "maxlength": 2000})
    reading_en = TextAreaField(_l("How the value was read (English)"), render_kw={"rows": 3, "maxlength": 2000})
    status = SelectField(_l("Status"), choices=list(STATUS_LABELS.items()), validate_choice=False)
    status_note = TextAreaField(
        _l("Note on the status"),
        render_kw={"rows": 2, "maxlength": 2000},
        description=_l("Required when the target is obsolete: say why."),
    )


class SettingForm(FlaskForm):
    value = StringField(_l("Value"), render_kw={"autocomplete": "off", "maxlength": 40})
    reading_vi = TextAreaField(_l("How the department reads it (Vietnamese)"), render_kw={"rows": 3, "maxlength": 2000})
    reading_en = TextAreaField(_l("How the department reads it (English)"), render_kw={"rows": 3, "maxlength": 2000})
