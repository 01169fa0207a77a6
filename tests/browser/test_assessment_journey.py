"""An owner on a phone: quick check, then the full assessment, interrupted and resumed by the private link."""

from __future__ import annotations

import re

import pytest

from tests.factories import add_member, make_enterprise, make_user

TEXT = {
    "vi": {
        "start": "Bắt đầu",
        "next": re.compile("Tiếp theo|Kiểm tra câu trả lời"),
        "submit": "Nộp và xem kết quả",
        "results": "Kết quả của bạn",
        "full": "Làm bài đánh giá đầy đủ",
        "level": re.compile(r"Mức \d/5"),
        "sign_in": "Đăng nhập",
        "email": "Địa chỉ e-mail",
        "password": "Mật khẩu",
    },
    "en": {
        "start": "Start",
        "next": re.compile("Next|Check your answers"),
        "submit": "Submit and see my results",
        "results": "Your results",
        "full": "Take the full assessment",
        "level": re.compile(r"Level \d of 5"),
        "sign_in": "Sign in",
        "email": "E-mail address",
        "password": "Password",
    },
}


def answer_visible_questions(page) -> None:
    """Answer every question on the page the way a person would: tap an option, type a number."""
    for block in page.locator(".question").all():
        if not block.is_visible():  # a follow-up whose condition does not hold (yet)
            continue
        radios = block.locator("input[type=radio]")
        boxes = block.locator("input[type=checkbox]")
        number = block.locator("input[inputmode=decimal]")
        if radios.count():
            if not block.locator("input[type=radio]:checked").count():
                block.locator("label").nth(radios.count() - 1 if radios.count() > 2 else 0).click()
        elif boxes.count():
            if not block.locator("input[type=checkbox]:checked").count():
                block.locator(".form-check-label").first.click()
        elif number.count() and not number.input_value():
            number.fill("40")


def press_and_wait(page, button) -> None:
    """Press a button that submits its form, and wait for the page it leads to to have loaded whole.

    Waiting for the load state after the click may see the page being left; a page read while it is still
    arriving shows only its first questions.
    """
    with page.expect_navigation():
        button.click()


def go_through_pages(page, text, stop_after: int | None = None) -> int:
    done = 0
    while "/trang/" in page.url:
        page.wait_for_load_state()
        before = page.url
        answer_visible_questions(page)
        press_and_wait(page, page.get_by_role("button", name=text["next"]))
        if page.url != before:
            done += 1
            if stop_after is not None and done >= stop_after:
                break
    return done


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_owner_takes_quick_check_then_full_assessment_leaves_and_resumes(app, browser, live_server, lang):
    text = TEXT[lang]
    with app.app_context():
        enterprise = make_enterprise("Công ty TNHH Thủy sản Đông Hòa")
        owner = make_user("chu@example.vn", name="Lê Thị Thu")
        add_member(owner, enterprise)
        enterprise_id, owner_id = enterprise.id, owner.id
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN")
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{live_server}/dang-nhap")
    page.get_by_label(text["email"]).fill("chu@example.vn")
    page.get_by_label(text["password"]).fill("correct horse battery staple")
    page.locator("main").get_by_role("button", name=text["sign_in"]).click()

    # The quick check, start to finish.
    page.goto(f"{live_server}/danh-gia")
    quick_card = page.locator(".card").filter(has=page.locator("form[action$='/bat-dau/quick-check']"))
    quick_card.get_by_role("button", name=text["start"]).click()
    go_through_pages(page, text)
    page.get_by_role("button", name=text["submit"]).click()
    assert page.get_by_role("heading", name=text["results"]).is_visible()
    assert text["level"].search(page.locator(".level-card").inner_text())

    # It invites the full assessment; half-way through, the owner leaves.
    page.get_by_role("button", name=text["full"]).click()
    assert "/trang/1" in page.url
    go_through_pages(page, text, stop_after=3)
    assert "/trang/4" in page.url
    resume_link = page.locator(".resume-box input").input_value()
    context.close()

    # Later, on another phone, with no account signed in: the private link brings them back.
    other = browser.new_context(viewport={"width": 360, "height": 780})
    other.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = other.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(resume_link)
    assert "/trang/4" in page.url
    page.get_by_role("button", name=text["next"]).first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"test-artifacts/assessment-page-{lang}-360.png", full_page=True)
    go_through_pages(page, text)
    page.get_by_role("button", name=text["submit"]).click()
    assert page.get_by_role("heading", name=text["results"]).is_visible()
    assert page.locator("svg.share-bars").is_visible() and page.locator("table").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"test-artifacts/assessment-result-{lang}-360.png", full_page=True)
    other.close()
    # A follow-up appears on its page as soon as it applies: no page is shown again with an error.
    assert errors == []

    with app.app_context():
        from app.extensions import db
        from app.models import Assessment, LatestAssessment

        full = db.session.scalar(db.select(Assessment).filter_by(instrument_id="dbi-sme"))
        assert full.is_submitted and full.enterprise_id == enterprise_id and full.user_id == owner_id
        assert db.session.get(LatestAssessment, enterprise_id).assessment_id == full.id
