"""The figures of `make bench`'s table, as each benchmark script writes them with `--json FILE`."""

from __future__ import annotations

import json
from pathlib import Path


def row(figure: str, what: str, measured: float, op: str, budget: float, engine: str, size: int, detail: str) -> dict:
    """One figure against its budget (op: ">=" or "<=")."""
    passed = measured >= budget if op == ">=" else measured <= budget
    return {
        "figure": figure,
        "what": what,
        "measured": round(measured, 3),
        "budget": f"{op} {budget:g}",
        "pass": passed,
        "engine": engine,
        "size": size,
        "detail": detail,
    }


def write(path: str | None, rows: list[dict]) -> None:
    if path:
        Path(path).write_text(json.dumps(rows, indent=2))


def read(path: Path) -> list[dict]:
    text = path.read_text() if path.exists() else ""
    return json.loads(text) if text.strip() else []
