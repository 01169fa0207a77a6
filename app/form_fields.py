"""Form fields the site's forms share: a day typed as the province writes it.

A browser's own date picker shows mm/dd/yyyy in an English browser while the site writes dd/mm/yyyy;
a `DayField` is a text field that takes dd/mm/yyyy (and yyyy-mm-dd, what a date picker or an older
bookmark sends), shows the day as dd/mm/yyyy, keeps what was typed when it is refused and says which
part is wrong (app/dates.py)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from app.dates import typed_day, typed_day_problem

UNREADABLE = _l("Give the date as dd/mm/yyyy, for example 31/12/2025.")


class DayField(StringField):
    """A day written dd/mm/yyyy; ``data`` is a date (None when blank or refused)."""

    def __init__(self, *args, **kwargs):
        render_kw = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", "maxlength": 20}
        kwargs["render_kw"] = {**render_kw, **(kwargs.get("render_kw") or {})}
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]  # what was typed, also when it was refused
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = typed_day(text)
        except ValueError:
            self.data = None
            raise ValueError(typed_day_problem(text) or str(UNREADABLE)) from None
