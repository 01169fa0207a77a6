"""Every day a form asks for is typed dd/mm/yyyy (app/form_fields.DayField), never a browser picker
that shows mm/dd/yyyy: shown as dd/mm/yyyy, read in either order of writing, and a refused one is
kept as typed with what is wrong with it."""

from __future__ import annotations

from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import Optional

from app.form_fields import DayField
from app.targets.services import TargetError, parse_as_of


class _Form(FlaskForm):
    class Meta:
        csrf = False

    day = DayField("Day", validators=[Optional()])


def test_a_day_is_typed_and_shown_dd_mm_yyyy(app):
    with app.test_request_context():
        shown = _Form(data={"day": date(2025, 6, 1)})
        assert 'value="01/06/2025"' in shown.day() and 'type="text"' in shown.day()
        for typed in ("01/06/2025", "2025-06-01", " 1/6/2025 "):
            form = _Form(formdata=MultiDict({"day": typed}))
            assert form.validate() and form.day.data == date(2025, 6, 1), typed
        blank = _Form(formdata=MultiDict({"day": ""}))
        assert blank.validate() and blank.day.data is None


def test_a_day_that_does_not_exist_is_kept_and_said_wrong(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for typed, said in (("31/02/2025", "has 28 days"), ("12/31/2025", "no month 31"), ("soon", "dd/mm/yyyy")):
            form = _Form(formdata=MultiDict({"day": typed}))
            assert not form.validate()
            assert said in " ".join(form.day.errors) and f'value="{typed}"' in form.day(), typed


def test_the_staff_list_of_assessments_filters_by_days_typed_dd_mm_yyyy(client, app):
    from tests.test_records import _staff

    _staff(client, app)
    page = client.get("/danh-gia/quan-ly?from=01/01/2025&to=31/12/2025").get_data(as_text=True)
    assert 'value="01/01/2025"' in page and 'value="31/12/2025"' in page and 'type="date"' not in page


def test_a_reported_value_s_day_says_which_part_is_wrong(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(TargetError, match="02/2025 has 28 days"):
            parse_as_of("31/02/2025", date(2026, 1, 1))
