"""`flask surveys check` passes on sound instruments and fails, naming file and line, on broken copies."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.assessment.check import check_all, check_file

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "surveys"


@pytest.fixture
def surveys(tmp_path):
    """A copy of the project's surveys/ folder plus the test instrument, to break at will."""
    folder = tmp_path / "surveys"
    shutil.copytree(ROOT / "surveys", folder)
    shutil.copytree(FIXTURES / "mini", folder / "mini")
    return folder


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_the_project_instruments_are_sound():
    assert check_all(ROOT / "surveys") == []


def test_the_cli_check_passes(runner):
    result = runner.invoke(args=["surveys", "check"])
    assert result.exit_code == 0, result.output


def test_missing_translation_is_named_with_its_line(surveys):
    path = surveys / "mini" / "1.yaml"
    edit(path, "          en: Scale 3\n", "")
    problems = check_file(path, surveys)
    assert problems and all(str(path) in p.where for p in problems)
    assert any("'en' is a required property" in p.message for p in problems), problems
    assert any(p.where.endswith(f":{line_of(path, 'vi: Thang điểm 3')}") for p in problems), problems


def test_flow_style_text_is_refused(surveys):
    path = surveys / "mini" / "1.yaml"
    edit(
        path, "title:\n  vi: Bộ câu hỏi thử\n  en: Test instrument", "title: {vi: Bộ câu hỏi thử, en: Test instrument}"
    )
    problems = check_file(path, surveys)
    assert any("block mapping" in p.message and p.where.endswith(":7") for p in problems), problems


def test_duplicate_question_name(surveys):
    path = surveys / "mini" / "1.yaml"
    edit(path, "name: s_p2", "name: s_p1")
    second = [i for i, line in enumerate(path.read_text().splitlines(), 1) if "name: s_p1" in line][1]
    problems = check_file(path, surveys)
    assert any("duplicate question name 's_p1'" in p.message and p.where.endswith(f":{second}") for p in problems), (
        problems
    )


def test_choice_without_score(surveys):
    path = surveys / "dbi-sme" / "1.yaml"
    text = path.read_text(encoding="utf-8")
    match = re.search(r"\n(\s+)score: [0-9.]+\n", text)
    path.write_text(text[: match.start()] + "\n" + text[match.end() :], encoding="utf-8")
    problems = check_file(path, surveys)
    assert any("'score' is a required property" in p.message for p in problems), problems


def test_unreachable_thresholds(surveys):
    path = surveys / "mini" / "1.yaml"
    edit(path, "max_share: 1.0", "max_share: 0.9")
    edit(path, "min_pillars: 6", "min_pillars: 7")
    messages = [p.message for p in check_file(path, surveys)]
    assert any("top level must reach 1.0" in m for m in messages)
    assert any("needs 7 pillars but there are 6" in m for m in messages)


def test_skip_logic_must_read_an_earlier_question(surveys):
    path = surveys / "mini" / "1.yaml"
    edit(
        path,
        "      - name: y_p1\n",
        "      - name: y_p1\n        show_if:\n          answer:\n            question: s_p6\n            equals: 3\n",
    )
    assert any("not an earlier question" in p.message for p in check_file(path, surveys))


def test_a_published_version_cannot_change(surveys, runner, app):
    app.config["SURVEYS_DIR"] = str(surveys)
    assert runner.invoke(args=["surveys", "publish", "mini", "1"]).exit_code == 0
    assert check_all(surveys) == []
    path = surveys / "mini" / "1.yaml"
    edit(path, "en: Scale 3", "en: Scale three")
    problems = check_all(surveys)
    assert any("has since been changed" in p.message and str(path) in p.where for p in problems)
    result = runner.invoke(args=["surveys", "check"])
    assert result.exit_code != 0 and f"{path}:" in result.output


def test_publish_refuses_a_broken_draft(surveys, runner, app):
    app.config["SURVEYS_DIR"] = str(surveys)
    edit(surveys / "mini" / "1.yaml", "          en: Scale 3\n", "")
    result = runner.invoke(args=["surveys", "publish", "mini", "1"])
    assert result.exit_code != 0
    assert "status: draft" in (surveys / "mini" / "1.yaml").read_text()
    assert "mini 1" not in (surveys / "published.lock").read_text()


def test_a_question_that_can_go_unanswered_must_say_how_it_counts(surveys):
    """A new version states, for every optional or conditional question, whether blank scores 0 or is
    left out of the maximum; a question always answered takes no such rule."""
    path = surveys / "dbi-sme" / "3.yaml"
    text = (surveys / "dbi-sme" / "2.yaml").read_text(encoding="utf-8")
    path.write_text(
        text.replace("version: 2", "version: 3", 1).replace("status: published", "status: draft", 1), encoding="utf-8"
    )
    assert check_file(path, surveys) == []
    edit(path, "        required: false\n        unanswered: not_counted\n", "        required: false\n")
    edit(path, "        required: true\n        unanswered: zero\n", "        required: true\n")
    problems = check_file(path, surveys)
    assert [p.message.split(":")[0] for p in problems] == ["website_updated", "remote_work"], problems
    assert f"{path}:{line_of(path, 'name: remote_work')}" in [p.where for p in problems]
    edit(path, "      - name: online_presence\n", "      - name: online_presence\n        unanswered: zero\n")
    assert any("always answered" in p.message for p in check_file(path, surveys))
