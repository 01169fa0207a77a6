"""Forms of the department's workspace. The rules they feed live in app/registry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.directory.forms import EditForm
from app.form_fields import DayField
from app.imports.kinds import Kind
from app.imports.mapping import FileColumn, Problems, guide_of, needed_message
from app.imports.sources import SOURCE_OF_ANOTHER_KIND
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
    status_since = DayField(
        _l("Day the new status took effect"),
        validators=[Optional()],
        description=_l("The day the firm was suspended, dissolved or resumed business. Blank: today."),
    )
    resumes_on = DayField(
        _l("Day a suspension ends"),
        validators=[Optional()],
        description=_l("As declared to the registration office; the firm counts as active again from that day."),
    )
    effective_on = DayField(
        _l("The other corrections take effect from"),
        validators=[Optional()],
        description=_l(
            "Blank: today, and every figure for an earlier day stays as it was. Give an earlier day only "
            "when the corrected fact was already true then (a commune, line of business, legal form, size "
            "figure or label); the history shows the day."
        ),
    )
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


class MappingForm(FlaskForm):
    """Which field of its kind's template each column of an uploaded file holds: a select per column,
    labelled by the column's header, offering the kind's fields by what its guide says they hold, built
    for the file (`for_columns`). The rule (required fields, each field once) is app/imports/mapping.py
    `problems`, shown here by `show`."""

    @classmethod
    def for_columns(cls, columns: list[FileColumn], chosen: dict[int, str | None], kind: Kind, source_name: str = ""):
        choices = [("", _l("Ignore this column"))] + [
            (field, _l("%(holds)s (required)", holds=c.holds) if c.required else c.holds)
            for field, c in guide_of(kind).items()
        ]
        fields = {
            f"column_{c.index}": SelectField(
                c.header or _l("Column %(letter)s, without a header", letter=c.letter),
                choices=choices,
                default=chosen.get(c.index) or "",
            )
            for c in columns
        }
        fields["source_name"] = StringField(
            _l("Save these choices for the source"),
            validators=[Optional(), Length(max=100)],
            default=source_name,
            description=_l(
                "Where the file comes from, e.g. Phòng Đăng ký kinh doanh or Sở Nông nghiệp — OCOP. The next "
                "file with the same headers is read the same way. Leave it blank to use the choices for this "
                "file only."
            ),
        )
        return type("FileMappingForm", (cls,), fields)()

    def chosen(self, columns: list[FileColumn]) -> dict[int, str | None]:
        return {c.index: self[f"column_{c.index}"].data or None for c in columns}

    def show(self, found: Problems, columns: list[FileColumn], kind: Kind, name_taken: bool = False) -> None:
        """Each problem beside the columns it concerns; a required field no column holds, at the top; a
        source's name that another kind's source has, beside the name."""
        self.form_errors.extend(needed_message(need, kind) for need in found.missing)
        if name_taken:
            self.source_name.errors = [*self.source_name.errors, SOURCE_OF_ANOTHER_KIND]
        header = {c.index: c.header or c.letter for c in columns}
        for index, others in found.twice.items():
            field = self[f"column_{index}"]
            field.errors = [
                *field.errors,
                _l(
                    "The same field is chosen for %(others)s: choose it for one column only.",
                    others=", ".join(f"“{header[o]}”" for o in others),
                ),
            ]
