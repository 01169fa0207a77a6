"""How indicator values read on the page: numbers through the app's locale-aware helpers."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.i18n import fmt_number, fmt_percent, localized
from app.progress.display import UNIT_LABELS, note_text
from app.targets.forms import STATUS_LABELS

KIND_LABELS = {"computed": _l("Computed from the registry"), "reported": _l("Reported by the department")}
STATUS_BADGES = {"active": "text-bg-primary", "achieved": "text-bg-success", "obsolete": "text-bg-secondary"}


def format_value(value: Decimal | None, unit: str) -> str:
    """12,5 % / 12.5% / 100 / Yes — two decimals only when the figure has them."""
    if value is None:
        return "—"
    digits = 0 if value == value.to_integral_value() else (1 if (value * 10) == (value * 10).to_integral_value() else 2)
    if unit in ("percent", "percent_grdp"):
        return fmt_percent(float(value) / 100, digits)
    if unit == "yes_no":
        return _("Yes") if value else _("No")
    return fmt_number(float(value), digits)


def template_helpers() -> dict:
    return {
        "indicator_value": format_value,
        "indicator_name": lambda i: localized(i.name_vi, i.name_en),
        "target_reading": lambda t: localized(t.reading_vi, t.reading_en),
        "indicator_source": lambda i: note_text(i.source),
        "status_labels": STATUS_LABELS,
        "status_badges": STATUS_BADGES,
        "kind_labels": KIND_LABELS,
        "unit_labels": UNIT_LABELS,
    }
