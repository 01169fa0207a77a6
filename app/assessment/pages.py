"""What a question page and the check-your-answers page show.

A follow-up whose condition reads an answer on its own page is always part of that page: the
browser reveals it as soon as the condition holds (static/js/questions.js reads `condition`), and
without JavaScript it is shown with words saying when to answer it. A follow-up whose condition
reads earlier pages only is shown when the saved answers meet it, as the scoring sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.assessment import scoring
from app.assessment.conditions import answer_tests, referenced_questions
from app.assessment.instruments import Instrument, Question


@dataclass(frozen=True)
class ShownQuestion:
    question: Question
    condition: dict | None = None  # for the browser, when the condition reads an answer on this page
    when: str | None = None  # when to answer it, in words, for a page without JavaScript


def first_input_id(question: Question) -> str:
    """The id of the question's first input: where an error summary's link takes the focus."""
    fid = f"q_{question.name}"
    if question.type in ("single", "multiple"):
        return f"{fid}-{question.choices[0].value}"
    if question.type == "yesno":
        return f"{fid}-yes"
    if question.type == "scale":
        return f"{fid}-0"
    return fid


def page_view(instrument: Instrument, answers: dict[str, Any], index: int) -> tuple[list[ShownQuestion], dict]:
    """The questions of page `index` and the earlier answers their conditions read (for the browser)."""
    pillar = instrument.pillars[index]
    on_page = {q.name for q in pillar.questions}
    visible = scoring.visible_questions(instrument, answers)
    visible_names = {q.name for q in visible}
    shown: list[ShownQuestion] = []
    read_elsewhere: set[str] = set()
    for q in pillar.questions:
        refs = set(referenced_questions(q.show_if))
        if refs & on_page:
            shown.append(ShownQuestion(q, q.show_if, when_to_answer(instrument, q.show_if)))
            read_elsewhere |= refs - on_page
        elif q.name in visible_names:
            shown.append(ShownQuestion(q))
    earlier = {q.name: answers[q.name] for q in visible if q.name in read_elsewhere and answers.get(q.name) is not None}
    return shown, earlier


def _answer_words(question: Question | None, value: Any) -> str:
    if question is None:
        return str(value)
    if question.type == "yesno":
        return {"yes": _("Yes"), "no": _("No")}.get(value, str(value))
    if question.type in ("single", "multiple"):
        return next((str(c.label) for c in question.choices if c.value == value), str(value))
    return format_decimal(value) if isinstance(value, int | float) else str(value)


def when_to_answer(instrument: Instrument, condition: dict | None) -> str:
    """The condition in words: 'Answer this if you chose “Website” for “…”.'"""
    tests = answer_tests(condition)
    if len(tests) != 1 or "answer" not in condition:
        return _("Answer this only if it applies after your earlier answers on this page.")
    test = tests[0]
    question = instrument.questions_by_name.get(test["question"])
    label = str(question.label) if question else test["question"]
    if "answered" in test:
        if test["answered"]:
            return _("Answer this if you answered “%(question)s”.", question=label)
        return _("Answer this if you left “%(question)s” blank.", question=label)
    if "at_least" in test:
        return _(
            "Answer this if your answer to “%(question)s” is %(number)s or more.",
            question=label,
            number=format_decimal(test["at_least"]),
        )
    if "in" in test:
        chosen = ", ".join(f"“{_answer_words(question, v)}”" for v in test["in"])
        return _("Answer this if you chose one of %(answers)s for “%(question)s”.", answers=chosen, question=label)
    value = _answer_words(question, test.get("equals", test.get("includes")))
    return _("Answer this if you chose “%(answer)s” for “%(question)s”.", answer=value, question=label)


@dataclass(frozen=True)
class CheckedAnswer:
    question: Question
    number: int  # the page it is on
    words: list[str]  # the answer in words; empty when unanswered
    is_missing: bool  # required and unanswered


def answer_in_words(question: Question, value: Any) -> list[str]:
    """Option labels rather than codes, numbers formatted for the page's language."""
    if value is None or value == [] or value == "":
        return []
    if question.type == "multiple":
        return [_answer_words(question, v) for v in value]
    if question.type == "scale":
        return [_("%(n)s on a scale from 0 to %(top)s", n=value, top=question.top)]
    if question.type == "number":
        unit = str(question.unit or "")
        return [format_decimal(value) + (unit if unit == "%" else f" {unit}" if unit else "")]
    return [_answer_words(question, value)]


def check_answers(instrument: Instrument, answers: dict[str, Any]) -> list[tuple[int, Any, list[CheckedAnswer]]]:
    """Every pillar with each question shown for these answers and its answer in words."""
    visible = {q.name for q in scoring.visible_questions(instrument, answers)}
    sections = []
    for number, pillar in enumerate(instrument.pillars, 1):
        rows = []
        for q in pillar.questions:
            if q.name not in visible:
                continue
            words = answer_in_words(q, answers.get(q.name))
            rows.append(CheckedAnswer(q, number, words, is_missing=q.required and not words))
        sections.append((number, pillar, rows))
    return sections
