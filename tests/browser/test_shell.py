"""The home page in a real browser, on a phone, in Vietnamese and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.factories import make_enterprise

ROOT = Path(__file__).resolve().parents[2]


def _catalogue(lang: str) -> dict[str, str]:
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and isinstance(m.id, str)}


def untranslated_on(text: str, lang: str) -> list[str]:
    """Sentences of the other language that show on a page (a missing or broken translation)."""
    vi = _catalogue("vi")
    other = (
        [msgid for msgid, vi_text in vi.items() if msgid != vi_text]
        if lang == "vi"
        else [v for k, v in vi.items() if k != v]
    )
    return [s for s in other if len(s) > 25 and "%" not in s and s in text]


@pytest.mark.parametrize(
    "lang, heading, switch",
    [
        ("vi", "Chuyển đổi số doanh nghiệp", "English"),
        ("en", "Digital transformation of enterprises", "Tiếng Việt"),
    ],
)
def test_home_page_on_a_phone(app, make_page, lang, heading, switch):
    with app.app_context():
        make_enterprise()
    page = make_page(360)
    if lang == "en":
        page.goto("/")
        page.page.get_by_role("link", name="English").click()
    else:
        page.goto("/")
    assert page.page.locator("html").get_attribute("lang") == lang
    assert heading in page.page.locator("h1").inner_text()
    text = page.page.locator("body").inner_text()
    assert untranslated_on(text, lang) == []
    # nothing wider than the screen
    assert page.page.evaluate("document.documentElement.scrollWidth") <= 360
    # the menu opens with the keyboard alone
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.textContent").strip() in (
        "Chuyển đến nội dung chính",
        "Skip to main content",
    )
    page.screenshot(f"home-{lang}-360")
    assert page.page.get_by_role("link", name=switch).count() == 1
    assert page.errors == []
