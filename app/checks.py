"""`flask check`: every data file the site reads, checked before a deployment.

The survey instruments (their schema and rules, `app/assessment/check.py`), the department's rule
files (each against its JSON Schema in `app/data/rules/schemas/`, then the values the application
defines) and the targets file. Each problem names its file and place.
"""

from __future__ import annotations

import re
from pathlib import Path

from app import rules
from app.assessment import check as surveys
from app.domain.sectors import AGRI_INDUSTRY, TRADE_SERVICES
from app.domain.size import SME_TIERS
from app.targets.loader import TargetFileError, read_settings, read_targets_file


def _values(name: str, data: dict, path: str) -> list[str]:
    """What a schema cannot say: the values must be the application's own, the patterns must compile."""
    found = []
    if name == "size_tiers":
        found += [
            f"{path}: tiers: {t['tier']!r} is not one of {', '.join(SME_TIERS)}"
            for t in data["tiers"]
            if t["tier"] not in SME_TIERS
        ]
    elif name == "vsic":
        for letter, section in data["sections"].items():
            if section["group"] not in (AGRI_INDUSTRY, TRADE_SERVICES):
                found.append(f"{path}: sections/{letter}/group: {section['group']!r} is not a sector group")
            found += [
                f"{path}: sections/{letter}/divisions: {low}–{high} is not a range"
                for low, high in section["divisions"]
                if low > high
            ]
    elif name == "platforms":
        codes = [p["code"] for p in data["platforms"]]
        found += [
            f"{path}: platforms: the code {c!r} is repeated" for c in sorted({c for c in codes if codes.count(c) > 1})
        ]
        for platform in data["platforms"]:
            try:
                re.compile(platform.get("product_pattern") or "")
            except re.error as e:
                found.append(f"{path}: platforms/{platform['code']}/product_pattern: {e}")
    return found


def rule_file_problems() -> list[str]:
    """Every problem of the rule files in RULES_DIR (targets.yaml included)."""
    found = []
    for name in rules.schema_names():
        path = rules.rules_dir() / f"{name}.yaml"
        try:
            if name == "targets":
                read_targets_file(path)
                read_settings(path)
                continue
            data = rules.read(path)
        except (rules.RuleFileError, TargetFileError) as e:
            found.append(str(e))
            continue
        schema_problems = rules.problems(name, data, str(path))
        found += schema_problems or _values(name, data, str(path))
    return found


def survey_problems(folder: Path) -> tuple[int, list[str]]:
    paths = surveys.instrument_files(folder)
    return len(paths), [str(p) for path in paths for p in surveys.check_file(path, folder)]
