"""The solution categories a digital-technology provider may declare (surveys/categories.yaml)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from flask import current_app


def solution_categories() -> dict[str, dict]:
    """Code -> {"vi": …, "en": …}, read once per file."""
    folder = Path(current_app.config["SURVEYS_DIR"] or Path(current_app.root_path).parent / "surveys")
    return _read_categories(str(folder / "categories.yaml"))


@functools.cache
def _read_categories(path: str) -> dict[str, dict]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["categories"]


def category_names(codes) -> list[str]:
    """The Vietnamese and English names of the given categories: what search reads of them."""
    names = solution_categories()
    return [name for code in sorted(codes) if code in names for name in (names[code]["vi"], names[code]["en"])]
