"""Score answers by an instrument's own rules: pillar shares, pillar levels, the overall level.

Arithmetic is exact (fractions), so that a share of exactly 10 % is at level 0 as the rule says.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.assessment.conditions import holds
from app.assessment.instruments import Instrument, OverallRule, Question


@dataclass(frozen=True)
class PillarResult:
    pillar_id: str
    score: Fraction  # sum of question scores
    maximum: Fraction  # sum of question maxima
    share: Fraction  # score / maximum, 0..1
    points: Fraction  # share × pillar weight
    level: int


@dataclass(frozen=True)
class Result:
    pillars: dict[str, PillarResult]
    total_points: Fraction
    total_maximum: Fraction
    total_share: Fraction
    overall_level: int
    not_counted: tuple[str, ...] = ()  # unanswered questions left out of their pillar's maximum
    scored_zero: tuple[str, ...] = ()  # unanswered questions the instrument scores 0

    def as_record(self) -> dict:
        """The plain form stored with a submitted attempt."""
        return {
            pid: {
                "score": float(p.score),
                "max": float(p.maximum),
                "share": round(float(p.share), 6),
                "points": round(float(p.points), 4),
                "level": p.level,
            }
            for pid, p in self.pillars.items()
        }


def visible_questions(instrument: Instrument, answers: dict[str, Any]) -> list[Question]:
    """The questions shown for these answers, in order (skip logic reads earlier answers only)."""
    shown: list[Question] = []
    seen: dict[str, Any] = {}
    for question in instrument.questions:
        if holds(question.show_if, seen):
            shown.append(question)
            if question.name in answers:
                seen[question.name] = answers[question.name]
    return shown


def effective_answers(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers of visible questions only: an answer hidden by a later change does not count."""
    return {q.name: answers[q.name] for q in visible_questions(instrument, answers) if answers.get(q.name) is not None}


def pillar_level(instrument: Instrument, share: Fraction) -> int:
    for level, max_share in instrument.pillar_levels:
        if share <= max_share:
            return level
    return instrument.pillar_levels[-1][0]


def overall_level(instrument: Instrument, total_share: Fraction, levels: list[int]) -> int:
    for rule in instrument.overall_rules:  # highest level first
        enough = sum(1 for lv in levels if lv >= rule.pillar_level_at_least) >= rule.min_pillars
        if total_share > rule.total_share_above and enough:
            return rule.level
    return 0


def score(instrument: Instrument, answers: dict[str, Any]) -> Result:
    """Score a set of answers. A question left blank or hidden counts as its instrument says
    (`Question.unanswered`): 0 out of its maximum, or left out of the pillar's maximum."""
    answered = effective_answers(instrument, answers)
    pillars: dict[str, PillarResult] = {}
    not_counted: list[str] = []
    scored_zero: list[str] = []
    for pillar in instrument.pillars:
        counted = []
        for q in pillar.questions:
            if answered.get(q.name) is None:
                (not_counted if q.unanswered == "not_counted" else scored_zero).append(q.name)
                if q.unanswered == "not_counted":
                    continue
            counted.append(q)
        got = sum((q.score(answered.get(q.name)) for q in counted), Fraction(0))
        maximum = sum((q.max_score() for q in counted), Fraction(0))
        share = got / maximum if maximum else Fraction(0)
        pillars[pillar.id] = PillarResult(
            pillar.id, got, maximum, share, share * pillar.weight, pillar_level(instrument, share)
        )
    total_points = sum((p.points for p in pillars.values()), Fraction(0))
    total_maximum = sum((p.weight for p in instrument.pillars), Fraction(0))
    total_share = total_points / total_maximum if total_maximum else Fraction(0)
    level = overall_level(instrument, total_share, [p.level for p in pillars.values()])
    return Result(pillars, total_points, total_maximum, total_share, level, tuple(not_counted), tuple(scored_zero))


@dataclass(frozen=True)
class LevelReason:
    """Why a result is at its level, and what the next level takes: the rule that gave the level
    (None at level 0) with how many pillars meet its pillar level; the next rule up, how many pillars
    meet it, the pillars still below it (nearest first) and whether the overall score falls short."""

    rule: OverallRule | None
    reached: int
    next_rule: OverallRule | None
    next_reached: int
    below: tuple[str, ...]
    total_short: bool


def level_reason(instrument: Instrument, level: int, total_share: float, levels: dict[str, int]) -> LevelReason:
    """The rules of ``overall_level`` read back for a result at ``level`` (``levels``: pillar id -> its level)."""
    rules = sorted(instrument.overall_rules, key=lambda r: r.level)
    rule = next((r for r in rules if r.level == level), None)
    following = next((r for r in rules if r.level > level), None)

    def meeting(r: OverallRule | None) -> int:
        return 0 if r is None else sum(1 for lv in levels.values() if lv >= r.pillar_level_at_least)

    below: tuple[str, ...] = ()
    if following is not None:
        under = [pid for pid, lv in levels.items() if lv < following.pillar_level_at_least]
        below = tuple(sorted(under, key=lambda pid: -levels[pid]))  # the nearest to the next level first
    return LevelReason(
        rule,
        meeting(rule),
        following,
        meeting(following),
        below,
        following is not None and not total_share > following.total_share_above,
    )
