"""An enterprise's latest counted result: the one the directory shows (with the owner's consent) and
the progress indicators count. An attempt counts once it is submitted, counts toward the indicators,
and is linked to the enterprise by a member the department verified; a claim verified later makes the
member's earlier attempts count from then on. A past result the department imported counts from its
day; when imported results come or go, the enterprises' latest is worked out again from what remains.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select, update

from app.extensions import db
from app.models import Assessment, LatestAssessment, Membership
from app.models.base import utcnow

_LATEST = ("instrument_id", "instrument_version", "overall_level", "total_share", "submitted_at")


def linked_by_verified_member(attempt: Assessment) -> bool:
    if attempt.enterprise_id is None or attempt.user_id is None:
        return False
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.user_id == attempt.user_id,
                Membership.enterprise_id == attempt.enterprise_id,
                Membership.is_verified,
            )
        )
        > 0
    )


def update_latest(attempt: Assessment) -> bool:
    """Make a counted, submitted attempt the enterprise's latest result if it is newer.

    One statement (insert, or update only when newer), so that two submissions racing for the
    same enterprise on PostgreSQL neither fail nor let the older one win.
    """
    if not (attempt.is_submitted and attempt.counts_toward_indicators and linked_by_verified_member(attempt)):
        return False
    if attempt.counted_at is None:  # the day it began to count: the indicators read it as of a day
        db.session.execute(
            update(Assessment)
            .where(Assessment.id == attempt.id, Assessment.counted_at.is_(None))
            .values(counted_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = {
        "enterprise_id": attempt.enterprise_id,
        "assessment_id": attempt.id,
        "instrument_id": attempt.instrument_id,
        "instrument_version": attempt.instrument_version,
        "overall_level": attempt.overall_level,
        "total_share": attempt.total_share,
        "submitted_at": attempt.submitted_at,
    }
    statement = insert(LatestAssessment).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[LatestAssessment.enterprise_id],
        set_={k: statement.excluded[k] for k in values if k != "enterprise_id"},
        where=LatestAssessment.submitted_at < statement.excluded.submitted_at,
    )
    changed = db.session.execute(statement).rowcount == 1
    db.session.expire_all()
    return changed


def on_membership_verified(membership: Membership) -> None:
    """A claim approved later: the member's counted attempts for that enterprise take effect now."""
    attempts = db.session.scalars(
        select(Assessment)
        .where(
            Assessment.user_id == membership.user_id,
            Assessment.enterprise_id == membership.enterprise_id,
            Assessment.status == "submitted",
            Assessment.counts_toward_indicators.is_(True),
        )
        .order_by(Assessment.submitted_at)
    )
    for attempt in attempts:
        update_latest(attempt)


def recompute_latest(enterprise_ids: Iterable[int]) -> None:
    """Each enterprise's latest result worked out again from its counted attempts (after results were
    imported, or an import undone): the newest counted one, or none. Executes only."""
    ids = sorted(set(enterprise_ids))
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        newest: dict[int, dict] = {}
        query = (
            select(
                Assessment.id.label("assessment_id"),
                Assessment.enterprise_id,
                *(Assessment.__table__.c[c] for c in _LATEST),
            )
            .where(
                Assessment.enterprise_id.in_(part),
                Assessment.status == "submitted",
                Assessment.counts_toward_indicators.is_(True),
                Assessment.counted_at.is_not(None),
            )
            .order_by(Assessment.enterprise_id, Assessment.submitted_at.desc(), Assessment.id.desc())
        )
        for row in db.session.execute(query).mappings():
            newest.setdefault(row["enterprise_id"], dict(row))
        db.session.execute(delete(LatestAssessment).where(LatestAssessment.enterprise_id.in_(part)))
        if newest:
            db.session.execute(insert(LatestAssessment), list(newest.values()))
    db.session.expire_all()
