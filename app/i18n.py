"""Language choice and locale-aware formatting (dates, numbers, VND) through Babel."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

LANG_COOKIE = "lang"


def select_locale() -> str:
    """Cookie first, then the browser's Accept-Language, then the default (vi)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def local_today() -> date:
    """Today in the province's time zone (BABEL_DEFAULT_TIMEZONE), whatever the server's."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]).split("_")[0]


def fmt_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy in Vietnamese; the English medium form (26 Nov 2026) in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy HH:mm" if current_language() == "vi" else "d MMM yyyy, HH:mm")
    if current_language() == "vi":  # Babel's pattern, written out: it read the pattern on every call
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return format_date(value, "d MMM yyyy")


def fmt_number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + (("." + "0" * digits) if digits else "")
    return format_decimal(value, format=pattern)


def fmt_vnd(value: int | None) -> str:
    """An amount in Vietnamese đồng, grouped per locale (1.234.567 ₫ / ₫1,234,567)."""
    if value is None:
        return ""
    return format_currency(value, "VND")


def fmt_percent(value: float | None, digits: int = 0) -> str:
    """A share as a percentage, one way in both languages: 47,5% in Vietnamese, 47.5% in English
    (no space, as Vietnamese official documents write it)."""
    if value is None:
        return ""
    return fmt_number(value * 100, digits) + "%"


def localized(vi: str | None, en: str | None) -> str:
    """Pick the Vietnamese or English variant of a data field."""
    return (en or vi or "") if current_language() == "en" else (vi or en or "")


def _template_gettext(translations) -> dict:
    """`_()`/`gettext` and `ngettext` for one rendering, bound to its catalogue: Flask-Babel's own
    look the catalogue up again on every call (a fifth of a profile page's time went there). Same
    behaviour as Jinja's new-style gettext: marked safe under autoescape, always %-formatted."""

    @pass_context
    def gettext(context, string: str, **variables):
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context, singular: str, plural: str, num: int, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(fmt_date=fmt_date, fmt_number=fmt_number, fmt_vnd=fmt_vnd, fmt_percent=fmt_percent)
    app.jinja_env.globals.update(current_language=current_language, localized=localized)
    app.context_processor(lambda: _template_gettext(get_translations()))
