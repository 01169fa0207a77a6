"""Readiness self-assessments of the demo province: who took the DBI, when, and how they did.

About two in five SMEs have taken the full self-assessment (dbi-sme) since the plan began in
January 2023, more of them lately as the department promoted it; about a third of those took it
again later, usually a level higher. Each attempt is answered question by question and scored by
the instrument's own rules. A few visitors also tried the quick check, which never counts.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.assessment.instruments import Instrument
from app.demo import answers, bulk
from app.demo.accounts import DEMO_ACTOR
from app.demo.composer import Weighted
from app.demo.history import PLAN_START, at_office_hours, day_between
from app.domain.size import COUNTED_AS_SME
from app.models import Assessment, AuditEvent, LatestAssessment

SMES = COUNTED_AS_SME
ASSESSED_SHARE = 0.47  # of the SMEs in the registry, weighted towards larger and digital firms
HOUSEHOLD_SHARE = 0.04  # household businesses take it too; they do not count as SMEs
QUICK_CHECKS = 60
_SIZE_WEIGHT = {"micro": 1.0, "micro_small": 1.25, "small": 1.5, "sme": 1.5, "small_medium": 1.75, "medium": 2.0}
FIRST_LEVELS = Weighted(range(6), (11, 40, 32, 12, 4, 1))
# Chance of taking it again, by the year of the previous attempt (older ones had more time).
RETAKE = {2023: 0.75, 2024: 0.55, 2025: 0.3, 2026: 0.05}


@dataclass(frozen=True)
class Firm:
    enterprise_id: int
    public_key: str
    size_tier: str
    legal_form: str
    is_digital_tech: bool
    registered_on: date
    ceased_on: date | None


def firms_of(rows: list[dict], ids: list[int]) -> list[Firm]:
    return [
        Firm(
            id_,
            r["public_key"],
            r["size_tier"],
            r["legal_form"],
            r["is_digital_tech"],
            r["registered_on"],
            r["ceased_on"],
        )
        for r, id_ in zip(rows, ids, strict=True)
    ]


def _first_day(rng: random.Random, earliest: date, latest: date, as_of: date) -> date:
    """A day from the plan's start to ``as_of``, three times likelier at the end than at the start."""
    span = (as_of - PLAN_START).days
    for _ in range(40):
        day = PLAN_START + timedelta(days=round(span * (1 - rng.random()) ** 0.8))
        if earliest <= day <= latest:
            return day
    return day_between(rng, earliest, latest)


def timeline(rng: random.Random, firm: Firm, as_of: date, first_level: int) -> list[tuple[date, int]]:
    """(day, level) of each attempt: a first one, then maybe one or two retakes."""
    earliest = max(PLAN_START, firm.registered_on + timedelta(days=14))
    latest = min(as_of, firm.ceased_on - timedelta(days=1)) if firm.ceased_on else as_of
    if earliest > latest:
        return []
    day, level = _first_day(rng, earliest, latest, as_of), first_level
    attempts = [(day, level)]
    while len(attempts) < 3 and rng.random() < RETAKE.get(day.year, 0.05) / len(attempts):
        day = day + timedelta(days=rng.randint(150, 540))
        if day > latest:
            break
        roll = rng.random()
        level = min(5, level + 1) if roll < 0.65 else max(0, level - 1) if roll > 0.95 else level
        attempts.append((day, level))
    return attempts


def plan(
    rng: random.Random, firms: list[Firm], as_of: date, must: tuple[int, ...] = ()
) -> dict[int, list[tuple[date, int]]]:
    """Which enterprises took the DBI and their attempts; those in ``must`` (the demo accounts') did."""
    chosen: dict[int, list[tuple[date, int]]] = {}
    smes = [f for f in firms if f.size_tier in SMES]
    mean_weight = sum(_weight(f) for f in smes) / max(1, len(smes))
    for firm in firms:
        if firm.enterprise_id in must:
            chance = 1.0
        elif firm.size_tier in SMES:
            chance = ASSESSED_SHARE * _weight(firm) / mean_weight
        else:
            chance = HOUSEHOLD_SHARE if firm.legal_form == "hkd" else 0.0
        if rng.random() >= chance:
            continue
        first = FIRST_LEVELS.pick(rng) + (1 if firm.is_digital_tech else 0)
        attempts = timeline(rng, firm, as_of, min(first, 5))
        if firm.enterprise_id in must and attempts:
            _retake_lately(rng, attempts, as_of)
        if attempts:
            chosen[firm.enterprise_id] = attempts
    return chosen


def _retake_lately(rng: random.Random, attempts: list[tuple[date, int]], as_of: date) -> None:
    """The demo accounts' enterprises took it again this past year: their history shows progress."""
    last, level = attempts[-1]
    if len(attempts) > 1 and last >= as_of - timedelta(days=365):
        return
    first = max(last + timedelta(days=150), as_of - timedelta(days=300))
    if first <= as_of - timedelta(days=20):
        attempts.append((day_between(rng, first, as_of - timedelta(days=20)), min(5, level + 1)))


def _weight(firm: Firm) -> float:
    return _SIZE_WEIGHT.get(firm.size_tier, 1.0) * (2.5 if firm.is_digital_tech else 1.0)


def _identity() -> dict[str, str]:
    # Random like passwords: a resume token opens an attempt, so it must not follow from the seed.
    return {
        "public_id": secrets.token_urlsafe(9),
        "resume_token_hash": hashlib.sha256(secrets.token_urlsafe(24).encode()).hexdigest(),
    }


def attempt_row(
    rng: random.Random,
    instrument: Instrument,
    scored: answers.Scored,
    user_id: int | None,
    enterprise_id: int | None,
    submitted: datetime,
) -> dict:
    counts = instrument.counts_toward_indicators and enterprise_id is not None
    return {
        **_identity(),
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "user_id": user_id,
        "enterprise_id": enterprise_id,
        "status": "submitted",
        "page": len(instrument.pillars),
        "answers": scored.answers,
        "locale": "en" if rng.random() < 0.04 else "vi",
        "started_at": submitted - timedelta(minutes=rng.randint(6, 45)),
        "updated_at": submitted,
        "submitted_at": submitted,
        "counts_toward_indicators": instrument.counts_toward_indicators,
        "total_share": scored.total_share,
        "overall_level": scored.overall_level,
        "pillar_results": scored.pillar_results,
        "counted_at": submitted if counts else None,
    }


def insert(
    rng: random.Random,
    instrument: Instrument,
    planned: dict[int, list[tuple[date, int]]],
    members: dict[int, tuple[int, datetime]],
) -> int:
    """Insert the planned attempts by each enterprise's verified member, and the latest of each (flushes)."""
    rows = []
    for enterprise_id, attempts in planned.items():
        user_id, approved = members[enterprise_id]
        for day, level in attempts:
            submitted = max(at_office_hours(rng, day), approved + timedelta(hours=1))
            scored = answers.scored_at_level(rng, instrument, level)
            rows.append(attempt_row(rng, instrument, scored, user_id, enterprise_id, submitted))
    ids = bulk.insert_returning_ids(Assessment.__table__, rows)
    latest: dict[int, tuple[int, dict]] = {}
    for id_, row in zip(ids, rows, strict=True):
        held = latest.get(row["enterprise_id"])
        if held is None or held[1]["submitted_at"] < row["submitted_at"]:
            latest[row["enterprise_id"]] = (id_, row)
    bulk.insert_rows(LatestAssessment.__table__, [latest_row(id_, row) for id_, row in latest.values()])
    bulk.insert_rows(
        AuditEvent.__table__,
        [_audit(id_, row, instrument) for id_, row in zip(ids, rows, strict=True)],
    )
    return len(rows)


def latest_row(assessment_id: int, row: dict) -> dict:
    return {
        "enterprise_id": row["enterprise_id"],
        "assessment_id": assessment_id,
        "instrument_id": row["instrument_id"],
        "instrument_version": row["instrument_version"],
        "overall_level": row["overall_level"],
        "total_share": row["total_share"],
        "submitted_at": row["submitted_at"],
    }


def _audit(assessment_id: int, row: dict, instrument: Instrument) -> dict:
    """The "submit" event assessment.services.submit records, dated when the attempt was sent."""
    return {
        "occurred_at": row["submitted_at"],
        "actor_id": row["user_id"],
        "actor_label": DEMO_ACTOR.label,
        "action": "submit",
        "entity_type": "assessment",
        "entity_id": str(assessment_id),
        "before": None,
        "after": {
            "instrument": f"{instrument.id} v{instrument.version}",
            "level": row["overall_level"],
        },
        "provenance": "demo",
    }


def quick_checks(rng: random.Random, instrument: Instrument, as_of: date) -> int:
    """Visitors who tried the quick check without an account: submitted, never counted."""
    rows = []
    for _ in range(QUICK_CHECKS):
        day = _first_day(rng, PLAN_START, as_of, as_of)
        scored = answers.scored_at_level(rng, instrument, FIRST_LEVELS.pick(rng))
        rows.append(attempt_row(rng, instrument, scored, None, None, at_office_hours(rng, day)))
    bulk.insert_rows(Assessment.__table__, rows)
    return len(rows)
