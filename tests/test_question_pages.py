"""Question pages that behave: follow-ups on their page, an error summary, check your answers,
and an attempt in progress offered before a fresh start."""

from __future__ import annotations

import html
import re

import pytest

from app.assessment import services
from tests.assessment_helpers import answer_all, best_value, page_form, start
from tests.factories import login, make_user
from tests.test_one_language import interface_phrases, visible_text


def _customer_page(app, public_id):
    with app.app_context():
        instrument = services.instrument_of(services.by_public_id(public_id))
        return instrument.pillars[0]


def test_a_follow_up_is_on_its_page_with_when_to_answer_it(client, app):
    public_id = start(client, "dbi-sme")
    page = client.get(f"/danh-gia/lan/{public_id}/trang/1").get_data(as_text=True)
    block = re.search(r'<fieldset class="question mb-4 follow-up" id="q_website_updated-block"[^>]*>', page)
    assert block, "the follow-up is on the page before its condition holds"
    assert "data-condition=" in block.group(0) and "online_presence" in html.unescape(block.group(0))
    assert "Trả lời câu này nếu bạn chọn “Website riêng của doanh nghiệp” ở câu" in page
    assert 'aria-describedby="q_website_updated-when' in page
    assert "js/questions.js" in page


def test_a_follow_up_whose_condition_does_not_hold_is_never_an_error(client, app):
    public_id = start(client, "dbi-sme")
    pillar = _customer_page(app, public_id)
    form = {}
    for q in pillar.questions:
        form[f"q_{q.name}__shown"] = ["1"]
        form[f"q_{q.name}"] = [] if q.show_if else best_value(q)
    form["q_online_presence"] = ["facebook_page"]
    form["q_sells_online"] = ["no"]
    form["q_online_revenue_share"] = ["khoảng một nửa"]  # typed, then the condition was undone
    response = client.post(f"/danh-gia/lan/{public_id}/trang/1", data={**form, "action": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/trang/2")
    with app.app_context():
        assert "online_revenue_share" not in services.by_public_id(public_id).answers

    # When the condition holds, the follow-up left empty is asked for, on the same page.
    form["q_sells_online"] = ["yes"]
    form["q_online_revenue_share"] = ["30"]
    response = client.post(f"/danh-gia/lan/{public_id}/trang/1", data={**form, "action": "next"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#q_sales_platforms-' in page and 'href="#q_online_revenue_share"' not in page


def test_errors_are_summarised_at_the_top_with_a_link_to_each_field(client, app):
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id, pages=[1])
    empty = {k: v for k, v in page_form(app, public_id, 2).items() if k.endswith("__shown")}
    response = client.post(f"/danh-gia/lan/{public_id}/trang/2", data={**empty, "action": "next"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = page[page.index('id="error-summary"') - 200 : page.index("</ul>", page.index('id="error-summary"'))]
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "data-error-summary" in summary
    assert "Có vấn đề cần bạn xem lại" in summary
    assert page.index('id="error-summary"') < page.index("<form")
    with app.app_context():
        pillar = services.instrument_of(services.by_public_id(public_id)).pillars[1]
        targets = re.findall(r'<a class="link-danger" href="#([^"]+)"', summary)
        assert len(targets) == len(pillar.questions)
        for q, target in zip(pillar.questions, targets, strict=True):
            assert target.startswith(f"q_{q.name}")
            assert f'id="{target}"' in page  # the link leads to an input of the question
            assert f'id="q_{q.name}-error"' in page
            block = re.search(rf'<fieldset [^>]*id="q_{q.name}-block"[^>]*>', page).group(0)
            assert f"q_{q.name}-error" in block  # named by aria-describedby
    assert "<title>Lỗi: " in page


def test_the_check_page_lists_every_answer_in_words_with_a_change_link(client, app):
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id, choose=lambda q: [] if not q.required else best_value(q))
    page = client.get(f"/danh-gia/lan/{public_id}/nop").get_data(as_text=True)
    assert "Kiểm tra câu trả lời trước khi nộp" in page
    # the full bar says in words where the respondent is (it had only an aria-label, no text)
    assert re.search(r'<label for="progress"[^>]*>Bước cuối: kiểm tra câu trả lời và gửi</label>', page)
    assert '<progress id="progress"' in page and "aria-label" not in page.split("<progress", 1)[1].split(">", 1)[0]
    # the questionnaire's name above the heading, with room under it (not a tight "mb-1" line)
    assert '<p class="page-caption">' in page
    with app.app_context():
        attempt = services.by_public_id(public_id)
        instrument = services.instrument_of(attempt)
        answers = attempt.answers
        for number, pillar in enumerate(instrument.pillars, 1):
            assert f"Phần {number}: {pillar.name}" in page
        for q in instrument.questions:
            if f'id="check-{q.name}"' not in page:
                assert q.show_if, q.name  # only a follow-up whose condition does not hold is left out
                continue
            row = page[page.index(f'id="check-{q.name}"') : page.index("</div>", page.index(f'id="check-{q.name}"'))]
            assert html.escape(str(q.label), quote=False) in row or str(q.label) in html.unescape(row)
            change = f"/danh-gia/lan/{public_id}/trang/{number_of(instrument, q)}?return=check#q_{q.name}-block"
            assert change in html.unescape(row)
            assert "câu trả lời của bạn cho câu:" in row  # the visually hidden words name the question
            value = answers.get(q.name)
            if value is None:
                assert not q.required and "Chưa trả lời" in row
            elif q.type in ("single", "multiple"):
                chosen = value if isinstance(value, list) else [value]
                for choice in q.choices:
                    if choice.value in chosen:
                        assert html.unescape(row).count(str(choice.label)) >= 1
                assert f">{chosen[0]}<" not in row  # labels, not codes
            elif q.type == "yesno":
                assert ("Có" if value == "yes" else "Không") in row
            elif q.type == "number":
                assert re.search(r"\d", row)


def number_of(instrument, question) -> int:
    return next(i for i, p in enumerate(instrument.pillars, 1) if question in p.questions)


def test_a_change_link_returns_to_the_check_page_after_saving(client, app):
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id)
    page = client.get(f"/danh-gia/lan/{public_id}/trang/3?return=check").get_data(as_text=True)
    assert '<input type="hidden" name="return" value="check">' in page
    assert "Lưu và quay lại danh sách câu trả lời" in page
    form = page_form(app, public_id, 3)
    response = client.post(f"/danh-gia/lan/{public_id}/trang/3", data={**form, "action": "next", "return": "check"})
    assert response.headers["Location"].endswith(f"/danh-gia/lan/{public_id}/nop#part-3")
    plain = client.post(f"/danh-gia/lan/{public_id}/trang/3", data={**form, "action": "next"})
    assert plain.headers["Location"].endswith("/trang/4")


def test_an_anonymous_attempt_in_progress_is_offered_first_in_this_browser(client, app):
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id, pages=[1, 2])
    page = client.get("/danh-gia").get_data(as_text=True)
    offer = "Tiếp tục bài đánh giá từ trang 3"
    assert offer in page
    assert f'href="/danh-gia/lan/{public_id}/trang/3"' in page
    assert page.index(offer) < page.index("/bat-dau/")  # above starting a new one
    assert "Bắt đầu lúc" in page
    assert offer not in app.test_client().get("/danh-gia").get_data(as_text=True)

    client.set_cookie("lang", "en")
    assert "Continue your assessment from page 3" in client.get("/assessment", follow_redirects=True).get_data(
        as_text=True
    )


def test_an_owners_attempt_in_progress_is_offered_at_danh_gia_and_on_the_account_page(client, app):
    with app.app_context():
        make_user("hoa@example.vn")
    login(client, "hoa@example.vn")
    public_id = start(client, "dbi-sme")
    answer_all(client, app, public_id, pages=[1])

    other_device = app.test_client()
    login(other_device, "hoa@example.vn")
    for path in ("/danh-gia", "/tai-khoan"):
        page = other_device.get(path).get_data(as_text=True)
        assert "Tiếp tục bài đánh giá từ trang 2" in page, path
        assert f'href="/danh-gia/lan/{public_id}/trang/2"' in page
        assert "Đánh giá mức độ chuyển đổi số của doanh nghiệp nhỏ và vừa" in page

    answer_all(client, app, public_id)
    assert "Kiểm tra câu trả lời và nộp bài" in other_device.get("/tai-khoan").get_data(as_text=True)
    client.post(f"/danh-gia/lan/{public_id}/nop")
    assert "Tiếp tục" not in other_device.get("/tai-khoan").get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_question_pages_speak_one_language(client, app, language):
    phrases = interface_phrases("vi" if language == "en" else "en")
    client.set_cookie("lang", language)
    public_id = start(client, "dbi-sme")
    pages = {"first page": client.get(f"/danh-gia/lan/{public_id}/trang/1").get_data(as_text=True)}
    answer_all(client, app, public_id, pages=[1])
    empty = {k: v for k, v in page_form(app, public_id, 2).items() if k.endswith("__shown")}
    pages["errors"] = client.post(f"/danh-gia/lan/{public_id}/trang/2", data={**empty, "action": "next"}).get_data(
        as_text=True
    )
    pages["in progress"] = client.get("/danh-gia").get_data(as_text=True)
    answer_all(client, app, public_id, choose=lambda q: [] if not q.required else best_value(q))
    pages["check"] = client.get(f"/danh-gia/lan/{public_id}/nop").get_data(as_text=True)
    pages["change"] = client.get(f"/danh-gia/lan/{public_id}/trang/4?return=check").get_data(as_text=True)
    found = {}
    for name, page in pages.items():
        text = visible_text(page, language)
        if hits := sorted(p for p in phrases if p in text):
            found[name] = hits
    assert not found
