"""Assessment rules: start, save a page, submit once, link to an enterprise, compare.

Services flush; the request or CLI edge commits, so each call is one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import statistics
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app import audit
from app.assessment import scoring
from app.assessment.catalog import instruments
from app.assessment.instruments import AnswerError, Instrument, Question
from app.auth.permissions import is_verified_member
from app.errors import ServiceError
from app.extensions import db
from app.models import (
    Assessment,
    Commune,
    Enterprise,
    EnterpriseSolution,
    LatestAssessment,
    Membership,
    User,
    VsicSection,
)
from app.models.base import utcnow
from app.registry.latest import linked_by_verified_member, update_latest
from app.registry.services import public_record, update_enterprise


class AssessmentError(ServiceError):
    MESSAGES = {
        "unknown_instrument": _l("This version of the questionnaire is no longer available."),
        "not_your_enterprise": _l("You can link an assessment only to an enterprise the department verified you for."),
        "already_submitted": _l("This assessment was already submitted."),
        "incomplete": _l("Some required questions are not answered yet."),
        "not_yours": _l("This assessment belongs to another account."),
        "already_linked": _l("This assessment is already linked to another enterprise."),
        "imported": _l("This result was imported by the department: it stays with its enterprise."),
    }
    FORBIDDEN = ("not_your_enterprise", "not_yours")

    def __init__(self, code: str):
        super().__init__(self.MESSAGES[code], code=code, status=403 if code in self.FORBIDDEN else None)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def instrument_of(attempt: Assessment) -> Instrument:
    """The exact version the attempt answers: older attempts keep their own rules."""
    found = instruments().get(attempt.instrument_id, attempt.instrument_version)
    if found is None:
        raise AssessmentError("unknown_instrument")
    return found


def memberships_of(user: User | None) -> list[Membership]:
    """The enterprises a person may link an assessment to: those the department verified them for
    (a pending claim links nothing: its results would show in the verified owners' history)."""
    if user is None or not user.is_authenticated:
        return []
    return [m for m in user.memberships if m.is_verified]


def start_attempt(
    instrument: Instrument, user: User | None, enterprise_id: int | None, locale: str
) -> tuple[Assessment, str]:
    """Create an attempt; returns it with the private resume token (shown once, stored hashed)."""
    if enterprise_id is not None and enterprise_id not in {m.enterprise_id for m in memberships_of(user)}:
        raise AssessmentError("not_your_enterprise")
    token = secrets.token_urlsafe(24)
    attempt = Assessment(
        public_id=secrets.token_urlsafe(9),
        resume_token_hash=_hash(token),
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        user_id=user.id if user is not None and user.is_authenticated else None,
        enterprise_id=enterprise_id,
        locale=locale,
        answers={},
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt, token


def by_token(token: str) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.resume_token_hash == _hash(token)))


def by_public_id(public_id: str) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.public_id == public_id))


def can_access(attempt: Assessment, user: User | None, granted: list[str]) -> bool:
    """The person who started it, who holds its private link in this browser, or — once it is
    submitted — a verified member of the enterprise it is linked to."""
    if attempt.public_id in granted:
        return True
    if user is None or not user.is_authenticated:
        return False
    if attempt.user_id == user.id:
        return True
    return attempt.is_submitted and is_verified_member(user, attempt.enterprise_id)


def page_questions(instrument: Instrument, answers: dict[str, Any], page: int) -> list[Question]:
    pillar = instrument.pillars[page]
    visible = {q.name for q in scoring.visible_questions(instrument, answers)}
    return [q for q in pillar.questions if q.name in visible]


def save_page(attempt: Assessment, page: int, submitted: dict[str, list[str]], require: bool) -> dict[str, AnswerError]:
    """Keep every valid answer of the page; return the errors of the others.

    With `require`, a visible required question left empty is an error too (moving on);
    going back saves what is there without asking for more.
    """
    if attempt.is_submitted:
        raise AssessmentError("already_submitted")
    instrument = instrument_of(attempt)
    answers = dict(attempt.answers or {})
    errors: dict[str, AnswerError] = {}
    for question in instrument.pillars[page].questions:
        if question.name not in submitted:
            continue
        try:
            value = question.parse(submitted[question.name])
        except AnswerError as e:
            errors[question.name] = e
            continue
        if value is None:
            answers.pop(question.name, None)
        else:
            answers[question.name] = value
    # A follow-up whose condition does not hold was not asked: whatever it holds is no error.
    visible = {q.name for q in scoring.visible_questions(instrument, answers)}
    errors = {name: error for name, error in errors.items() if name in visible}
    if require:
        for question in page_questions(instrument, answers, page):
            if question.required and question.name not in answers and question.name not in errors:
                errors[question.name] = AnswerError("required")
    attempt.answers = answers
    if not errors and require:
        attempt.page = min(page + 1, len(instrument.pillars))
    else:
        attempt.page = page
    db.session.flush()
    return errors


def in_progress_for(user: User | None, granted: list[str], limit: int = 5) -> list[Assessment]:
    """Attempts not yet submitted that this person may continue: their own, and those whose
    private link this browser holds; the most recently saved first."""
    owner = Assessment.public_id.in_(granted) if granted else None
    if user is not None and user.is_authenticated:
        mine = Assessment.user_id == user.id
        owner = mine if owner is None else (owner | mine)
    if owner is None:
        return []
    return list(
        db.session.scalars(
            select(Assessment)
            .where(owner, Assessment.status == "in_progress")
            .order_by(Assessment.updated_at.desc(), Assessment.id.desc())
            .limit(limit)
        )
    )


def missing_required(instrument: Instrument, answers: dict[str, Any]) -> list[Question]:
    return [q for q in scoring.visible_questions(instrument, answers) if q.required and answers.get(q.name) is None]


def submit(attempt: Assessment, actor: audit.Actor) -> scoring.Result:
    """Score and freeze the attempt, exactly once, even if two requests race."""
    instrument = instrument_of(attempt)
    if attempt.is_submitted:
        raise AssessmentError("already_submitted")
    if missing_required(instrument, attempt.answers or {}):
        raise AssessmentError("incomplete")
    result = scoring.score(instrument, attempt.answers or {})
    now = utcnow()
    claimed = db.session.execute(
        update(Assessment)
        .where(Assessment.id == attempt.id, Assessment.status == "in_progress")
        .values(
            status="submitted",
            submitted_at=now,
            answers=scoring.effective_answers(instrument, attempt.answers or {}),
            counts_toward_indicators=instrument.counts_toward_indicators,
            total_share=round(float(result.total_share), 6),
            overall_level=result.overall_level,
            pillar_results=result.as_record(),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AssessmentError("already_submitted")
    db.session.refresh(attempt)
    audit.record(
        actor,
        "submit",
        "assessment",
        attempt.id,
        None,
        {"instrument": f"{instrument.id} v{instrument.version}", "level": result.overall_level},
    )
    update_latest(attempt)
    return result


def attach(attempt: Assessment, user: User, enterprise_id: int | None) -> None:
    """Give an attempt started without an account to the signed-in user (and their enterprise)."""
    if attempt.is_imported:
        raise AssessmentError("imported")
    if attempt.user_id not in (None, user.id):
        raise AssessmentError("not_yours")
    if enterprise_id is not None and enterprise_id not in {m.enterprise_id for m in memberships_of(user)}:
        raise AssessmentError("not_your_enterprise")
    attempt.user_id = user.id
    if enterprise_id is not None:
        if attempt.is_submitted and attempt.enterprise_id not in (None, enterprise_id):
            raise AssessmentError("already_linked")
        attempt.enterprise_id = enterprise_id
    db.session.flush()
    update_latest(attempt)


def previous_attempt(attempt: Assessment) -> Assessment | None:
    """The submitted attempt before this one, of the same instrument.

    For an attempt linked by a verified member: the enterprise's previous one by any verified
    member. Otherwise only the same person's own previous attempt, so that a pending claim never
    shows someone else's results.
    """
    if attempt.user_id is None:
        return None
    if attempt.enterprise_id is not None and linked_by_verified_member(attempt):
        verified_users = select(Membership.user_id).where(
            Membership.enterprise_id == attempt.enterprise_id, Membership.is_verified
        )
        owner = (Assessment.enterprise_id == attempt.enterprise_id) & Assessment.user_id.in_(verified_users)
    else:
        owner = (Assessment.user_id == attempt.user_id) & (
            (Assessment.enterprise_id == attempt.enterprise_id)
            if attempt.enterprise_id
            else Assessment.enterprise_id.is_(None)
        )
    return db.session.scalar(
        select(Assessment)
        .where(
            owner,
            Assessment.instrument_id == attempt.instrument_id,
            Assessment.status == "submitted",
            Assessment.submitted_at < attempt.submitted_at,
            Assessment.id != attempt.id,
        )
        .order_by(Assessment.submitted_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class PeerComparison:
    count: int
    pillar_medians: dict[str, float]
    level_median: float


def peer_comparison(attempt: Assessment, minimum: int) -> PeerComparison | None:
    """Medians of peers (same sector group and size tier, latest results of the same instrument)."""
    enterprise = attempt.enterprise
    if enterprise is None or enterprise.section is None or enterprise.size_tier in ("unknown", "not_applicable"):
        return None

    rows = db.session.execute(
        select(Assessment.pillar_results, LatestAssessment.overall_level)
        .join(LatestAssessment, LatestAssessment.assessment_id == Assessment.id)
        .join(Enterprise, Enterprise.id == LatestAssessment.enterprise_id)
        .join(VsicSection, VsicSection.code == Enterprise.vsic_section)
        .where(
            LatestAssessment.instrument_id == attempt.instrument_id,
            VsicSection.sector_group == enterprise.section.sector_group,
            Enterprise.size_tier == enterprise.size_tier,
            Enterprise.id != enterprise.id,
        )
    ).all()
    if len(rows) < minimum:
        return None
    pillar_ids = set((attempt.pillar_results or {}).keys())
    # an imported result may give a pillar's level only: no share to take the median of
    shares = {
        pid: [s for r in rows if (s := (r.pillar_results or {}).get(pid, {}).get("share")) is not None]
        for pid in pillar_ids
    }
    medians = {pid: statistics.median(found) for pid, found in shares.items() if len(found) >= minimum}
    return PeerComparison(len(rows), medians, statistics.median(r.overall_level for r in rows))


def providers_for(categories: set[str], limit: int = 6) -> list[Enterprise]:
    """Local digital-technology firms that offer one of these solution categories."""
    if not categories:
        return []
    return list(
        db.session.scalars(
            select(Enterprise)
            .join(EnterpriseSolution, EnterpriseSolution.enterprise_id == Enterprise.id)
            .join(Commune, Commune.code == Enterprise.commune_code)
            .where(
                EnterpriseSolution.category.in_(categories),
                public_record(),
                Enterprise.status == "active",
                Enterprise.verified_digital_tech,  # never a firm whose label awaits the department's check
            )
            .group_by(Enterprise.id)
            .order_by(func.count().desc(), Enterprise.name_folded)
            .limit(limit)
        )
    )


def history_for(user: User) -> list[Assessment]:
    """Every attempt the user made, and every attempt of the enterprises they are a verified member of
    (their verified members' own, and the past results the department imported)."""
    enterprise_ids = user.verified_enterprise_ids()
    condition = Assessment.user_id == user.id
    if enterprise_ids:
        by_a_verified_member = (
            select(Membership.id)
            .where(
                Membership.enterprise_id == Assessment.enterprise_id,
                Membership.user_id == Assessment.user_id,
                Membership.is_verified,
            )
            .exists()
        )
        condition = condition | (
            Assessment.enterprise_id.in_(enterprise_ids)
            & (Assessment.status == "submitted")
            & (by_a_verified_member | Assessment.is_imported.is_(True))
        )
    return list(db.session.scalars(select(Assessment).where(condition).order_by(Assessment.started_at.desc())))


def set_badge(enterprise: Enterprise, show: bool, actor: audit.Actor) -> None:
    """The owner's opt-in to show the readiness level on the public profile."""
    update_enterprise(enterprise, actor, "owner", shows_readiness=show)
