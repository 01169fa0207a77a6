"""axe-core finds no serious or critical violation on the main pages, in both languages (WCAG 2.2 AA)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.assessment_helpers import answer_all, start
from tests.factories import make_enterprise

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _serious_violations(page, path: str) -> list[str]:
    """Run axe-core on the page shown and describe its serious and critical violations."""
    page.evaluate(AXE)
    result = page.evaluate("(rules) => axe.run(document, rules)", RULES)
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_main_pages_have_no_serious_violations(app, browser, live_server, lang):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Thủy sản Hải Đăng", commune_code="22258").public_key
    client = app.test_client()
    public_id = start(client, "quick-check")
    answer_all(client, app, public_id)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    with client.session_transaction() as s:
        granted = s["assessments"]
    paths = [
        "/",
        "/doanh-nghiep",
        "/doanh-nghiep?q=hai+dang",
        f"/doanh-nghiep/{key}",
        "/khoi-nghiep",
        "/danh-gia",
        f"/danh-gia/lan/{public_id}/ket-qua",
        "/dang-nhap",
        "/dang-ky",
        "/gioi-thieu",
        "/api/v1/",
        "/khong-co",
    ]
    # axe is injected by the test harness, so the page's own CSP is bypassed for it alone.
    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    problems = []
    for path in paths:
        if "/ket-qua" in path:  # carry the private-link grant of the test client into this browser
            context.add_cookies([{"name": "session", "value": client.get_cookie("session").value, "url": live_server}])
        page.goto(live_server + path)
        problems += _serious_violations(page, path)
    context.close()
    assert granted and problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_workspace_pages_have_no_serious_violations(app, browser, live_server, lang):
    from app.audit import CLI
    from app.auth import totp
    from app.extensions import db
    from app.imports import services as imports
    from app.targets.loader import load_targets
    from tests.factories import make_user
    from tests.test_imports import MESSY

    with app.app_context():
        kept = make_enterprise("Công ty TNHH Thủy sản Hải Đăng", commune_code="22015")
        key = kept.public_key
        pair = (kept.id, make_enterprise("DNTN Hai Dang", commune_code="22015", legal_form="dntn", code=None).id)
        load_targets()
        db.session.commit()
        batch_id = imports.check_file(MESSY, "so-lieu.csv", CLI).id
        admin = make_user("admin@so.gov.vn", role="admin")
        secret, admin_id = admin.totp_secret, admin.id
    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    page.goto(live_server + "/dang-nhap")
    page.fill("#email", "admin@so.gov.vn")
    page.fill("#password", "correct horse battery staple")
    page.locator("main form button[type=submit]").click()
    page.fill("#code", totp.current_code(secret))
    page.locator("main form button[type=submit]").click()
    paths = [
        "/so/",
        "/so/duyet",
        "/so/nhap",
        f"/so/nhap/{batch_id}",
        "/so/nhap/lich-su",
        "/so/ho-so?q=hai",
        f"/so/ho-so/{key}",
        f"/so/ho-so/{key}/sua",
        "/so/trung-lap",
        f"/so/trung-lap/gop?keep={pair[0]}&other={pair[1]}",
        "/so/chi-tieu",
        "/so/chi-tieu/T4",
        "/so/chi-tieu/cai-dat",
        "/tien-do",
        "/tien-do/T5/ho-so",
        "/so/chi-tieu/T1",
        "/so/nguoi-dung",
        "/so/nguoi-dung/moi",
        f"/so/nguoi-dung/{admin_id}",
    ]
    problems = []
    for path in paths:
        response = page.goto(live_server + path)
        assert response.status == 200, (path, response.status)
        problems += _serious_violations(page, path)
    context.close()
    assert problems == [], "\n".join(problems)
