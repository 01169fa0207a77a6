"""Load the department's rule files (YAML under RULES_DIR, default app/data/rules)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from flask import current_app, has_app_context

DEFAULT_RULES_DIR = Path(__file__).resolve().parent / "data" / "rules"


def rules_dir() -> Path:
    if has_app_context() and current_app.config.get("RULES_DIR"):
        return Path(current_app.config["RULES_DIR"])
    return DEFAULT_RULES_DIR


@functools.cache
def _read(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def codes(name: str) -> frozenset[str] | None:
    """The codes listed one per line in ``<RULES_DIR>/<name>.txt`` (``#`` starts a comment), or None
    when the department has not provided the file."""
    path = rules_dir() / f"{name}.txt"
    return _read_codes(str(path)) if path.exists() else None


@functools.cache
def _read_codes(path: str) -> frozenset[str]:
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.split("#", 1)[0].strip() for line in fh if line.split("#", 1)[0].strip())


def load(name: str) -> Any:
    """Return the parsed contents of ``<RULES_DIR>/<name>.yaml``."""
    return _read(str(rules_dir() / f"{name}.yaml"))
