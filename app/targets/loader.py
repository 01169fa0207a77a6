"""Read the targets file (YAML) and bring the database in line with it.

The rule, so that `make run` can run it every time: indicators and targets missing from the
database are inserted; those already there are kept as they are (the department may have edited
them in the workspace) unless ``replace`` is set, and then they are overwritten from the file.
Nothing is deleted, and reported values are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from app import audit, rules
from app import indicator_settings as settings
from app.extensions import db
from app.models import Indicator, Target
from app.models.values import IndicatorKind, TargetStatus
from app.progress import about
from app.targets.services import UNITS, indicator_snapshot, target_snapshot
from app.text import normalize

INDICATOR_FIELDS = ("name_vi", "name_en", "kind", "metric", "unit", "source", "about", "position")
TARGET_FIELDS = ("value", "reading_vi", "reading_en", "status", "status_note")


class TargetFileError(ValueError):
    """The targets file cannot be used; the message says where and why."""


@dataclass
class LoadSummary:
    indicators_added: int = 0
    targets_added: int = 0
    replaced: int = 0
    filled: int = 0  # indicators whose metadata the database did not have yet (Indicator.about)
    kept: int = 0

    @property
    def changed(self) -> int:
        return self.indicators_added + self.targets_added + self.replaced + self.filled


def default_path() -> Path:
    return rules.rules_dir() / "targets.yaml"


def _read(path: Path) -> dict:
    """The file, checked against its schema (rules/schemas/targets.schema.json); the values the
    application defines (kinds, units, statuses, settings) are checked below."""
    try:
        data = rules.read(path)
    except rules.RuleFileError as e:
        raise TargetFileError(str(e)) from None
    found = rules.problems("targets", data, str(path))
    if found:
        raise TargetFileError("; ".join(found[:5]))
    return data


def read_targets_file(path: Path | str | None = None) -> list[dict]:
    """The indicators of the file, each with its targets, checked and normalised."""
    path = Path(path) if path else default_path()
    data = _read(path)
    seen: set[str] = set()
    return [_indicator(path, position, item, seen) for position, item in enumerate(data["indicators"], start=1)]


def read_settings(path: Path | str | None = None) -> dict[str, dict]:
    """The `settings` block of the file: each indicator setting with its value and reading, checked."""
    path = Path(path) if path else default_path()
    block = _read(path).get("settings") or {}
    if not isinstance(block, dict) or not all(isinstance(v, dict) for v in block.values()):
        raise TargetFileError(f"{path}: 'settings' must map each setting to its value and reading.")
    for key, item in block.items():
        try:
            settings.parse(key, item.get("value")) if key in settings.SPECS else None
        except settings.SettingError as e:
            raise TargetFileError(f"{path}: setting {key}: {e.message}") from None
        if key not in settings.SPECS:
            raise TargetFileError(f"{path}: unknown setting {key!r}; known: {', '.join(settings.SPECS)}.")
    return block


def _indicator(path: Path, position: int, item, seen: set[str]) -> dict:
    where = f"{path}: indicator {position}"
    if not isinstance(item, dict):
        raise TargetFileError(f"{where}: expected a mapping.")
    code = normalize(str(item.get("code") or ""))
    if not code or len(code) > 40 or code in seen:
        raise TargetFileError(f"{where}: 'code' is missing, longer than 40 characters or repeated ({code!r}).")
    seen.add(code)
    where = f"{path}: indicator {code}"
    for key in ("name_vi", "name_en"):
        if not normalize(item.get(key)):
            raise TargetFileError(f"{where}: '{key}' is missing.")
    if not IndicatorKind.has(item.get("kind")):
        raise TargetFileError(f"{where}: 'kind' must be one of {', '.join(IndicatorKind)}.")
    if item.get("unit") not in UNITS:
        raise TargetFileError(f"{where}: 'unit' must be one of {', '.join(UNITS)}.")
    if item["kind"] == "computed" and not item.get("metric"):
        raise TargetFileError(f"{where}: a computed indicator names its 'metric'.")
    if (wrong := about.problem(item.get("about"))) is not None:
        raise TargetFileError(f"{where}: {wrong}.")
    years: set[int] = set()
    targets = [_target(where, item["unit"], t, years) for t in item.get("targets") or []]
    return {
        "code": code,
        "name_vi": normalize(item["name_vi"]),
        "name_en": normalize(item["name_en"]),
        "kind": item["kind"],
        "metric": normalize(item.get("metric")) or None,
        "unit": item["unit"],
        "source": normalize(item.get("source")) or None,
        "about": _about(item.get("about")),
        "position": position,
        "targets": targets,
    }


def _about(given: dict | None) -> dict | None:
    """The metadata block, texts normalised, empty values left out (None when nothing is given)."""
    found = {key: normalize(str(value)) for key, value in (given or {}).items() if value not in (None, "")}
    return found or None


def _target(where: str, unit: str, item, years: set[int]) -> dict:
    if not isinstance(item, dict) or not isinstance(item.get("year"), int) or item["year"] in years:
        raise TargetFileError(f"{where}: each target needs a 'year' (a number, once per indicator).")
    years.add(item["year"])
    where = f"{where}, {item['year']}"
    value = item.get("value")
    if value is not None:
        try:
            value = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise TargetFileError(f"{where}: 'value' must be a number or empty.") from None
        if value < 0 or (unit in ("percent", "percent_grdp") and value > 100):
            raise TargetFileError(f"{where}: 'value' is out of range for the unit {unit}.")
    status = item.get("status", "active")
    if not TargetStatus.has(status):
        raise TargetFileError(f"{where}: 'status' must be one of {', '.join(TargetStatus)}.")
    return {
        "year": item["year"],
        "value": value,
        "reading_vi": normalize(item.get("reading_vi")) or None,
        "reading_en": normalize(item.get("reading_en")) or None,
        "status": status,
        "status_note": normalize(item.get("status_note")) or None,
    }


def load_targets(
    path: Path | str | None = None, *, replace: bool = False, actor: audit.Actor = audit.CLI
) -> LoadSummary:
    """Insert what is missing (and overwrite what exists when ``replace``); flushes, the caller commits."""
    items = read_targets_file(path)
    summary = LoadSummary()
    indicators = {i.code: i for i in db.session.scalars(select(Indicator))}
    for item in items:
        fields = {k: item[k] for k in INDICATOR_FIELDS}
        indicator = indicators.get(item["code"])
        if indicator is None:
            indicator = Indicator(code=item["code"], **fields)
            db.session.add(indicator)
            db.session.flush()
            audit.record(actor, "create", "indicator", indicator.code, None, indicator_snapshot(indicator))
            summary.indicators_added += 1
        elif not replace and indicator.about is None and fields["about"] is not None:  # a new field of the file
            before = indicator_snapshot(indicator)
            indicator.about = fields["about"]
            audit.record(actor, "fill_from_file", "indicator", indicator.code, before, indicator_snapshot(indicator))
            summary.filled += 1
        elif replace and any(getattr(indicator, k) != v for k, v in fields.items()):
            before = indicator_snapshot(indicator)
            for key, value in fields.items():
                setattr(indicator, key, value)
            audit.record(actor, "replace_from_file", "indicator", indicator.code, before, indicator_snapshot(indicator))
            summary.replaced += 1
        else:
            summary.kept += 1
        _load_targets_of(indicator, item["targets"], replace, actor, summary)
    summary.replaced += settings.load_from_file(read_settings(path), replace, actor)
    db.session.flush()
    return summary


def _load_targets_of(
    indicator: Indicator, items: list[dict], replace: bool, actor: audit.Actor, summary: LoadSummary
) -> None:
    existing = {t.year: t for t in indicator.targets} if indicator.id else {}
    for item in items:
        fields = {k: item[k] for k in TARGET_FIELDS}
        target = existing.get(item["year"])
        if target is None:
            target = Target(indicator=indicator, year=item["year"], **fields)
            db.session.add(target)
            db.session.flush()
            audit.record(actor, "create", "target", target.id, None, target_snapshot(target))
            summary.targets_added += 1
        elif replace and any(getattr(target, k) != v for k, v in fields.items()):
            before = target_snapshot(target)
            for key, value in fields.items():
                setattr(target, key, value)
            target.updated_by_id = actor.user_id
            audit.record(actor, "replace_from_file", "target", target.id, before, target_snapshot(target))
            summary.replaced += 1
        else:
            summary.kept += 1
