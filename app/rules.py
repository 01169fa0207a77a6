"""Load the department's rule files (YAML under RULES_DIR, default app/data/rules).

Each `<name>.yaml` has a JSON Schema in `app/data/rules/schemas/<name>.schema.json`; a file is read
and checked against it once per process, on first use, and a file that does not fit is refused with
the place and the reason (`RuleFileError`). `flask check` checks every file, and what the schemas
cannot say (the values the application defines), before a deployment.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from flask import current_app, has_app_context

DEFAULT_RULES_DIR = Path(__file__).resolve().parent / "data" / "rules"
SCHEMAS_DIR = DEFAULT_RULES_DIR / "schemas"


class RuleFileError(ValueError):
    """A rule file that cannot be read or does not fit its schema: the message names file and place."""


def schema_names() -> list[str]:
    """The rule files that have a schema: every YAML rule file."""
    return sorted(p.name.removesuffix(".schema.json") for p in SCHEMAS_DIR.glob("*.schema.json"))


@functools.cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    with open(SCHEMAS_DIR / f"{name}.schema.json", encoding="utf-8") as fh:
        return jsonschema.Draft202012Validator(json.load(fh))


def problems(name: str, data: Any, path: str) -> list[str]:
    """What in a rule file's contents does not fit its schema, each with its place in the file."""
    found = sorted(_validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{path}: {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in found]


def rules_dir() -> Path:
    if has_app_context() and current_app.config.get("RULES_DIR"):
        return Path(current_app.config["RULES_DIR"])
    return DEFAULT_RULES_DIR


def read(path: Path) -> Any:
    """The parsed contents of a YAML file (RuleFileError when it cannot be read)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as e:
        raise RuleFileError(f"{path}: cannot read the file ({e}).") from None


@functools.cache
def _read(name: str, path: str) -> Any:
    data = read(Path(path))
    found = problems(name, data, path)
    if found:
        raise RuleFileError("; ".join(found[:5]))
    return data


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
    """Return the parsed contents of ``<RULES_DIR>/<name>.yaml``, checked against its schema."""
    return _read(name, _path(str(rules_dir()), name))


@functools.lru_cache(maxsize=256)
def _path(folder: str, name: str) -> str:
    """The file's path as text (an import asks for the size rules twice a row: no Path built each time)."""
    return str(Path(folder) / f"{name}.yaml")
