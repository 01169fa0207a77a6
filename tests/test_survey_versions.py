"""A new version changes nothing for attempts of an older one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from app import create_app
from app.assessment import scoring, services
from app.assessment.registry import instruments
from tests.assessment_helpers import answer_all, low_value, start

ROOT = Path(__file__).resolve().parents[1]


def _result_section(html: str) -> str:
    """The part of the results page that depends on the instrument (level, pillars, next steps)."""
    return html[html.index('<section class="level-card'):html.index('aria-labelledby="keep-title"')]


def test_a_v1_attempt_renders_and_scores_identically_after_v2_is_published(app, database, tmp_path, runner):
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

    # v2: same questions, different scores and thresholds, a reworded label.
    v1 = (surveys / "dbi-sme" / "1.yaml").read_text(encoding="utf-8")
    v2 = v1.replace("version: 1", "version: 2", 1).replace("status: published", "status: draft", 1)
    v2 = re.sub(r"score: (\d+)", lambda m: f"score: {int(m.group(1)) * 2}", v2)
    v2 = v2.replace("max_share: 0.2\n", "max_share: 0.25\n", 1)
    (surveys / "dbi-sme" / "2.yaml").write_text(v2, encoding="utf-8")
    result = runner.invoke(args=["surveys", "publish", "dbi-sme", "2"])
    assert result.exit_code == 0, result.output

    fresh = create_app({**database, "TESTING": True, "INSTANCE_PATH": str(tmp_path / "i2"), "SECRET_KEY": "test-secret",
                        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SURVEYS_DIR": str(surveys)})
    with fresh.app_context():
        assert instruments().current("dbi-sme").version == 2
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
        assert services.by_public_id(new_attempt).instrument_version == 2
