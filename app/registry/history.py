"""The dated history of the facts the indicators count: the one writer of enterprise_period.

A record's spans (app/models/history.py) begin on the day it came into existence (its first
registration, ``founded_on``; else the day it entered this site) and follow each change from the
day it took effect: a correction made today holds from today unless the person gives an earlier
day, so that every figure as of a past day stays what it was. The pure functions below build and
change a record's list of spans; ``seed`` and ``apply`` store them, in the caller's transaction.

A span is a dict: ``valid_from``, ``valid_to`` (exclusive, None for the last) and the facts of
``TRACKED``. The spans of a record are contiguous and the last one is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update

from app.extensions import db
from app.i18n import local_today
from app.models.history import EnterprisePeriod
from app.models.values import EnterpriseStatus, RecordState, Verification
from app.registry import past

# The counted facts: every column of a span but its record and its days (app/models/history.py).
TRACKED = tuple(
    c.name for c in EnterprisePeriod.__table__.c if c.name not in ("id", "enterprise_id", "valid_from", "valid_to")
)
LABELS = {"tech": "digital_tech", "startup": "startup"}
PERIOD = EnterprisePeriod.__table__
Span = dict[str, Any]
Change = tuple[date, dict[str, Any]]
PREVIOUS = object()  # in a change: the value the record had the day before the change's day


def _getter(values: Mapping[str, Any] | object):
    if isinstance(values, Mapping):
        return values.get
    return lambda key: getattr(values, key, None)


def facts_of(values: Mapping[str, Any] | object) -> dict[str, Any]:
    """The counted facts of a record (a row's values or a loaded Enterprise) as they stand now."""
    get = _getter(values)
    return {
        "status": _plain(get("status") or EnterpriseStatus.ACTIVE),
        "record_state": _plain(get("record_state") or RecordState.PUBLISHED),
        "commune_code": get("commune_code"),
        "vsic_section": get("vsic_section"),
        "main_vsic": get("main_vsic"),
        "size_tier": _plain(get("size_tier") or "unknown"),
        "legal_form": _plain(get("legal_form")),
        "tech": bool(get("is_digital_tech")) and get("digital_tech_verification") == Verification.VERIFIED,
        "startup": bool(get("is_startup")) and get("startup_verification") == Verification.VERIFIED,
    }


def _plain(value: Any) -> Any:
    """A StrEnum member as the plain text the table keeps (equal either way, but stored and compared as text)."""
    return str(value) if isinstance(value, str) else value


def existence_start(values: Mapping[str, Any] | object, today: date) -> date:
    """The first day the record counts: its first registration, else the day it entered this site."""
    get = _getter(values)
    return get("founded_on") or get("registered_on") or today


def joined(spans: list[Span]) -> list[Span]:
    """The spans with each run of neighbours holding the same facts made one."""
    out: list[Span] = []
    for span in spans:
        if out and all(out[-1][k] == span[k] for k in TRACKED):
            out[-1] = {**out[-1], "valid_to": span["valid_to"]}
        else:
            out.append(span)
    return out


def overwrite(spans: list[Span], changes: Mapping[str, Any], day: date) -> list[Span]:
    """The spans with ``changes`` holding from ``day`` on, in every later span too (a change before
    the record existed holds from its first day)."""
    if not spans or not changes:
        return spans
    day = max(day, spans[0]["valid_from"])
    out: list[Span] = []
    for span in spans:
        if span["valid_to"] is not None and span["valid_to"] <= day:
            out.append(span)
        elif span["valid_from"] < day:
            out += [{**span, "valid_to": day}, {**span, **changes, "valid_from": day}]
        else:
            out.append({**span, **changes})
    return joined(out)


def covering(spans: list[Span], day: date) -> Span | None:
    """The span holding on the day, if any."""
    for span in spans:
        if span["valid_from"] <= day and (span["valid_to"] is None or day < span["valid_to"]):
            return span
    return None


def first_difference(old: list[Span], new: list[Span]) -> date | None:
    """The first day on which the two histories of a record tell different facts (None: the same)."""
    bounds = {s[k] for s in (*old, *new) for k in ("valid_from", "valid_to")} - {None}
    for day in sorted(bounds):
        before, after = covering(old, day), covering(new, day)
        if (before is None) != (after is None) or (before is not None and any(before[k] != after[k] for k in TRACKED)):
            return day
    return None


def restart(spans: list[Span], start: date) -> list[Span]:
    """The spans beginning on ``start``: an earlier first registration extends the first span back,
    a later one drops what came before it."""
    if not spans or spans[0]["valid_from"] == start:
        return spans
    if start < spans[0]["valid_from"]:
        return [{**spans[0], "valid_from": start}, *spans[1:]]
    kept = [span for span in spans if span["valid_to"] is None or span["valid_to"] > start]
    return [{**kept[0], "valid_from": start}, *kept[1:]]


def status_changes(values: Mapping[str, Any] | object, today: date) -> list[Change]:
    """The status a row tells, as dated changes: a suspension from its first day (until the day the
    business resumes, when given: ``suspended_until`` for a suspension an import tells that is over),
    a dissolution from the day the firm ceased."""
    get = _getter(values)
    status = str(get("status") or EnterpriseStatus.ACTIVE)
    suspended_on = get("suspended_on") or (get("ceased_on") if status == EnterpriseStatus.SUSPENDED else None)
    resumes_on = get("suspended_until") or get("resumes_on")
    changes: list[Change] = []
    if suspended_on is not None:
        changes.append((suspended_on, {"status": EnterpriseStatus.SUSPENDED.value}))
        if resumes_on is not None:
            changes.append((resumes_on, {"status": EnterpriseStatus.ACTIVE.value}))
    if status == EnterpriseStatus.DISSOLVED:
        changes.append((get("ceased_on") or today, {"status": status}))
    return changes


def timeline(values: Mapping[str, Any] | object, today: date) -> list[Span]:
    """A record's spans as its row tells them, for a record seen for the first time (created,
    imported, generated, or brought in by the migration): active from its first day with the facts
    it has now, each label from the day it was verified, the status from the days it changed."""
    get = _getter(values)
    facts = facts_of(values)
    start = existence_start(values, today)
    changes = list(status_changes(values, today))
    for key, label in LABELS.items():
        if facts[key]:
            changes.append((get(f"{label}_verified_on") or start, {key: True}))
    if not changes:  # most records: one span, as they are now
        return [{"valid_from": start, "valid_to": None, **facts}]
    first = {**facts, "status": EnterpriseStatus.ACTIVE.value, "tech": False, "startup": False}
    spans = [{"valid_from": start, "valid_to": None, **first}]
    for day, change in sorted(changes, key=lambda c: c[0]):
        spans = overwrite(spans, change, day)
    return spans


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any], effective_on: date, today: date
) -> list[Change]:
    """The dated changes, in the order to apply them, that turn a record's facts ``before`` into
    ``after`` (values of the row, not facts). Each takes effect on ``effective_on`` (a correction:
    today unless the person gave an earlier day), except a status, which changes on the day the row
    gives (the day the firm ceased or was suspended, ``status_since`` for the day it resumed), and a
    label granted, which counts from its verification."""
    old, new = facts_of(before), facts_of(after)
    was, now = _getter(before), _getter(after)
    plain = {k: new[k] for k in TRACKED if k not in ("status", *LABELS) and old[k] != new[k]}
    changes: list[Change] = [(effective_on, plain)] if plain else []
    if now("suspended_on") is not None:  # a past suspension the row tells (an import)
        changes += status_changes(after, today)
    elif (
        old["status"] != new["status"] or was("resumes_on") != now("resumes_on") or was("ceased_on") != now("ceased_on")
    ):
        if old["status"] == new["status"] != EnterpriseStatus.ACTIVE and was("ceased_on") is not None:
            changes.append((was("ceased_on"), {"status": PREVIOUS}))  # its day corrected: as it was before
        if new["status"] == EnterpriseStatus.ACTIVE:
            changes.append((now("status_since") or effective_on, {"status": new["status"]}))
        else:
            changes += status_changes(after, today)
    for key, label in LABELS.items():
        day_before, day_after = was(f"{label}_verified_on"), now(f"{label}_verified_on")
        if old[key] != new[key]:
            day = (day_after or effective_on) if new[key] else effective_on
            changes.append((day, {key: new[key]}))
        elif new[key] and day_before and day_after and day_before != day_after:  # its verification day corrected
            changes += [(day_before, {key: False}), (day_after, {key: True})]
    return changes


def changed(spans: list[Span], changes: Iterable[Change], start: date | None = None) -> list[Span]:
    """The spans after the changes (applied in their order) and a new first day if given: an earlier
    first day first (so that a change dated before the old one holds from its own day), a later one
    last (so that what came before it goes)."""
    if start is not None and start < spans[0]["valid_from"]:
        spans = restart(spans, start)
    for day, change in changes:
        spans = overwrite(spans, _resolved(spans, change, day), day)
    return restart(spans, start) if start is not None else spans


def _resolved(spans: list[Span], change: dict[str, Any], day: date) -> dict[str, Any]:
    """A change whose values may say PREVIOUS: the value the record had the day before ``day``."""
    if PREVIOUS not in change.values():
        return change
    before = next((s for s in reversed(spans) if s["valid_from"] < day), spans[0])
    return {k: before[k] if v is PREVIOUS else v for k, v in change.items()}


# --- storage -------------------------------------------------------------------------------------


def load(ids: Iterable[int]) -> dict[int, list[Span]]:
    """The stored spans of the records, in order of their first day."""
    found: dict[int, list[Span]] = {}
    ids = list(ids)
    columns = [PERIOD.c.enterprise_id, PERIOD.c.valid_from, PERIOD.c.valid_to, *(PERIOD.c[k] for k in TRACKED)]
    for start in range(0, len(ids), 5000):
        query = select(*columns).where(PERIOD.c.enterprise_id.in_(ids[start : start + 5000]))
        for row in db.session.execute(query.order_by(PERIOD.c.enterprise_id, PERIOD.c.valid_from)).mappings():
            span = dict(row)
            found.setdefault(span.pop("enterprise_id"), []).append(span)
    return found


def store(
    spans_of: Mapping[int, list[Span]], replace: bool = True, stored: Mapping[int, list[Span]] | None = None
) -> None:
    """Write the records' spans in place of those stored (``stored``, when the caller read them; executes
    only: the caller commits). The figures stored for the first day that changes, and after, are
    marked stale (app/registry/past.py)."""
    ids = list(spans_of)
    if replace:
        stored = load(ids) if stored is None else stored
        first = past.earliest(first_difference(stored.get(id_, []), spans) for id_, spans in spans_of.items())
        for start in range(0, len(ids), 5000):
            db.session.execute(delete(PERIOD).where(PERIOD.c.enterprise_id.in_(ids[start : start + 5000])))
    else:
        first = past.earliest(spans[0]["valid_from"] for spans in spans_of.values() if spans)
    past.changed_from(first, local_today())
    rows = [{"enterprise_id": id_, **span} for id_, spans in spans_of.items() for span in spans]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(PERIOD), rows[start : start + 5000])


def seed(records: Iterable[tuple[int, Mapping[str, Any] | object]], today: date) -> None:
    """Store the spans of records seen for the first time."""
    store({id_: timeline(values, today) for id_, values in records}, replace=False)


def apply(records: Iterable[tuple[int, Mapping[str, Any] | None, Mapping[str, Any], date | None]], today: date) -> None:
    """Store the changes of records from their values before to after, each taking effect on its day
    (None: today; see ``changes_between``). A record without spans yet, or without values before (one
    brought back whole), gets them from what it is after."""
    records = list(records)
    stored = load(id_ for id_, *_ in records)
    spans_of: dict[int, list[Span]] = {}
    for id_, before, after, effective_on in records:
        spans = spans_of.get(id_) or stored.get(id_)  # a record twice in the list: its changes in turn
        if not spans or before is None:
            spans_of[id_] = timeline(after, today)
            continue
        start = existence_start(after, today)
        new_start = start if start != existence_start(before, today) else None
        updated = changed(spans, changes_between(before, after, effective_on or today, today), new_start)
        if updated != spans:
            spans_of[id_] = updated
    if spans_of:
        store(spans_of, stored=stored)


def as_kept(spans: list[Span]) -> list[dict[str, Any]]:
    """Spans as an audit event keeps them (days as ISO text), to be restored exactly by an undo."""
    return [{k: v.isoformat() if isinstance(v, date) else v for k, v in span.items()} for span in spans]


def restore(spans_of: Mapping[int, list[dict[str, Any]]]) -> None:
    """Put back the spans an audit event kept (``as_kept``) in place of those stored."""
    store(
        {
            id_: [
                {k: date.fromisoformat(v) if k in ("valid_from", "valid_to") and v else v for k, v in span.items()}
                for span in kept
            ]
            for id_, kept in spans_of.items()
        }
    )


def withdraw_whole(ids: list[int]) -> None:
    """Records taken back as if never imported (the undo of an import): out of every figure, past too."""
    past.changed_from(date.min, local_today())
    for start in range(0, len(ids), 5000):
        db.session.execute(
            update(PERIOD)
            .where(PERIOD.c.enterprise_id.in_(ids[start : start + 5000]))
            .values(record_state=RecordState.WITHDRAWN.value)
        )


def spans_of_record(enterprise_id: int) -> list[Span]:
    return load([enterprise_id]).get(enterprise_id, [])


def replace_value(ids_values: Mapping[int, tuple[str, str, Any, Any]]) -> None:
    """In each record's spans, a value a rule now names otherwise: {id: (column, _, old, new)} — only the
    spans that hold the old value (the record's past under other facts keeps its own)."""
    if ids_values:
        past.changed_from(date.min, local_today())
    for id_, (column, _why, old, new) in ids_values.items():
        db.session.execute(
            update(PERIOD).where(PERIOD.c.enterprise_id == id_, PERIOD.c[column] == old).values({column: new})
        )
