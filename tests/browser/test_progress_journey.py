"""The progress pages on a phone in both languages: summary, a card, an indicator page and its breakdown."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import _serious_violations

WORDS = {
    "vi": {"title": "Tiến độ thực hiện mục tiêu", "lags": "Chậm ở đâu", "size": "Quy mô", "how": "Cách tính"},
    "en": {
        "title": "Progress toward the targets",
        "lags": "Where it lags",
        "size": "Size",
        "how": "How is this computed",
    },
}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_public_follows_a_target_from_the_dashboard_to_its_breakdown_on_a_phone(province, browser, live_server, lang):
    words = WORDS[lang]
    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server + "/tien-do")
    assert page.locator("h1").inner_text() == words["title"]
    assert _fits(page), "the dashboard overflows 360 px"
    assert page.locator(".indicator-card").count() >= 5
    assert _serious_violations(page, "/tien-do") == []
    page.screenshot(path=f"test-artifacts/progress-{lang}-360.png", full_page=True)

    page.locator("#card-T5 a").click()
    page.wait_for_load_state()
    assert "/tien-do/T5" in page.url
    assert page.locator("svg#series-chart, svg[aria-labelledby^='series-chart']").count() == 1
    assert page.get_by_role("heading", name=words["how"]).is_visible()
    page.get_by_role("link", name=words["size"]).click()
    page.wait_for_load_state()
    assert "theo=size" in page.url
    assert page.get_by_role("heading", name=words["lags"]).is_visible()
    assert _fits(page), "the indicator page overflows 360 px"
    assert _serious_violations(page, "/tien-do/T5") == []
    page.screenshot(path=f"test-artifacts/progress-T5-{lang}-360.png", full_page=True)
    context.close()
    assert errors == []
