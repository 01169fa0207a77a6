"""The kinds of file an import reads: the registry's records, and the facts the indicators count
beside them (certified products, listings, labels, past assessment results).

Each kind names its template's columns (a Vietnamese header and an English alias), the fields a file
must have, its column guide, and the functions of its plan, its steps and its undo. The services
(app/imports/services.py) run any kind the same way: dry run, steps, all or nothing, audit, undo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l

from app.imports import apply, plan, revert
from app.imports.guide import COLUMN_GUIDE, Column
from app.imports.kinds import engine, labels, listings, products, results, undoing
from app.imports.reading import REGISTRY_COLUMNS, Columns

REGISTRY = "registry"


@dataclass(frozen=True)
class Kind:
    key: str
    title: Any  # lazy text
    columns: Columns  # its template's columns, the fields it needs
    guide: tuple[Column, ...]
    build_plan: Callable[..., plan.Plan]  # (sheet, batch_id, resolutions, progress) → plan
    steps: Callable[[plan.Plan], Iterator[tuple[str, list]]]
    apply_step: Callable[..., None]  # (step kind, rows, watermark, batch_id, actor)
    undo_step: Callable[..., tuple[int, int | None]]  # (provenance, below, actor, as_provenance)
    take_back_step: Callable[..., int]  # (provenance, actor, as_provenance)
    changed_since_import: Callable[[str], list[str]]  # (provenance) → what refuses the undo


def _table_kind(key: str, title: Any, module: Any, date_field: str) -> Kind:
    rules = module.RULES
    headers = {field: header for header, (field, _alias) in module.COLUMNS.items()}
    guide = tuple(Column(header, alias, *module.GUIDE[header]) for header, (_f, alias) in module.COLUMNS.items())

    def build(sheet, batch_id, resolutions=None, progress=None, today=None):
        return engine.build_plan(rules, headers, sheet, progress, today)

    return Kind(
        key,
        title,
        Columns(module.COLUMNS, module.NEEDED, date_field),
        guide,
        build,
        engine.steps,
        partial(engine.apply_step, rules),
        partial(undoing.undo_step, rules),
        partial(undoing.take_back_step, rules),
        partial(undoing.changed_since_import, rules),
    )


KINDS: dict[str, Kind] = {
    REGISTRY: Kind(
        REGISTRY,
        _l("Registry of enterprises"),
        REGISTRY_COLUMNS,
        COLUMN_GUIDE,
        plan.build_plan,
        apply.steps,
        apply.apply_step,
        revert.undo_step,
        revert.take_back_step,
        revert.changed_since_import,
    ),
    "products": _table_kind(
        "products", _l("Certified products (OCOP, geographical indications, marks)"), products, "certified_on"
    ),
    "results": _table_kind("results", _l("Past assessment results"), results, "submitted_on"),
    "labels": _table_kind("labels", _l("Digital-technology and startup labels"), labels, "verified_on"),
    "listings": _table_kind("listings", _l("E-commerce listings and their checks"), listings, "checked_on"),
}


def kind_of(key: str | None) -> Kind:
    """The kind a batch or a request names (the registry's when it names none it knows)."""
    return KINDS.get(key or REGISTRY, KINDS[REGISTRY])
