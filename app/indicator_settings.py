"""The settings of the indicators' rules: declared here once, stored with their reading, edited by admins.

Each setting has a type, bounds and a default; its value and its reading (how the department reads
the plan) live in the `settings` block of targets.yaml, are loaded into `indicator_setting`, and
every admin change is an audit event. The indicator functions take a ``Settings`` value, so a
change shows at once in the definitions beside every figure and in the snapshot key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.cache import reference_value
from app.errors import ServiceError
from app.extensions import db
from app.models import IndicatorSetting
from app.text import fold, normalize


class SettingError(ServiceError):
    """A refused progress setting, with the form field it concerns."""


@dataclass(frozen=True)
class Spec:
    key: str
    kind: str  # int, decimal, date, choice, bool
    default: Any
    label: object
    low: Any = None
    high: Any = None
    choices: tuple[tuple[str, object], ...] = ()

    def shown(self, value: Any) -> str:
        """A value as a page shows it: a choice's or a yes/no's words, else its text."""
        text = _text(value)
        return str(dict(self.choices).get(text, text))


YES_NO = (("true", _l("yes")), ("false", _l("no")))
_TRUE = {"true", "1", "yes", "co", "bat", "on"}  # folded: có, bật
_FALSE = {"false", "0", "no", "khong", "tat", "off"}  # không, tắt

T6_READINGS = (
    ("all_active", _l("every active enterprise with a verified label")),
    ("since_plan_start", _l("only those founded or labelled since the plan began")),
)

SPECS: dict[str, Spec] = {
    s.key: s
    for s in (
        Spec(
            "t5_threshold_level",
            "int",
            1,
            _l("Lowest readiness level that counts as doing digital transformation"),
            0,
            5,
        ),
        Spec("t5_validity_months", "int", 24, _l("Months an assessment stays valid"), 1, 120),
        Spec(
            "t5_counts_external",
            "bool",
            False,
            _l("Results of external instruments count toward T5"),
            choices=YES_NO,
        ),
        Spec("t4_freshness_months", "int", 12, _l("Months a listing check stays valid"), 1, 60),
        Spec("ocop_validity_months", "int", 36, _l("Months an OCOP certificate is valid"), 1, 120),
        Spec("t6_formed_reading", "choice", "all_active", _l("Which firms count as formed"), choices=T6_READINGS),
        Spec(
            "plan_start",
            "date",
            date(2023, 1, 1),
            _l("Start of the plan (base period)"),
            date(2000, 1, 1),
            date(2100, 1, 1),
        ),
        # The status thresholds (app/progress/status.py), in order: substantial > moderate > limited
        # (check_thresholds). On track is at least half the pace the target needs; moderate progress is
        # never a loss (a ratio below 0 goes backwards); limited may take in a small loss, down to -1.
        Spec(
            "status_substantial",
            "decimal",
            Decimal("0.95"),
            _l("Ratio for substantial progress"),
            Decimal("0.5"),
            Decimal(2),
        ),
        Spec("status_moderate", "decimal", Decimal("0.6"), _l("Ratio for moderate progress"), Decimal(0), Decimal(2)),
        Spec("status_limited", "decimal", Decimal("0"), _l("Ratio for limited progress"), Decimal(-1), Decimal(2)),
        Spec("suppression_minimum", "int", 5, _l("Fewest enterprises a public cell may describe"), 1, 100),
    )
}


THRESHOLDS = ("status_substantial", "status_moderate", "status_limited")  # highest first


def check_thresholds(values: dict[str, Any], changed: str) -> None:
    """Refuse status thresholds out of order (a ratio would be on track and limited at once), said of
    the one that changed: it must stay below the one above it and above the one below it."""
    for higher, lower in zip(THRESHOLDS, THRESHOLDS[1:], strict=False):
        if changed not in (higher, lower) or values[higher] > values[lower]:
            continue
        if changed == lower:
            message = _(
                "“%(label)s” must be less than “%(other)s”, which is %(value)s.",
                label=SPECS[lower].label,
                other=SPECS[higher].label,
                value=_text(values[higher]),
            )
        else:
            message = _(
                "“%(label)s” must be greater than “%(other)s”, which is %(value)s.",
                label=SPECS[higher].label,
                other=SPECS[lower].label,
                value=_text(values[lower]),
            )
        raise SettingError(message, changed)


@dataclass(frozen=True)
class Settings:
    """The values in force, typed: what every indicator function and status reads."""

    values: dict[str, Any]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None

    def plain(self) -> dict[str, Any]:
        return {k: _text(v) for k, v in sorted(self.values.items())}

    def key_for(self, keys: tuple[str, ...]) -> str:
        """A short hash of the settings a rule reads: part of a snapshot's key, so that changing one of
        them computes that indicator anew, and changing another (a status threshold) does not."""
        plain = self.plain()
        return hashlib.sha256(json.dumps({k: plain[k] for k in sorted(keys)}).encode()).hexdigest()[:16]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def parse(key: str, raw: Any) -> Any:
    """The typed value of a setting from text or YAML, or a SettingError saying what is accepted."""
    spec = SPECS[key]
    text = normalize(str(raw if raw is not None else "")).strip()
    try:
        if spec.kind == "int":
            value: Any = int(text)
        elif spec.kind == "decimal":
            value = Decimal(text.replace(",", "."))
        elif spec.kind == "date":
            value = date.fromisoformat(text) if "-" in text else _dmy(text)
        elif spec.kind == "bool":
            value = _yes_no(text)
        else:
            value = text
    except (ValueError, InvalidOperation):
        raise SettingError(_("This value is not valid for “%(label)s”.", label=spec.label), key) from None
    if spec.kind == "choice":
        if value not in dict(spec.choices):
            raise SettingError(_("Choose one of the listed readings."), key)
    elif (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise SettingError(
            _(
                "“%(label)s” must be between %(low)s and %(high)s.",
                label=spec.label,
                low=_text(spec.low),
                high=_text(spec.high),
            ),
            key,
        )
    return value


def _yes_no(text: str) -> bool:
    key = fold(text)
    if key in _TRUE or key in _FALSE:
        return key in _TRUE
    raise ValueError(text)


def _dmy(text: str) -> date:
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def current() -> Settings:
    """The settings in force: stored values over the declared defaults (a change is an audit event,
    so they are read once per registry version)."""
    return reference_value(("indicator_settings",), _read)


def _read() -> Settings:
    stored = {row.key: row.value for row in db.session.scalars(select(IndicatorSetting))}
    values = {}
    for key, spec in SPECS.items():
        try:
            values[key] = parse(key, stored[key]) if key in stored else spec.default
        except SettingError:
            values[key] = spec.default
    return Settings(values)


def defaults() -> Settings:
    return Settings({key: spec.default for key, spec in SPECS.items()})


def rows() -> list[tuple[Spec, IndicatorSetting | None]]:
    stored = {row.key: row for row in db.session.scalars(select(IndicatorSetting))}
    return [(spec, stored.get(key)) for key, spec in SPECS.items()]


def _snapshot(row: IndicatorSetting) -> dict[str, Any]:
    return {"value": row.value, "reading_vi": row.reading_vi, "reading_en": row.reading_en}


def load_from_file(items: dict[str, dict], replace: bool, actor: audit.Actor) -> int:
    """Insert the file's settings that are missing (or overwrite them when ``replace``); flushes.
    Status thresholds that end up out of order are refused like one admin's change."""
    changed = 0
    for key, item in (items or {}).items():
        if key not in SPECS:
            raise SettingError(f"unknown setting {key!r}; known: {', '.join(SPECS)}", key)
        value = _text(parse(key, item.get("value")))
        reading_vi, reading_en = normalize(item.get("reading_vi")) or None, normalize(item.get("reading_en")) or None
        row = db.session.get(IndicatorSetting, key)
        if row is None:
            row = IndicatorSetting(key=key, value=value, reading_vi=reading_vi, reading_en=reading_en)
            db.session.add(row)
            audit.record(actor, "create", "indicator_setting", key, None, _snapshot(row))
            changed += 1
        elif replace and (row.value, row.reading_vi, row.reading_en) != (value, reading_vi, reading_en):
            before = _snapshot(row)
            row.value, row.reading_vi, row.reading_en = value, reading_vi, reading_en
            audit.record(actor, "replace_from_file", "indicator_setting", key, before, _snapshot(row))
            changed += 1
    db.session.flush()
    for key in THRESHOLDS:
        if key in (items or {}):
            check_thresholds(_read().values, key)
    return changed


def change(key: str, raw_value: str, reading_vi: str, reading_en: str, actor: audit.Actor) -> bool:
    """An admin's change of one setting, with its reading, as one audit event; flushes."""
    if key not in SPECS:
        raise SettingError(_("Unknown setting."))
    try:
        parsed = parse(key, raw_value)
        if key in THRESHOLDS:
            check_thresholds({**_read().values, key: parsed}, key)
    except SettingError as error:  # said of the form's one field
        raise SettingError(error.message, "value") from None
    value = _text(parsed)
    row = db.session.get(IndicatorSetting, key) or IndicatorSetting(key=key, value=_text(SPECS[key].default))
    before = _snapshot(row) if row.updated_at else None
    row.value, row.reading_vi, row.reading_en = value, normalize(reading_vi) or None, normalize(reading_en) or None
    row.updated_by_id = actor.user_id
    db.session.add(row)
    after = _snapshot(row)
    if before == after:
        return False
    db.session.flush()
    audit.record(actor, "update", "indicator_setting", key, before, after)
    return True
