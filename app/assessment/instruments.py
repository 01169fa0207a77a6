"""Instruments as objects: pillars, questions (one small class per type), levels, rules.

Built from a validated YAML file (see check.py); never changed once built.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from app.domain.numbers import plain_number
from app.i18n import localized


@dataclass(frozen=True)
class Text:
    vi: str
    en: str

    def __str__(self) -> str:
        return localized(self.vi, self.en)

    @classmethod
    def of(cls, data: dict | None) -> Text | None:
        return cls(data["vi"], data["en"]) if data else None


class AnswerError(ValueError):
    """An answer that cannot be accepted; `code` selects the translated message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _frac(value) -> Fraction:
    return Fraction(str(value))


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    score: Fraction
    exclusive: bool = False


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    pillar_id: str
    label: Text
    hint: Text | None
    required: bool
    show_if: dict | None
    # How the question counts when it is left blank or hidden by its condition: "zero" scores 0 out
    # of its maximum (what versions published before the rule do), "not_counted" leaves it out of the
    # pillar's maximum too. The instrument states it for every question that can go unanswered.
    unanswered: str = "zero"

    @property
    def can_go_unanswered(self) -> bool:
        return not self.required or self.show_if is not None

    def max_score(self) -> Fraction:
        raise NotImplementedError

    def score(self, value: Any) -> Fraction:
        raise NotImplementedError

    def parse(self, raw: list[str]) -> Any:
        """Turn submitted form values into the stored answer; None when left empty."""
        raise NotImplementedError


@dataclass(frozen=True)
class SingleChoice(Question):
    choices: tuple[Choice, ...] = ()

    def max_score(self):
        return max(c.score for c in self.choices)

    def score(self, value):
        return next((c.score for c in self.choices if c.value == value), Fraction(0))

    def parse(self, raw):
        value = raw[0] if raw else ""
        if not value:
            return None
        if value not in {c.value for c in self.choices}:
            raise AnswerError("invalid_choice")
        return value


@dataclass(frozen=True)
class MultipleChoice(Question):
    choices: tuple[Choice, ...] = ()
    cap: Fraction | None = None

    def max_score(self):
        total = sum((c.score for c in self.choices), Fraction(0))
        return min(total, self.cap) if self.cap is not None else total

    def score(self, value):
        chosen = set(value or ())
        total = sum((c.score for c in self.choices if c.value in chosen), Fraction(0))
        return min(total, self.max_score())

    def parse(self, raw):
        values = [v for v in raw if v]
        if not values:
            return None
        known = {c.value: c for c in self.choices}
        if any(v not in known for v in values):
            raise AnswerError("invalid_choice")
        if len(values) > 1 and any(known[v].exclusive for v in values):
            raise AnswerError("exclusive_choice", choice=next(known[v].label for v in values if known[v].exclusive))
        order = [c.value for c in self.choices]
        return sorted(set(values), key=order.index)


@dataclass(frozen=True)
class Scale(Question):
    low: Text | None = None
    high: Text | None = None
    top: int = 5

    def max_score(self):
        return Fraction(self.top)

    def score(self, value):
        return Fraction(int(value)) if value is not None else Fraction(0)

    def parse(self, raw):
        value = raw[0] if raw else ""
        if value == "":
            return None
        if not (value.isascii() and value.isdigit()) or not 0 <= int(value) <= self.top:
            raise AnswerError("invalid_choice")
        return int(value)


@dataclass(frozen=True)
class YesNo(Question):
    yes_score: Fraction = Fraction(1)
    no_score: Fraction = Fraction(0)

    def max_score(self):
        return max(self.yes_score, self.no_score)

    def score(self, value):
        return {"yes": self.yes_score, "no": self.no_score}.get(value, Fraction(0))

    def parse(self, raw):
        value = raw[0] if raw else ""
        if not value:
            return None
        if value not in ("yes", "no"):
            raise AnswerError("invalid_choice")
        return value


@dataclass(frozen=True)
class Number(Question):
    minimum: float = 0
    maximum: float = 0
    unit: Text | None = None
    bands: tuple[tuple[float | None, Fraction], ...] = ()

    def max_score(self):
        return max(score for _, score in self.bands)

    def score(self, value):
        if value is None:
            return Fraction(0)
        for up_to, band_score in self.bands:
            if up_to is None or value <= up_to:
                return band_score
        return Fraction(0)

    def parse(self, raw):
        text = (raw[0] if raw else "").strip().replace(" ", "")
        if text == "":
            return None
        text = plain_number(text)
        try:
            value = float(text)
        except ValueError:
            raise AnswerError("not_a_number") from None
        if not self.minimum <= value <= self.maximum:
            raise AnswerError("out_of_range", minimum=self.minimum, maximum=self.maximum)
        return int(value) if value.is_integer() else value


@dataclass(frozen=True)
class Level:
    level: int
    name: Text
    meaning: Text


@dataclass(frozen=True)
class Pillar:
    id: str
    order: int
    name: Text
    description: Text | None
    weight: Fraction
    questions: tuple[Question, ...]

    def max_score(self) -> Fraction:
        return sum((q.max_score() for q in self.questions), Fraction(0))


@dataclass(frozen=True)
class Recommendation:
    pillar_id: str
    levels: tuple[int, ...]
    text: Text
    categories: tuple[str, ...]


@dataclass(frozen=True)
class OverallRule:
    level: int
    total_share_above: Fraction
    min_pillars: int
    pillar_level_at_least: int


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    status: str
    counts_toward_indicators: bool
    title: Text
    description: Text
    legal_basis: Text
    estimated_minutes: int
    invites: str | None
    levels: dict[int, Level]
    pillars: tuple[Pillar, ...]
    pillar_levels: tuple[tuple[int, Fraction], ...]
    overall_rules: tuple[OverallRule, ...]
    recommendations: tuple[Recommendation, ...]
    content_hash: str
    questions_by_name: dict[str, Question] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    @property
    def questions(self) -> list[Question]:
        return [q for p in self.pillars for q in p.questions]

    def pillar(self, pillar_id: str) -> Pillar:
        return next(p for p in self.pillars if p.id == pillar_id)

    def recommendations_for(self, pillar_id: str, level: int) -> list[Recommendation]:
        return [r for r in self.recommendations if r.pillar_id == pillar_id and level in r.levels]


def content_hash(data: dict) -> str:
    """Hash of the parsed content: comments and layout do not change it, any value does."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _question(data: dict, pillar_id: str) -> Question:
    common = dict(
        name=data["name"],
        type=data["type"],
        pillar_id=pillar_id,
        label=Text.of(data["label"]),
        hint=Text.of(data.get("hint")),
        required=data["required"],
        show_if=data.get("show_if"),
        unanswered=data.get("unanswered", "zero"),
    )
    kind = data["type"]
    if kind in ("single", "multiple"):
        choices = tuple(
            Choice(c["value"], Text.of(c["label"]), _frac(c["score"]), c.get("exclusive", False))
            for c in data["choices"]
        )
        if kind == "single":
            return SingleChoice(**common, choices=choices)
        cap = _frac(data["max_score"]) if "max_score" in data else None
        return MultipleChoice(**common, choices=choices, cap=cap)
    if kind == "scale":
        labels = data["scale_labels"]
        return Scale(**common, low=Text.of(labels["low"]), high=Text.of(labels["high"]))
    if kind == "yesno":
        return YesNo(**common, yes_score=_frac(data["yes_score"]), no_score=_frac(data["no_score"]))
    bands = tuple((b["up_to"], _frac(b["score"])) for b in data["bands"])
    return Number(**common, minimum=data["min"], maximum=data["max"], unit=Text.of(data.get("unit")), bands=bands)


def build(data: dict) -> Instrument:
    """Make an Instrument from data that passed the schema and the checks."""
    pillars = tuple(
        Pillar(
            id=p["id"],
            order=p["order"],
            name=Text.of(p["name"]),
            description=Text.of(p.get("description")),
            weight=_frac(p["weight"]),
            questions=tuple(_question(q, p["id"]) for q in p["questions"]),
        )
        for p in sorted(data["pillars"], key=lambda p: p["order"])
    )
    scoring = data["scoring"]
    instrument = Instrument(
        id=data["id"],
        version=data["version"],
        status=data["status"],
        counts_toward_indicators=data["counts_toward_indicators"],
        title=Text.of(data["title"]),
        description=Text.of(data["description"]),
        legal_basis=Text.of(data["legal_basis"]),
        estimated_minutes=data["estimated_minutes"],
        invites=data.get("invites"),
        levels={lv["level"]: Level(lv["level"], Text.of(lv["name"]), Text.of(lv["meaning"])) for lv in data["levels"]},
        pillars=pillars,
        pillar_levels=tuple(sorted((r["level"], _frac(r["max_share"])) for r in scoring["pillar_levels"])),
        overall_rules=tuple(
            sorted(
                (
                    OverallRule(r["level"], _frac(r["total_share_above"]), r["min_pillars"], r["pillar_level_at_least"])
                    for r in scoring["overall"]
                ),
                key=lambda r: -r.level,
            )
        ),
        recommendations=tuple(
            Recommendation(r["pillar"], tuple(r["levels"]), Text.of(r["text"]), tuple(r["categories"]))
            for r in data["recommendations"]
        ),
        content_hash=content_hash(data),
    )
    instrument.questions_by_name.update({q.name: q for q in instrument.questions})
    return instrument
