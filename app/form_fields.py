"""Form fields the site's forms share: a day typed as the province writes it, a commune typed by its
name, current or former, and a line of business by its VSIC code or words of its name.

A browser's own date picker shows mm/dd/yyyy in an English browser while the site writes dd/mm/yyyy;
a `DayField` is a text field that takes dd/mm/yyyy (and yyyy-mm-dd, what a date picker or an older
bookmark sends), shows the day as dd/mm/yyyy, keeps what was typed when it is refused and says which
part is wrong (app/dates.py). A `CommuneField` is a text field with a list of the communes (the
browser's own `datalist`, which needs no JavaScript): the current ones, and the former ones with what
each became on 1 July 2025, so that a person who knows only the old name finds the new one; what was
typed is read by app/reference/communes.read_typed. A `VsicField` lists the VSIC divisions the same
way, each code with its name, so that typing words of a trade finds its code."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import StringField
from wtforms.widgets import TextInput

from app.dates import typed_day, typed_day_problem
from app.domain import sectors
from app.extensions import db
from app.i18n import localized
from app.models import LegacyCommune
from app.reference.services import communes_in_order, region_communes

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


class _CommuneInput(TextInput):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("list", f"{field.id}-list")
        kwargs.setdefault("autocomplete", "off")
        options = [Markup('<option value="{}">').format(name) for name in field.current_names()]
        for former, now in field.former_names():
            options.append(Markup('<option value="{}" label="{}">').format(former, _("now %(names)s", names=now)))
        listed = Markup('<datalist id="{}-list">').format(field.id) + Markup("").join(options) + Markup("</datalist>")
        return super().__call__(field, **kwargs) + listed


class CommuneField(StringField):
    """A commune of the region by its name (or code); ``data`` is what was typed, or the code the
    form was filled with (shown as the commune's name)."""

    widget = _CommuneInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data and str(self.data).isdigit():
            return next((c.name for c in communes_in_order() if c.code == self.data), str(self.data))
        return self.data or ""

    def current_names(self) -> list[str]:
        return [c.name for c in communes_in_order()]

    def former_names(self) -> list[tuple[str, str]]:
        """(a former commune with its district, the communes it became), in the list's order."""
        became: dict[str, list[str]] = {}
        rows = db.session.scalars(
            select(LegacyCommune)
            .join(LegacyCommune.new_commune)
            .where(region_communes())
            .options(joinedload(LegacyCommune.new_commune))
            .order_by(LegacyCommune.id)
        )
        for row in rows:
            became.setdefault(f"{row.old_name} ({row.old_district})", []).append(row.new_commune.name)
        return [(former, ", ".join(now)) for former, now in became.items()]


class _VsicInput(TextInput):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("list", f"{field.id}-list")
        kwargs.setdefault("autocomplete", "off")
        options = [
            Markup('<option value="{}" label="{}">').format(code, localized(names["vi"], names["en"]))
            for code, names in sectors.divisions().items()
        ]
        listed = Markup('<datalist id="{}-list">').format(field.id) + Markup("").join(options) + Markup("</datalist>")
        return super().__call__(field, **kwargs) + listed


class VsicField(StringField):
    """A VSIC code, or words of a division's name (read by app/directory/owner.read_enterprise_form)."""

    widget = _VsicInput()
