"""A new version changes nothing for attempts of an older one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from app import create_app
from app.assessment import scoring, services
from app.assessment.catalog import instruments
from tests.assessment_helpers import answer_all, low_value, start

ROOT = Path(__file__).resolve().parents[1]


def _result_section(html: str) -> str:
    """The part of the results page that depends on the instrument (level, pillars, next steps)."""
    return html[html.index('<section class="level-card') : html.index('aria-labelledby="keep-title"')]


def test_an_attempt_renders_and_scores_identically_after_a_new_version_is_published(app, database, tmp_path, runner):
    surveys = tmp_path / "surveys"
    shutil.copytree(ROOT / "surveys", surveys)
    app.config["SURVEYS_DIR"] = str(surveys)

    client = app.test_client()
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id, choose=low_value)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    before_html = _result_section(client.get(f"/danh-gia/lan/{public_id}/ket-qua").get_data(as_text=True))
    with app.app_context():
        before = services.by_public_id(public_id).pillar_results

    # The next version: same questions, different scores and thresholds.
    with app.app_context():
        old = instruments().current("dbi-sme").version
    new = old + 1
    v1 = (surveys / "dbi-sme" / f"{old}.yaml").read_text(encoding="utf-8")
    v2 = v1.replace(f"version: {old}", f"version: {new}", 1).replace("status: published", "status: draft", 1)
    v2 = re.sub(r"score: (\d+)", lambda m: f"score: {int(m.group(1)) * 2}", v2)
    v2 = v2.replace("max_share: 0.2\n", "max_share: 0.25\n", 1)
    (surveys / "dbi-sme" / f"{new}.yaml").write_text(v2, encoding="utf-8")
    result = runner.invoke(args=["surveys", "publish", "dbi-sme", str(new)])
    assert result.exit_code == 0, result.output

    fresh = create_app(
        {
            **database,
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "i2"),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SURVEYS_DIR": str(surveys),
        }
    )
    with fresh.app_context():
        assert instruments().current("dbi-sme").version == new
        attempt = services.by_public_id(public_id)
        again = scoring.score(services.instrument_of(attempt), attempt.answers)
        assert again.as_record() == before and again.overall_level == attempt.overall_level
    browser = fresh.test_client()
    with client.session_transaction() as s:
        granted = s["assessments"]
    with browser.session_transaction() as s:
        s["assessments"] = granted
    after_html = _result_section(browser.get(f"/danh-gia/lan/{public_id}/ket-qua").get_data(as_text=True))
    assert after_html == before_html

    new_attempt = start(browser, "dbi-sme")
    with fresh.app_context():
        assert services.by_public_id(new_attempt).instrument_version == new


def test_a_version_published_before_the_unanswered_rule_scores_exactly_as_it_did(app_ctx):
    """dbi-sme v1 states no rule: its blank optional questions keep scoring 0, so stored results stay true."""
    v1, v2 = instruments().get("dbi-sme", 1), instruments().get("dbi-sme", 2)
    assert all(q.unanswered == "zero" for q in v1.questions)
    optional = [q for q in v2.questions if not q.required]
    assert optional and all(q.unanswered == "not_counted" for q in optional)
    answers = {q.name: _best(q) for q in v1.questions if q.required and q.show_if is None}
    first, second = scoring.score(v1, answers), scoring.score(v2, answers)
    assert set(first.scored_zero) >= {q.name for q in optional} and not first.not_counted
    assert set(second.not_counted) == {q.name for q in optional}
    # the blank optional questions lower v1's share and leave v2's untouched
    assert second.total_share > first.total_share
    for pillar in v2.pillars:
        if any(q in optional for q in pillar.questions):
            assert second.pillars[pillar.id].maximum < first.pillars[pillar.id].maximum


def _best(question):
    """The highest-scoring answer to a question."""
    if question.type == "single":
        return max(question.choices, key=lambda c: c.score).value
    if question.type == "multiple":
        return [c.value for c in question.choices if c.score > 0 and not c.exclusive]
    if question.type == "yesno":
        return "yes" if question.yes_score >= question.no_score else "no"
    if question.type == "scale":
        return question.top
    top = max(question.bands, key=lambda b: b[1])
    return question.maximum if top[0] is None else top[0]
