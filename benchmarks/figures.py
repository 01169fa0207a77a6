"""The figures of `make bench`'s table, as each benchmark script writes them with `--json FILE`."""

from __future__ import annotations

import json
from pathlib import Path

# P11–P14 (SPEC §6, issue 24): the directory while one audited write a second is committed, the
# freshness of a write, the restart, the index's memory. (figure: (comparison, budget))
WRITE_BUDGETS = {
    "P11 p95": ("<=", 300),  # ms, at 100k and 1M, both engines
    "P11 p99": ("<=", 600),
    "P11 max": ("<=", 1500),
    "P11 ratio": (">=", 0.8),  # req/s with writes ÷ without
    "P12": ("<=", 5),  # s from a write's commit until every worker finds it
    "P13": ("<=", 5),  # s from a restart until requests are within 300 ms on every worker
    "P14": ("<=", 500),  # MB for the index per machine, at rest (the budget is for 1M)
    "P14 peak": ("<=", 1.5),  # its peak during the writes ÷ at rest
}


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


def show(rows: list[dict]) -> None:
    """The table of bench.py: figure, what, measured, budget, PASS or FAIL, engine, size, detail."""
    print(f"{'figure':9} {'what':32} {'measured':>9} {'budget':>8}  {'':4} {'engine':10} {'size':>9}  detail")
    for r in rows:
        verdict = "PASS" if r["pass"] else "FAIL"
        print(
            f"{r['figure']:9} {r['what'][:32]:32} {r['measured']:9.3f} {r['budget']:>8}  {verdict:4} "
            f"{r['engine']:10} {r['size']:9,}  {r['detail']}"
        )
