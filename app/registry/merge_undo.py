"""Undo a merge while neither record, nor anything it moved, changed since.

The `EnterpriseMerge` a merge left (merges.py) says what moved and what was blank: undoing it moves
those rows back to the duplicate, empties the blanks the merge filled and restores both records'
latest counted results, and both records' counted history exactly as the merge found it (so every
figure of every day is what it was before the merge). Both histories record the undo, with its note.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from app import audit
from app.extensions import db
from app.i18n import local_today
from app.models import (
    Assessment,
    AuditEvent,
    ContactRequest,
    EarlierOwner,
    Enterprise,
    EnterpriseMerge,
    EnterpriseSolution,
    Follow,
    LatestAssessment,
    Listing,
    Membership,
    Product,
    ReviewRequest,
)
from app.models.base import utcnow
from app.registry import history, past, services
from app.registry.records import DATE_FIELDS, RecordError, _provenance


def last_merge(enterprise: Enterprise) -> EnterpriseMerge | None:
    """The newest merge, not undone, in which the record was kept or absorbed."""
    return db.session.scalar(
        select(EnterpriseMerge)
        .where(
            (EnterpriseMerge.kept_id == enterprise.id) | (EnterpriseMerge.duplicate_id == enterprise.id),
            EnterpriseMerge.undone_at.is_(None),
        )
        .order_by(EnterpriseMerge.id.desc())
        .limit(1)
    )


def undo_blocker(record: EnterpriseMerge) -> str | None:
    """Why the merge can no longer be undone (something changed since), or None."""
    if record.undone_at is not None:
        return _l("This merge was already undone.")
    later = select(EnterpriseMerge.id).where(
        EnterpriseMerge.id > record.id,
        EnterpriseMerge.undone_at.is_(None),
        EnterpriseMerge.kept_id.in_((record.kept_id, record.duplicate_id))
        | EnterpriseMerge.duplicate_id.in_((record.kept_id, record.duplicate_id)),
    )
    if db.session.scalar(later.limit(1)) is not None:
        return _l("A later merge involves one of these records: undo that one first.")
    entities = [("enterprise", record.kept_id), ("enterprise", record.duplicate_id)]
    entities += [("product", i) for i in record.moved["products"]]
    entities += [("assessment", i) for i in record.moved["assessments"]]
    entities += [("contact_request", i) for i in record.moved["contact_requests"]]
    if record.moved["products"]:
        entities += [
            ("listing", i)
            for i in db.session.scalars(select(Listing.id).where(Listing.product_id.in_(record.moved["products"])))
        ]
    changed = select(AuditEvent.id).where(
        AuditEvent.id > record.last_event_id,
        or_(*((AuditEvent.entity_type == kind) & (AuditEvent.entity_id == str(i)) for kind, i in entities)),
    )
    if db.session.scalar(changed.limit(1)) is not None:
        return _l(
            "One of the records, or something moved with the merge, changed after it: the merge can no "
            "longer be undone. Correct the records instead."
        )
    counted_since = select(Assessment.id).where(
        Assessment.enterprise_id == record.kept_id, Assessment.submitted_at > record.merged_at
    )
    if db.session.scalar(counted_since.limit(1)) is not None:
        return _l("An assessment was submitted on the kept record after the merge: it can no longer be undone.")
    return None


def undo_merge(record: EnterpriseMerge, actor: audit.Actor, note: str | None) -> Enterprise:
    """Take a merge back: the duplicate returns with what was moved from it, and the kept record loses
    what the merge filled (flushes; the caller commits). Returns the duplicate."""
    if (blocker := undo_blocker(record)) is not None:
        raise RecordError(blocker)
    if not (note or "").strip():
        raise RecordError(_l("Say why the merge is undone: the note is kept in both histories."))
    moved = record.moved
    keep = db.session.get(Enterprise, record.kept_id)
    duplicate = db.session.get(Enterprise, record.duplicate_id)
    for model, key in (
        (Product, "products"),
        (Assessment, "assessments"),
        (ContactRequest, "contact_requests"),
        (ReviewRequest, "reviews"),
        (Follow, "follows"),
        (Membership, "members"),
    ):
        if moved[key]:
            db.session.execute(
                update(model)
                .where(model.id.in_(moved[key]), model.enterprise_id == keep.id)
                .values(enterprise_id=duplicate.id)
            )
    for membership_id, claim_state, decided_at in moved["members_raised"]:
        membership = db.session.get(Membership, membership_id)
        membership.claim_state = claim_state
        membership.decided_at = datetime.fromisoformat(decided_at) if decided_at else None
    if moved["solutions"]:
        db.session.execute(
            delete(EnterpriseSolution).where(
                EnterpriseSolution.enterprise_id == keep.id, EnterpriseSolution.category.in_(moved["solutions"])
            )
        )
    _restore_latest(keep, duplicate, moved["latest"])
    if moved["redirected"]:
        db.session.execute(
            update(Enterprise)
            .where(Enterprise.id.in_(moved["redirected"]))
            .values(merged_into_id=duplicate.id)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    db.session.expire_all()
    keep, duplicate = db.session.get(Enterprise, record.kept_id), db.session.get(Enterprise, record.duplicate_id)

    provenance = _provenance("unmerge", note)
    blanks = {f: date.fromisoformat(v) if f in DATE_FIELDS and v else v for f, v in moved["was_blank"].items()}
    services.update_enterprise(keep, actor, provenance, **blanks)
    entered = {}  # the day the record kept entered this site, as before the merge (blank included)
    if "registered_on" in moved:  # a merge made before it was kept has none to put back
        was = date.fromisoformat(moved["registered_on"]) if moved["registered_on"] else None
        if was != keep.registered_on:
            entered = {"registered_on": (_iso(keep.registered_on), _iso(was))}
            keep.registered_on = was
    services.refresh_search_text(keep)
    audit.record(
        actor,
        "unmerge",
        "enterprise",
        keep.id,
        {k: old for k, (old, _new) in entered.items()} or None,
        {"returned": f"{duplicate.public_key} · {duplicate.name}", **{k: v for k, (_o, v) in entered.items()}},
        provenance=provenance,
    )
    duplicate.merged_into_id = None
    services.update_enterprise(duplicate, actor, provenance, record_state=moved["duplicate_state"])
    services.refresh_search_text(duplicate)
    audit.record(
        actor,
        "unmerge",
        "enterprise",
        duplicate.id,
        None,
        {"separated_from": f"{keep.public_key} · {keep.name}"},
        provenance=provenance,
    )
    kept = moved.get("_history")  # none in a merge made before the merge kept the histories
    if kept is not None:
        history.restore({keep.id: kept["kept"], duplicate.id: kept["duplicate"]})
    db.session.execute(delete(EarlierOwner).where(EarlierOwner.merge_id == record.id))
    if moved.get("one_from"):  # the moved rows count under the duplicate again from that day
        past.changed_from(date.fromisoformat(moved["one_from"]), local_today())
    record.undone_at, record.undone_by_id = utcnow(), actor.user_id
    db.session.flush()
    return duplicate


def _restore_latest(keep: Enterprise, duplicate: Enterprise, before: dict) -> None:
    db.session.execute(delete(LatestAssessment).where(LatestAssessment.enterprise_id.in_((keep.id, duplicate.id))))
    db.session.flush()
    for enterprise, values in ((keep, before["kept"]), (duplicate, before["duplicate"])):
        if values is not None:
            db.session.add(
                LatestAssessment(
                    enterprise_id=enterprise.id,
                    **{**values, "submitted_at": datetime.fromisoformat(values["submitted_at"])},
                )
            )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
