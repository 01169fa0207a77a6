"""Skip logic: structured conditions on earlier answers, evaluated without eval()."""

from __future__ import annotations

from typing import Any


def holds(condition: dict | None, answers: dict[str, Any]) -> bool:
    """True when the condition is met by the answers (no condition: always)."""
    if not condition:
        return True
    if "all" in condition:
        return all(holds(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, answers) for c in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], answers)
    test = condition["answer"]
    value = answers.get(test["question"])
    if "answered" in test:
        return (value not in (None, "", [])) == test["answered"]
    if value is None:
        return False
    if "equals" in test:
        return value == test["equals"]
    if "in" in test:
        return value in test["in"]
    if "includes" in test:
        return isinstance(value, list) and test["includes"] in value
    if "at_least" in test:
        return isinstance(value, int | float) and value >= test["at_least"]
    return False


def answer_tests(condition: dict | None) -> list[dict]:
    """Every `answer` test inside a condition (for the checker)."""
    if not condition:
        return []
    if "all" in condition or "any" in condition:
        return [t for c in condition.get("all", condition.get("any")) for t in answer_tests(c)]
    if "not" in condition:
        return answer_tests(condition["not"])
    return [condition["answer"]]


def referenced_questions(condition: dict | None) -> list[str]:
    """Names of the questions a condition reads."""
    return [test["question"] for test in answer_tests(condition)]
