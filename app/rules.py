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


def load(name: str) -> Any:
    """Return the parsed contents of ``<RULES_DIR>/<name>.yaml``."""
    return _read(str(rules_dir() / f"{name}.yaml"))
