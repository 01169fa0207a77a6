"""The packages form layers: no package imports one that imports it back (directly or round a
cycle), and no import hides inside a function to dodge one. The composition root (app/web.py, which
wires every feature) and the CLI's command list are the only modules that import everything."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
ROOTS = {"web", "cli"}  # they import every feature package by design


def _imports(path: Path) -> list[tuple[str, ast.stmt, bool]]:
    """(imported module, statement, at the top level of the module?) of every `app.…` import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    guarded = {  # `if TYPE_CHECKING:` imports are for annotations only
        id(inner) for node in tree.body if isinstance(node, ast.If) for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"app.{a.name}" for a in node.names] if node.module == "app" else [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("app.") and id(node) not in guarded:
                found.append((name, node, id(node) in top))
    return found


def _package(path: Path) -> str:
    return path.relative_to(APP).parts[0].removesuffix(".py")


def test_no_import_hides_inside_a_function():
    """Except the factory's import of the composition root: every module imports the `app` package."""
    hidden = [
        f"{path.relative_to(APP)}:{node.lineno} {name}"
        for path in APP.rglob("*.py")
        for name, node, at_top in _imports(path)
        if not at_top and (path.relative_to(APP).as_posix(), name) != ("__init__.py", "app.web")
    ]
    assert hidden == []


def test_the_packages_import_each_other_in_one_direction():
    edges: dict[str, set[str]] = defaultdict(set)
    for path in APP.rglob("*.py"):
        source = _package(path)
        if source in ROOTS or path.parent == APP and path.name == "__init__.py":
            continue
        for name, _node, _top in _imports(path):
            target = name.split(".")[1]
            if target != source:
                edges[source].add(target)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        return False

    both_ways = sorted(f"{a} -> {b} -> … -> {a}" for a in edges for b in edges[a] if reaches(b, a))
    assert both_ways == []


def test_no_day_is_read_from_the_servers_clock():
    """Days are the province's (app.i18n.local_today, models.base.today_local; tests.factories.
    province_today): the server's date.today() is yesterday there from 17:00 UTC on."""
    roots = (APP, APP.parent / "tests")
    found = [
        f"{path.relative_to(APP.parent)}:{n}"
        for root in roots
        for path in root.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ("date.today()" in line or "datetime.today()" in line)
        and "found = [" not in line
        and path.name != "test_layers.py"
    ]
    assert found == []
