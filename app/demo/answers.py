"""Made-up answers to a readiness instrument, scored by the instrument's own rules.

A business's answers follow one "maturity" between 0 and 1, varied per pillar and per question, so
that a firm that sells online also tends to keep its books in software. Every answer set is scored
with app.assessment.scoring, so the stored level, shares and pillar results agree with the answers.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from app.assessment import scoring
from app.assessment.conditions import holds
from app.assessment.instruments import (
    Instrument,
    MultipleChoice,
    Number,
    Question,
    Scale,
    SingleChoice,
    YesNo,
)

# The maturity most firms of a level answer with; drawn around it, then kept if the level matches.
_MATURITY = {0: 0.04, 1: 0.2, 2: 0.38, 3: 0.58, 4: 0.8, 5: 0.98}
_TRIES = 60


@dataclass(frozen=True)
class Scored:
    """One answer set with what submission stamps on the attempt."""

    answers: dict[str, Any]
    overall_level: int
    total_share: float
    pillar_results: dict[str, Any]


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _answer(rng: random.Random, question: Question, maturity: float) -> Any:
    m = _clamp(maturity + rng.gauss(0, 0.12))
    if isinstance(question, SingleChoice):
        ranked = sorted(question.choices, key=lambda c: c.score)
        return ranked[round(m * (len(ranked) - 1))].value
    if isinstance(question, MultipleChoice):
        plain = [c for c in question.choices if not c.exclusive]
        chosen = {c.value for c in plain if rng.random() < m * 0.95}
        if not chosen:
            none = next((c for c in question.choices if c.exclusive), None)
            chosen = {none.value if none else rng.choice(plain).value}
        return [c.value for c in question.choices if c.value in chosen]
    if isinstance(question, Scale):
        return min(question.top, max(0, round(m * question.top + rng.gauss(0, 0.5))))
    if isinstance(question, YesNo):
        better, worse = ("yes", "no") if question.yes_score >= question.no_score else ("no", "yes")
        return better if rng.random() < m else worse
    if isinstance(question, Number):
        return _number(rng, question, m)
    raise TypeError(f"No demo answers for question type {question.type!r}.")


def _number(rng: random.Random, question: Number, m: float) -> int:
    """A value inside the band this maturity reaches (bands are ordered by their upper bound)."""
    index = round(m * (len(question.bands) - 1))
    low = question.minimum if index == 0 else question.bands[index - 1][0] + 1
    high = question.bands[index][0]
    high = question.maximum if high is None else high
    return rng.randint(int(min(low, high)), int(high))


def answer_set(rng: random.Random, instrument: Instrument, maturity: float) -> dict[str, Any]:
    """Answers to every question shown (skip logic honoured); optional ones are sometimes left out."""
    answers: dict[str, Any] = {}
    for pillar in instrument.pillars:
        pillar_maturity = _clamp(maturity + rng.gauss(0, 0.08))
        for question in pillar.questions:
            if not holds(question.show_if, answers):
                continue
            if not question.required and rng.random() < 0.25:
                continue
            answers[question.name] = _answer(rng, question, pillar_maturity)
    return answers


def score(instrument: Instrument, answers: dict[str, Any]) -> Scored:
    result = scoring.score(instrument, answers)
    return Scored(
        scoring.effective_answers(instrument, answers),
        result.overall_level,
        round(float(result.total_share), 6),
        result.as_record(),
    )


def scored_at_level(rng: random.Random, instrument: Instrument, level: int) -> Scored:
    """Answers that score at ``level``, or the nearest level reached after a few draws."""
    best: Scored | None = None
    for _ in range(_TRIES):
        maturity = _clamp(_MATURITY.get(level, 0.5) + rng.gauss(0, 0.05))
        found = score(instrument, answer_set(rng, instrument, maturity))
        if found.overall_level == level:
            return found
        if best is None or abs(found.overall_level - level) < abs(best.overall_level - level):
            best = found
    return best


def _compact(value: Any) -> str:
    # Millions of copies: no spaces after separators (a tenth of the bytes).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Pool:
    """Pre-scored answer sets by level, their JSON written once: what millions of attempts reuse."""

    def __init__(self, rng: random.Random, instrument: Instrument, per_level: int = 34):
        self.by_level: dict[int, list[tuple[str, float, str]]] = defaultdict(list)
        for level in sorted(instrument.levels):
            for _ in range(per_level):
                found = scored_at_level(rng, instrument, level)
                self.by_level[found.overall_level].append(
                    (
                        _compact(found.answers),
                        found.total_share,
                        _compact(found.pillar_results),
                    )
                )

    def pick(self, rng: random.Random, level: int) -> tuple[int, str, float, str]:
        """(level, answers JSON, total share, pillar results JSON) at ``level`` or the nearest one held."""
        held = min(self.by_level, key=lambda lv: (abs(lv - level), lv))
        answers, share, pillars = rng.choice(self.by_level[held])
        return held, answers, share, pillars
