"""Imports of the facts beside the registry's records (certified products, listings, past results):
the same dry run, steps, all-or-nothing commit, audit and undo as the registry's import, for a table
whose rows a kind of file describes.

A kind (``TableRules``) says which columns its file has, how a row is checked, what identifies the
row it describes (so that a second run of the same file changes nothing), and how a row is written.
The engine does the rest: it reads the rows a thousand at a time, checks them, compares them with
the table, and writes the plan in steps, each its own short transaction, with one audit event per
row (the batch as provenance). The undo reads those events back: rows the batch created are deleted,
rows it changed restored; a row someone changed since refuses the undo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, func, insert, select, update

from app.audit import Actor
from app.audit import _plain as plain
from app.extensions import db
from app.imports import cells as cell
from app.imports.apply import StalePlan, audit_rows, chunks, write_audit
from app.imports.plan import Plan
from app.imports.reading import Sheet, UnreadableRow
from app.models import AuditEvent
from app.models.base import today_local
from app.registry import past

CHUNK = 1000  # rows checked together (one lookup of what exists)
STEP = 1000  # rows written, or audit events undone, per transaction


@dataclass
class Row:
    """One row of a file: the values read, the failures (column header, reason, value as typed)."""

    number: int
    headers: dict[str, str]  # field → the template's header, to name a failure's column
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def fail(self, field_name: str, reason: str, raw: Any) -> None:
        self.errors.append((self.headers.get(field_name, field_name), reason, cell.text(raw)[:200]))

    def read(self, field_name: str, parse: Callable[[Any], Any], raw: Any) -> Any:
        """The cell parsed, or None with the failure recorded."""
        try:
            value = parse(raw)
        except cell.CellError as e:
            self.fail(field_name, e.reason, raw)
            value = None
        self.values[field_name] = value
        return value


class TableRules(Protocol):
    """What a kind of file says about its table (see the module's docstring). A row's values are
    named by the table's columns (an enterprise code already resolved to ``enterprise_id``). A kind
    may also have the optional hooks ``changed``, ``before_insert`` and ``after_delete`` (below)."""

    entity_type: str  # of its audit events
    table: Table
    compared: tuple[str, ...]  # the columns a second file may change (an update, audited)

    def prepare(self, rows: list[dict[str, Any]]) -> Any:
        """What the checks of a chunk of rows look up together (enterprises by code, …)."""

    def check(self, row: Row, cells: dict[str, Any], context: Any, today: date) -> None:
        """Read the row's cells into ``row.values``, or record why not."""

    def identity(self, values: dict[str, Any]) -> tuple:
        """What names the row a file line describes (from its values or the row to insert): a second
        file with the same line finds it."""

    def existing(self, identities: list[tuple]) -> dict[tuple, dict[str, Any]]:
        """The rows the table has now for these identities: each with its ``id`` and compared columns."""

    def new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        """The columns of the row to insert (the identity's among them)."""

    def owners(self, ids: list[int]) -> set[int]:
        """The enterprises the rows belong to (read before the rows change or go)."""

    def refresh(self, owners: set[int]) -> None:
        """Keep what follows from their rows (search text, latest results, …); executes only."""

    def describe(self, ids: list[int]) -> list[str]:
        """How to name rows to a person (at most 20), when an undo is refused because of them."""


@dataclass(slots=True)
class Change:
    id: int
    values: dict[str, Any]  # the compared columns to set
    before: dict[str, Any]
    after: dict[str, Any]


def _numbered(sheet: Sheet) -> Iterator[tuple[int, dict[str, Any] | None]]:
    for number, cells in enumerate(sheet.rows, start=2):
        if isinstance(cells, UnreadableRow):
            yield number, None
            continue
        if any(c not in (None, "") and str(c).strip() for c in cells):
            yield number, {f: c for f, c in zip(sheet.fields, cells, strict=False) if f is not None}


def _reject(plan: Plan, row: Row, column: str, reason: str, value: str, name: str = "") -> None:
    plan.rejected.append({"row": row.number, "column": column, "reason": reason, "value": value, "name": name})


def build_plan(
    rules: TableRules,
    headers: dict[str, str],
    sheet: Sheet,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> Plan:
    """Check every row and work out what committing would change (reads only)."""
    plan = Plan(watermark=db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))))
    today = today or today_local()
    seen: set[tuple] = set()
    lines = _numbered(sheet)
    while chunk := list(islice(lines, CHUNK)):
        context = rules.prepare([cells for _n, cells in chunk if cells is not None])
        valid: list[Row] = []
        for number, cells in chunk:
            plan.total += 1
            row = Row(number, headers)
            if cells is None:
                row.errors.append(("", UnreadableRow.reason, ""))
            else:
                rules.check(row, cells, context, today)
                _check_lengths(rules.table, row)
            if not row.errors:
                identity = rules.identity(row.values)
                if identity in seen:
                    row.fail(next(iter(headers)), "duplicate_line", "")
                seen.add(identity)
            if row.errors:
                plan.rejected_rows += 1
                for column, reason, value in row.errors:
                    _reject(plan, row, column, reason, value, str(row.values.get("name") or "")[:300])
            else:
                valid.append(row)
        _compare(rules, plan, valid)
        if progress:
            progress(len(chunk))
    return plan


def _check_lengths(table: Table, row: Row) -> None:
    """A text longer than its column is named in the dry run (the database would refuse it at commit)."""
    for key, value in row.values.items():
        column = table.c.get(key)
        length = getattr(column.type, "length", None) if column is not None else None
        if isinstance(value, str) and length and len(value) > length:
            row.fail(key, "too_long", value)


def _compare(rules: TableRules, plan: Plan, rows: list[Row]) -> None:
    found = rules.existing([rules.identity(r.values) for r in rows])
    for row in rows:
        old = found.get(rules.identity(row.values))
        if old is None:
            plan.new.append(rules.new_row(row.values))
            continue
        fill = getattr(rules, "fill_only", ())  # columns a file sets only where the table has nothing yet
        changes = {
            k: row.values[k]
            for k in rules.compared
            if row.values.get(k) is not None and row.values[k] != old[k] and (k not in fill or old[k] is None)
        }
        if not changes:
            plan.unchanged += 1
            continue
        plan.updates.append(
            Change(
                old["id"],
                changes,
                {k: plain(old[k]) for k in changes},
                {k: plain(v) for k, v in changes.items()},
            )
        )


def steps(plan: Plan) -> Iterator[tuple[str, list]]:
    for rows in chunks(plan.new, STEP):
        yield "new", rows
    for changes in chunks(plan.updates, STEP):
        yield "update", changes


def apply_step(rules: TableRules, kind: str, rows: list, watermark: int, batch_id: int, actor: Actor) -> None:
    """Write one step of the plan (executes only; the caller commits, or rolls back)."""
    provenance = f"import:{batch_id}"
    table = rules.table
    if kind == "new":
        if rules.existing([rules.identity(r) for r in rows]):  # another import wrote them meanwhile
            raise StalePlan
        rows = _before_insert(rules, rows, provenance, actor)
        ids = (
            db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
        )
        recorded = getattr(rules, "recorded", None)  # the columns a person reads in the history
        events = [
            (i, None, {k: plain(v) for k, v in r.items() if v is not None and _recorded(k, recorded)})
            for i, r in zip(ids, rows, strict=True)
        ]
        write_audit(entity(audit_rows(actor, "create", provenance, events), rules.entity_type))
        past.changed_from(past.earliest_in(rows), today_local())  # dated facts: figures of those days change
        rules.refresh(rules.owners(list(ids)))
        return
    _check_untouched(rules, [c.id for c in rows], watermark)
    by_columns: dict[tuple[str, ...], list[Change]] = {}
    for change in rows:
        by_columns.setdefault(tuple(sorted(change.values)), []).append(change)
    for columns, group in by_columns.items():
        statement = (
            update(table).where(table.c.id == bindparam("b_id")).values({c: bindparam(f"b_{c}") for c in columns})
        )
        db.session.execute(statement, [{"b_id": c.id, **{f"b_{k}": c.values[k] for k in columns}} for c in group])
    events = [(c.id, c.before, c.after) for c in rows]
    write_audit(entity(audit_rows(actor, "update", provenance, events), rules.entity_type))
    past.changed_from(past.earliest_in(r for _id, before, after in events for r in (before, after)), today_local())
    report_changes(rules, events)
    rules.refresh(rules.owners([c.id for c in rows]))


def report_changes(rules: TableRules, records: list[tuple[int, dict[str, Any], dict[str, Any]]]) -> None:
    """Tell a kind that asks (an optional ``changed(records)``) which rows changed, from what to what
    (values as the audit trail keeps them): the registry's labels extend the records' history so."""
    hook = getattr(rules, "changed", None)
    if hook is not None and records:
        hook(records)


def _before_insert(rules: TableRules, rows: list[dict], provenance: str, actor: Actor) -> list[dict]:
    """A kind whose rows need rows of another table (a listing for its checks) writes them first, in
    an optional ``before_insert(rows, provenance, actor)`` that audits them under the batch's
    provenance and returns the rows to insert (the table's columns only)."""
    hook = getattr(rules, "before_insert", None)
    return hook(rows, provenance, actor) if hook is not None else rows


def after_delete(rules: TableRules, owners: set[int], provenance: str, actor: Actor, as_provenance: str, erase: bool):
    """Such a kind takes them back, in an optional ``after_delete(owners, provenance, actor,
    as_provenance, erase)``, once the batch's rows that needed them are gone: what no row needs any
    more is deleted, audited under ``as_provenance`` (an undo), or, when an unfinished job is taken
    back (``erase``), with the events ``provenance`` wrote for it."""
    hook = getattr(rules, "after_delete", None)
    if hook is not None:
        hook(owners, provenance, actor, as_provenance, erase)


# Columns of a new row that say nothing to a person reading its history (a kind may list its own).
TECHNICAL = frozenset(
    ("created_at", "updated_at", "name_folded", "public_id", "resume_token_hash", "answers", "locale", "page")
)


def _recorded(column: str, recorded: tuple[str, ...] | None) -> bool:
    return column in recorded if recorded is not None else column not in TECHNICAL


def entity(events: list[dict], entity_type: str) -> list[dict]:
    for event in events:
        event["entity_type"] = entity_type
    return events


def _check_untouched(rules: TableRules, ids: list[int], watermark: int) -> None:
    """No row the step changes was changed by anyone since the plan was prepared."""
    later = select(AuditEvent.id).where(
        AuditEvent.id > watermark,
        AuditEvent.entity_type == rules.entity_type,
        AuditEvent.entity_id.in_([str(i) for i in ids]),
    )
    if db.session.scalar(later.limit(1)) is not None:
        raise StalePlan
