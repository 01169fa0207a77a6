"""A household business chooses whether the public sees its street address, on a phone and a desktop,
in both languages: the public profile shows the commune until the household ticks the box."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, add_member, make_enterprise, make_user

STREET = "Số 12 hẻm 4 đường Lê Lợi"
WORDS = {
    "vi": ("Mật khẩu", "Đăng nhập", "Công khai địa chỉ chi tiết của hộ kinh doanh", "Lưu"),
    "en": ("Password", "Sign in", "Show our street address to the public", "Save"),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_household_publishes_its_street_address_only_when_it_chooses(app, make_page, width, lang):
    with app.app_context():
        household = make_enterprise(
            "Hộ kinh doanh Bánh tráng Cô Ba", legal_form="hkd", personal_id="054123456789", address=STREET
        )
        key = household.public_key
        add_member(make_user("co.ba@example.vn"), household)
    password_label, sign_in, choice, save = WORDS[lang]
    visitor = make_page(width)
    visitor.page.context.add_cookies([{"name": "lang", "value": lang, "url": visitor.base_url}])
    visitor.goto(f"/doanh-nghiep/{key}")
    assert STREET not in visitor.page.locator("main").inner_text()

    owner = make_page(width)
    owner.page.context.add_cookies([{"name": "lang", "value": lang, "url": owner.base_url}])
    owner.goto("/dang-nhap")
    owner.page.locator("main").locator("input[type=email]").fill("co.ba@example.vn")
    owner.page.get_by_label(password_label).fill(PASSWORD)
    owner.page.locator("main").get_by_role("button", name=sign_in).click()
    owner.goto(f"/doanh-nghiep/{key}/sua")
    box = owner.page.get_by_label(choice)
    assert not box.is_checked()
    box.scroll_into_view_if_needed()
    owner.screenshot(f"household-address-choice-{lang}-{width}")
    box.check()
    owner.page.locator("main").get_by_role("button", name=save, exact=True).click()
    owner.page.wait_for_url(f"**/doanh-nghiep/{key}")

    visitor.goto(f"/doanh-nghiep/{key}")
    assert STREET in visitor.page.locator("main").inner_text()
