"""Merge a duplicate into the record kept; merge_undo.py takes a merge back while nothing changed since.

A merge moves everything attached to the duplicate to the record kept, fills the kept record's
blanks, and withdraws the duplicate pointing at it: both histories stay, under their own ids. The
firm then counts once in every figure from the day staff give — from the start by default, it
being the same firm — the record kept taking over the duplicate's days and facts (merge_history.py
says how). What moved, what was blank and both records' counted history as they were are kept in
an `EnterpriseMerge`, so that the merge can be taken back exactly (merge_undo.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from app import audit
from app.errors import FieldErrors
from app.extensions import db
from app.i18n import fmt_date, local_today
from app.models import (
    Assessment,
    ContactRequest,
    EarlierOwner,
    Enterprise,
    EnterpriseMerge,
    EnterpriseSolution,
    Follow,
    LatestAssessment,
    Membership,
    Product,
    ReviewRequest,
)
from app.models.values import ClaimState, RecordState
from app.registry import history, past, services
from app.registry.duplicates import CANDIDATE_STATES, distinct_legal_entities
from app.registry.merge_history import MergeDays, kept_spans, merge_days
from app.registry.records import RecordError, _provenance

FILLED_FIELDS = (
    "legal_form",
    "main_vsic",
    "address",
    "founded_on",
    "employees",
    "revenue_vnd",
    "capital_vnd",
    "description",
    "website",
    "email",
    "phone",
    "representative",
    "stage",
    "funding_sought_vnd",
)
CLAIM_RANK = {ClaimState.VERIFIED: 2, ClaimState.PENDING: 1, ClaimState.REJECTED: 0}


def _move_unique(model, column_user, keep: Enterprise, duplicate: Enterprise) -> list[int]:
    """Move rows keyed by (user, enterprise) unless the user already has one on the kept record."""
    taken = set(db.session.scalars(select(column_user).where(model.enterprise_id == keep.id)))
    moved = []
    for row in db.session.scalars(select(model).where(model.enterprise_id == duplicate.id)):
        if getattr(row, column_user.key) not in taken:
            row.enterprise_id = keep.id
            moved.append(row.id)
    return moved


def _move_all(model, duplicate: Enterprise, keep: Enterprise, *where) -> list[int]:
    ids = list(db.session.scalars(select(model.id).where(model.enterprise_id == duplicate.id, *where)))
    if ids:
        db.session.execute(update(model).where(model.id.in_(ids)).values(enterprise_id=keep.id))
    return ids


@dataclass(frozen=True)
class MergePreview:
    """What a merge would do, for the confirmation page: what moves, which blanks are filled."""

    moves: dict[str, int]
    filled: dict[str, Any]
    days: MergeDays


def preview(keep: Enterprise, duplicate: Enterprise) -> MergePreview:
    """What merging the duplicate into the kept record would move and fill (reads only; refuses like merge)."""
    _check_mergeable(keep, duplicate)

    def count(model, *where) -> int:
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.enterprise_id == duplicate.id, *where)
        )

    moves = {
        "products": count(Product),
        "assessments": count(Assessment),
        "members": count(Membership),
        "contact_requests": count(ContactRequest),
        "reviews": count(ReviewRequest, ReviewRequest.state == "pending"),
        "follows": count(Follow),
    }
    days = merge_days(keep, duplicate, history.spans_of_record(duplicate.id), local_today())
    return MergePreview({k: v for k, v in moves.items() if v}, _filled(keep, duplicate), days)


def _check_mergeable(keep: Enterprise, duplicate: Enterprise) -> None:
    if keep.id == duplicate.id:
        raise RecordError(_l("Choose two different records."))
    if keep.merged_into_id or duplicate.merged_into_id:
        raise RecordError(_l("One of these records was already merged into another."))
    if distinct_legal_entities((keep.code, keep.personal_id), (duplicate.code, duplicate.personal_id)):
        raise RecordError(
            _l(
                "These records carry two different codes: they are two legal entities and cannot be "
                "merged. If one code is wrong, correct it first, with a note on the source."
            )
        )
    if keep.record_state not in CANDIDATE_STATES or duplicate.record_state not in (*CANDIDATE_STATES, "withdrawn"):
        raise RecordError(_l("The record kept must be in the directory or awaiting review."))


def _filled(keep: Enterprise, duplicate: Enterprise) -> dict[str, Any]:
    """The kept record's blank fields the duplicate fills, and the labels it brings."""
    filled = {
        f: getattr(duplicate, f)
        for f in FILLED_FIELDS
        if getattr(keep, f) in (None, "") and getattr(duplicate, f) not in (None, "")
    }
    for flag in ("digital_tech", "startup"):
        if getattr(duplicate, f"is_{flag}") and not getattr(keep, f"is_{flag}"):
            filled.update(
                {
                    f"is_{flag}": True,
                    f"{flag}_basis": getattr(duplicate, f"{flag}_basis"),
                    f"{flag}_verification": getattr(duplicate, f"{flag}_verification"),
                    # a label verified on the duplicate counts on the record kept from the same day
                    f"{flag}_verified_on": getattr(duplicate, f"{flag}_verified_on"),
                }
            )
    if duplicate.shows_readiness and not keep.shows_readiness:
        filled["shows_readiness"] = True
    return filled


def note_refusal(note: str | None):
    """Why the merge's note is refused (None: it is not): staff say the source they checked."""
    if (note or "").strip():
        return None
    return _l(
        "Say why these two records are one enterprise (the source you checked): the note is kept in both histories."
    )


def merge(
    keep: Enterprise,
    duplicate: Enterprise,
    actor: audit.Actor,
    note: str | None = None,
    one_from: date | None = None,
) -> dict:
    """Merge the duplicate into the kept record (flushes; the caller commits). Returns the filled fields.

    Staff confirm a merge with a note on their source (the confirmation page asks for it), and say
    from when the two are one firm: from the start (``one_from`` None: it was always the same firm),
    or from a day they give, before which every figure stays as it was (merge_history.py). What
    moves, what was blank and both records' counted history are kept in an `EnterpriseMerge`, so
    that `undo_merge` can put it all back.
    """
    _check_mergeable(keep, duplicate)
    today = local_today()
    spans = {keep.id: history.spans_of_record(keep.id), duplicate.id: history.spans_of_record(duplicate.id)}
    days = merge_days(keep, duplicate, spans[duplicate.id], today)
    refused = {"note": note_refusal(note)}
    if one_from is not None and not days.earliest_day <= one_from <= today:
        refused["one_from"] = _l(
            "Give a day from %(first)s, the first day of the record kept, to today.", first=fmt_date(days.earliest_day)
        )
    if refused := {field: why for field, why in refused.items() if why is not None}:
        raise FieldErrors(refused)  # every refusal at once, each beside its field
    choice = "start" if one_from is None else "day"
    one_from, entered_on = (days.one_from_start, days.entered_on) if one_from is None else (one_from, None)
    filled = _filled(keep, duplicate)
    moved = _move_everything(keep, duplicate)
    moved.update(
        was_blank={f: _jsonable(getattr(keep, f)) for f in filled},
        duplicate_state=duplicate.record_state,
        registered_on=_jsonable(keep.registered_on),
        one_from=one_from.isoformat(),
        _history={"kept": history.as_kept(spans[keep.id]), "duplicate": history.as_kept(spans[duplicate.id])},
    )
    provenance = _provenance("merge", note)
    counted = {"merge_from": choice, "effective_on": one_from.isoformat()}
    db.session.refresh(keep)
    services.update_enterprise(keep, actor, provenance, effective_on=one_from, **filled)
    entered = {}  # the day the firm entered this site, as the merge's event shows it when it moves
    if entered_on is not None and entered_on != keep.registered_on:  # the duplicate was entered earlier
        entered = {"registered_on": (_jsonable(keep.registered_on), entered_on.isoformat())}
        keep.registered_on = entered_on
    services.refresh_search_text(keep)
    db.session.flush()
    start = history.existence_start(keep, today)
    now = history.facts_of(keep)
    history.store({keep.id: kept_spans(spans[keep.id], spans[duplicate.id], start, one_from, now, today)})
    audit.record(
        actor,
        "merge",
        "enterprise",
        keep.id,
        {k: old for k, (old, _new) in entered.items()} or None,
        {
            "absorbed": f"{duplicate.public_key} · {duplicate.name}",
            **counted,
            **{k: v for k, (_o, v) in entered.items()},
        },
        provenance=provenance,
    )
    services.update_enterprise(
        duplicate, actor, provenance, effective_on=one_from, record_state=RecordState.WITHDRAWN.value
    )
    duplicate.merged_into_id = keep.id
    # Records merged into the duplicate earlier now lead to the record kept, directly.
    db.session.execute(
        update(Enterprise)
        .where(Enterprise.merged_into_id == duplicate.id)
        .values(merged_into_id=keep.id)
        .execution_options(synchronize_session=False)
    )
    last = audit.record(
        actor,
        "merge",
        "enterprise",
        duplicate.id,
        None,
        {"merged_into": f"{keep.public_key} · {keep.name}", **counted},
        provenance=provenance,
    )
    db.session.flush()
    record = EnterpriseMerge(
        kept_id=keep.id,
        duplicate_id=duplicate.id,
        note=note.strip(),
        moved=moved,
        last_event_id=last.id,
        merged_by_id=actor.user_id,
    )
    db.session.add(record)
    db.session.flush()
    _date_earlier_owners(record, one_from, today)
    return filled


def _date_earlier_owners(record: EnterpriseMerge, one_from: date, today: date) -> None:
    """The products and assessments moved were the duplicate's until the two became one: figures of
    earlier days count them under it (app/progress/owners.py), as they did before the merge."""
    rows = [
        {"merge_id": record.id, "kind": kind, "item_id": item, "enterprise_id": record.duplicate_id, "until": one_from}
        for key, kind in (("products", "product"), ("assessments", "assessment"))
        for item in record.moved[key]
    ]
    if rows:
        db.session.execute(insert(EarlierOwner), rows)
    past.changed_from(one_from, today)  # from that day they count under the record kept


def _move_everything(keep: Enterprise, duplicate: Enterprise) -> dict[str, Any]:
    """Move what hangs on the duplicate to the record kept; returns what moved, for an undo."""
    moved: dict[str, Any] = {
        "products": _move_all(Product, duplicate, keep),
        "assessments": _move_all(Assessment, duplicate, keep),
        "contact_requests": _move_all(ContactRequest, duplicate, keep),
        "reviews": _move_all(ReviewRequest, duplicate, keep, ReviewRequest.state == "pending"),
        "follows": _move_unique(Follow, Follow.user_id, keep, duplicate),
        "members": [],
        "members_raised": [],
        "solutions": [],
        "redirected": list(db.session.scalars(select(Enterprise.id).where(Enterprise.merged_into_id == duplicate.id))),
    }
    kept_members = {
        m.user_id: m for m in db.session.scalars(select(Membership).where(Membership.enterprise_id == keep.id))
    }
    for membership in db.session.scalars(select(Membership).where(Membership.enterprise_id == duplicate.id)):
        mine = kept_members.get(membership.user_id)
        if mine is None:
            membership.enterprise_id = keep.id
            moved["members"].append(membership.id)
        elif CLAIM_RANK[membership.claim_state] > CLAIM_RANK[mine.claim_state]:
            moved["members_raised"].append([mine.id, mine.claim_state, _jsonable(mine.decided_at)])
            mine.claim_state, mine.decided_at = membership.claim_state, membership.decided_at
    offered = set(
        db.session.scalars(select(EnterpriseSolution.category).where(EnterpriseSolution.enterprise_id == keep.id))
    )
    for solution in db.session.scalars(
        select(EnterpriseSolution).where(EnterpriseSolution.enterprise_id == duplicate.id)
    ):
        if solution.category not in offered:
            db.session.add(EnterpriseSolution(enterprise_id=keep.id, category=solution.category))
            moved["solutions"].append(solution.category)
    moved["latest"] = _merge_latest(keep, duplicate)
    db.session.flush()
    return moved


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


LATEST_COLUMNS = (
    "assessment_id",
    "instrument_id",
    "instrument_version",
    "overall_level",
    "total_share",
    "submitted_at",
)


def _latest_values(row: LatestAssessment | None) -> dict | None:
    return None if row is None else {c: _jsonable(getattr(row, c)) for c in LATEST_COLUMNS}


def _merge_latest(keep: Enterprise, duplicate: Enterprise) -> dict:
    """The newest counted result of the two becomes the kept record's. Returns both before, for an undo."""
    theirs = db.session.get(LatestAssessment, duplicate.id)
    mine = db.session.get(LatestAssessment, keep.id)
    before = {"kept": _latest_values(mine), "duplicate": _latest_values(theirs)}
    if theirs is None:
        return before
    if mine is None or mine.submitted_at < theirs.submitted_at:
        values = {c: getattr(theirs, c) for c in LATEST_COLUMNS}
        db.session.delete(theirs)
        if mine is not None:
            db.session.delete(mine)
        db.session.flush()
        db.session.add(LatestAssessment(enterprise_id=keep.id, **values))
    else:
        db.session.delete(theirs)
    return before
