"""The counted history of two records of one firm once merged (merges.py): the firm counts once.

A duplicate is a second record of the same firm, so before the merge every figure over the days both
records existed counted the firm twice. The merge gives staff the day from which the two are one:

- *from the start* (the default: it was always the same firm). The record kept takes over the
  duplicate's days: where it has no first registration of its own, it counts from the earlier of
  the two first days (the duplicate's ``founded_on`` fills the blank, else the earlier day a record
  of the firm entered this site); over days only the duplicate covered it counts with the
  duplicate's facts then; over days both covered, its own facts, with what it lacked (a size
  "unknown", no line of business, a label the duplicate had verified) taken from the duplicate's
  facts of the same day. The duplicate is withdrawn from its first day — or, where the record kept
  has a first registration of its own that comes later, from that day: before it the duplicate alone
  counted the firm, and still does.
- *from a day staff give* (no earlier than the record kept's first day): every figure before it
  stays as it was, both records counted; from it the duplicate is withdrawn and the record kept
  fills its blanks from the duplicate's facts of each day.

A first registration filled from the duplicate (a legal fact the record kept lacked) applies in
either case, from its day, as any correction of it does. These functions only compute: merges.py
stores the spans through app/registry/history.py, and keeps both records' spans as they were so
that the undo (merge_undo.py) puts them back exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.models import Enterprise
from app.registry import history
from app.registry.history import Span


@dataclass(frozen=True)
class MergeDays:
    """The days a merge works with: the record kept's first day after the merge, the duplicate's,
    the day from which the two are one when they were always one firm, and the earliest day staff
    may give instead (the record kept's first day without the duplicate's earlier entry)."""

    kept_from: date
    duplicate_from: date
    one_from_start: date
    earliest_day: date
    entered_on: date | None  # the duplicate's earlier entry the record kept takes over ("from the start")


def merge_days(keep: Enterprise, duplicate: Enterprise, duplicate_spans: list[Span], today: date) -> MergeDays:
    """The days of merging the duplicate into the record kept (reads only)."""
    founded = keep.founded_on or duplicate.founded_on  # the duplicate's fills the blank
    duplicate_from = duplicate_spans[0]["valid_from"] if duplicate_spans else history.existence_start(duplicate, today)
    own_entry = keep.registered_on or today
    entered_on = None
    if founded is None and duplicate.registered_on is not None and duplicate.registered_on < own_entry:
        entered_on = duplicate.registered_on
    earliest = founded or own_entry
    kept_from = founded or entered_on or own_entry
    return MergeDays(kept_from, duplicate_from, max(duplicate_from, kept_from), earliest, entered_on)


def _facts(span: Span) -> dict[str, Any]:
    return {k: span[k] for k in history.TRACKED}


def _filled(mine: dict[str, Any], theirs: Span | None) -> dict[str, Any]:
    """The record kept's facts of a day, with what it lacked taken from the duplicate's of that day."""
    if theirs is None:
        return mine
    out = dict(mine)
    if mine["size_tier"] == "unknown" and theirs["size_tier"] != "unknown":
        out["size_tier"] = theirs["size_tier"]
    if mine["main_vsic"] is None and mine["vsic_section"] is None and theirs["vsic_section"] is not None:
        out["main_vsic"], out["vsic_section"] = theirs["main_vsic"], theirs["vsic_section"]
    for label in history.LABELS:
        out[label] = bool(mine[label] or theirs[label])
    return out


def kept_spans(
    kept: list[Span], duplicate: list[Span], start: date, one_from: date, now: dict[str, Any], today: date
) -> list[Span]:
    """The record kept's spans after the merge: from ``start`` (its first day after the merge), its
    own facts, filled from the duplicate's from ``one_from`` on, the duplicate's over the days before
    its own first day; and from today the facts it has now (``now``, its row after the merge)."""
    if not kept:
        return [{"valid_from": start, "valid_to": None, **now}]
    bounds = {start, one_from} | {s[k] for s in (*kept, *duplicate) for k in ("valid_from", "valid_to")}
    days = sorted(d for d in bounds if d is not None and d >= start)
    out: list[Span] = []
    for i, day in enumerate(days):
        mine = history.covering(kept, day)
        theirs = history.covering(duplicate, day) if day >= one_from else None
        if mine is None:  # before the record kept began: the duplicate alone told the firm's facts
            facts = _facts(theirs or kept[0])
        else:
            facts = _filled(_facts(mine), theirs)
        out.append({"valid_from": day, "valid_to": days[i + 1] if i + 1 < len(days) else None, **facts})
    spans = history.joined(out)
    changed = {k: v for k, v in now.items() if spans[-1][k] != v}
    return history.overwrite(spans, changed, today) if changed else spans
