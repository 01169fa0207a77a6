"""Question pages in a browser: a follow-up revealed as its condition is chosen (and shown with when to
answer it without JavaScript), the error summary taking the focus, check your answers, and the attempt
in progress offered first."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_assessment_journey import answer_visible_questions, press_and_wait
from tests.factories import make_user

TEXT = {
    "vi": {
        "next": "Tiếp theo",
        "problem": "Có vấn đề cần bạn xem lại",
        "when": "Trả lời câu này nếu bạn chọn “Có”",
        "change": "Thay đổi câu trả lời của bạn cho câu:",
        "back_to_check": "Lưu và quay lại danh sách câu trả lời",
        "check": "Kiểm tra câu trả lời trước khi nộp",
        "continue": "Tiếp tục bài đánh giá từ trang 3",
        "email": "Địa chỉ e-mail",
        "password": "Mật khẩu",
        "sign_in": "Đăng nhập",
    },
    "en": {
        "next": "Next",
        "problem": "There is a problem",
        "when": "Answer this if you chose “Yes”",
        "change": "Change your answer to:",
        "back_to_check": "Save and return to your answers",
        "check": "Check your answers before submitting",
        "continue": "Continue your assessment from page 3",
        "email": "E-mail address",
        "password": "Password",
        "sign_in": "Sign in",
    },
}


def _context(browser, live_server, lang, width=360, **options):
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    return context


def _start_full_assessment(page, live_server):
    page.goto(f"{live_server}/danh-gia")
    page.locator("form[action$='/bat-dau/dbi-sme'] button[type=submit]").click()
    page.wait_for_url("**/trang/1")
    page.wait_for_load_state()


def _next(page, text):
    press_and_wait(page, page.get_by_role("button", name=text["next"]))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_follow_up_appears_when_its_condition_is_chosen_and_errors_take_the_focus(browser, live_server, lang):
    text = TEXT[lang]
    context = _context(browser, live_server, lang)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _start_full_assessment(page, live_server)

    website_updated = page.locator("#q_website_updated-block")
    platforms = page.locator("#q_sales_platforms-block")
    assert website_updated.is_hidden() and platforms.is_hidden()
    page.locator("label[for=q_online_presence-website]").click()
    assert website_updated.is_visible()
    assert page.locator("#q_website_updated-when").is_hidden()  # revealed in place: no need to say when
    page.locator("label[for=q_online_presence-website]").click()
    assert website_updated.is_hidden()
    page.locator("label[for=q_sells_online-yes]").click()
    assert platforms.is_visible() and page.locator("#q_online_revenue_share-block").is_visible()
    page.locator("label[for=q_sells_online-no]").click()
    assert platforms.is_hidden()
    page.locator("label[for=q_sells_online-yes]").click()

    # Moving on with questions left: a summary at the top takes the focus, each link leads to its field.
    _next(page, text)
    summary = page.get_by_role("alert").filter(has_text=text["problem"])
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Lỗi:" if lang == "vi" else "Error:")
    links = summary.get_by_role("link")
    assert links.count() >= 3
    target = links.nth(1).get_attribute("href").lstrip("#")
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == target
    question = target.split("-")[0]
    described = page.locator(f"#{question}-block").get_attribute("aria-describedby") or page.locator(
        f"#{question}"
    ).get_attribute("aria-describedby")
    assert f"{question}-error" in described and page.locator(f"#{question}-error").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"test-artifacts/question-errors-{lang}-360.png", full_page=True)
    assert errors == []
    context.close()


def test_without_javascript_follow_ups_are_shown_with_when_to_answer_them(browser, live_server):
    text = TEXT["en"]
    context = _context(browser, live_server, "en", java_script_enabled=False)
    page = context.new_page()
    _start_full_assessment(page, live_server)
    platforms = page.locator("#q_sales_platforms-block")
    assert platforms.is_visible()
    assert text["when"] in platforms.inner_text()
    # Everything answered except the follow-ups, whose conditions do not hold: no error.
    for block in page.locator(".question").all():
        if "follow-up" in (block.get_attribute("class") or ""):
            continue
        name = block.get_attribute("data-question")
        if name == "online_presence":
            page.locator("label[for=q_online_presence-facebook_page]").click()
        elif name == "sells_online":
            page.locator("label[for=q_sells_online-no]").click()
        else:
            block.locator("label").last.click() if block.locator("input[type=radio]").count() else None
            if block.locator("input[type=checkbox]").count():
                block.locator(".form-check-label").first.click()
    _next(page, text)
    assert "/trang/2" in page.url, page.locator("main").inner_text()[:500]
    page.screenshot(path="test-artifacts/question-no-js-en-360.png", full_page=True)
    context.close()


def test_check_your_answers_and_a_change_link_that_returns_to_it(browser, live_server):
    text = TEXT["en"]
    context = _context(browser, live_server, "en", width=1280)
    page = context.new_page()
    _start_full_assessment(page, live_server)
    while "/trang/" in page.url:
        page.wait_for_load_state()
        answer_visible_questions(page)
        press_and_wait(page, page.get_by_role("button", name=re.compile("Next|Check your answers")))
    assert page.get_by_role("heading", name=text["check"]).is_visible()
    assert page.get_by_role("heading", name=re.compile(r"^Part 6: ")).is_visible()
    row = page.locator("#check-dx_plan")
    answer = row.locator("dd").first.inner_text()
    assert answer and not re.fullmatch(r"[a-z_]+", answer)  # an option's words, not its code
    page.screenshot(path="test-artifacts/check-answers-en-1280.png", full_page=True)

    change = row.get_by_role("link", name=re.compile(re.escape(text["change"])))
    assert change.count() == 1
    change.click()
    assert "/trang/2" in page.url and "return=check" in page.url
    page.locator("#q_dx_plan-block label").first.click()
    press_and_wait(page, page.get_by_role("button", name=text["back_to_check"]))
    assert page.url.endswith("/nop#part-2")
    assert page.locator("#check-dx_plan dd").first.inner_text() != answer
    context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_attempt_in_progress_is_offered_first_at_danh_gia_and_on_the_account_page(app, browser, live_server, lang):
    text = TEXT[lang]
    with app.app_context():
        make_user("hoa@example.vn")
    context = _context(browser, live_server, lang)
    page = context.new_page()
    page.goto(f"{live_server}/dang-nhap")
    page.get_by_label(text["email"]).fill("hoa@example.vn")
    page.get_by_label(text["password"]).fill("correct horse battery staple")
    page.locator("main").get_by_role("button", name=text["sign_in"]).click()
    _start_full_assessment(page, live_server)
    for _ in range(2):
        answer_visible_questions(page)
        _next(page, text)
    assert "/trang/3" in page.url

    page.goto(f"{live_server}/danh-gia")
    offer = page.get_by_role("link", name=text["continue"])
    assert offer.is_visible()
    start_button = page.locator("form[action$='/bat-dau/dbi-sme'] button")
    assert offer.bounding_box()["y"] < start_button.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"test-artifacts/assessment-continue-{lang}-360.png", full_page=True)
    page.goto(f"{live_server}/tai-khoan")
    page.get_by_role("link", name=text["continue"]).click()
    assert "/trang/3" in page.url
    context.close()
