"""The directory in a real browser at phone and desktop widths: search, facets, profile, claim, listing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.database import write_intent
from app.extensions import db
from app.models import Listing, Product, ReviewRequest, User
from app.registry import reviews
from app.registry.services import refresh_search_text
from tests.factories import make_enterprise, make_user


def _province(app):
    with app.app_context():
        hai_dang = make_enterprise("Công ty TNHH Thủy sản Hải Đăng", commune_code="22258", main_vsic="1020")
        make_enterprise("Hợp tác xã Nông nghiệp Hòa Đồng", commune_code="22255", legal_form="htx", main_vsic="0111")
        make_enterprise("Công ty Cổ phần Du lịch Đồng Xuân", commune_code="22081", legal_form="cp", main_vsic="5510")
        lobster = Product(
            enterprise_id=hai_dang.id,
            name="Tôm hùm bông Phú Yên",
            name_folded="tom hum bong phu yen",
            certification="gi",
            certifying_body="Cục Sở hữu trí tuệ",
        )
        db.session.add(lobster)
        db.session.flush()
        db.session.add(
            Listing(
                product_id=lobster.id,
                platform_code="shopee",
                url="https://shopee.vn/tom-hum-bong",
                last_verified_on=date(2026, 11, 1),
            )
        )
        refresh_search_text(hai_dang)
        db.session.commit()
        return hai_dang.public_key


def test_search_facets_and_profile(app, make_page, width):
    key = _province(app)
    page = make_page(width)
    page.goto("/doanh-nghiep")
    page.page.get_by_label("Tìm theo tên, sản phẩm hoặc mã số doanh nghiệp").fill("dong hoa")
    page.page.get_by_role("button", name="Tìm").click()
    results = page.page.locator(".results").inner_text()
    assert "Thủy sản Hải Đăng" in results  # located in Đông Hòa

    page.page.get_by_label("Tìm theo tên, sản phẩm hoặc mã số doanh nghiệp").fill("tom hum")
    page.page.get_by_role("button", name="Tìm").click()
    assert page.page.locator(".results li").count() == 1

    page.goto("/doanh-nghiep")
    page.page.locator("#filters").get_by_role("link", name="Hợp tác xã").click()
    assert page.page.locator(".results li").count() == 1
    url = page.page.url
    assert "legal_form=htx" in url
    again = make_page(width)
    again.goto(url.replace(again.base_url, ""))
    assert again.page.locator(".results").inner_text().strip().startswith("Hợp tác xã Nông nghiệp Hòa Đồng")

    page.goto(f"/doanh-nghiep/{key}")
    text = page.page.locator("main").inner_text()
    assert "Tôm hùm bông Phú Yên" in text and "Shopee" in text and "01/11/2026" in text
    assert page.page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(f"profile-vi-{width}")
    assert page.errors == []


def test_owner_claims_an_enterprise_and_adds_a_listing(app, make_page, width):
    with app.app_context():
        enterprise = make_enterprise("Công ty TNHH Nước mắm Gành Đỏ", commune_code="22051", main_vsic="1079")
        product = Product(
            enterprise_id=enterprise.id,
            name="Nước mắm cá cơm Gành Đỏ",
            name_folded="nuoc mam ca com ganh do",
            certification="ocop",
            ocop_stars=4,
        )
        db.session.add(product)
        db.session.commit()
        key = enterprise.public_key
        make_user("chu@example.vn", name="Võ Thị Lan")
        staff_id = make_user("staff@so.gov.vn", role="staff").id
    page = make_page(width, locale="en-GB")
    page.page.context.add_cookies([{"name": "lang", "value": "en", "url": page.base_url}])
    page.goto("/dang-nhap")
    page.page.get_by_label("E-mail address").fill("chu@example.vn")
    page.page.get_by_label("Password").fill("correct horse battery staple")
    page.page.locator("main").get_by_role("button", name="Sign in").click()

    page.goto(f"/doanh-nghiep/{key}")
    page.page.get_by_role("link", name="Claim this enterprise").click()
    page.page.get_by_label("How are you linked to this enterprise?").fill("I am the director.")
    page.page.get_by_role("button", name="Send the claim").click()  # the representative's name forgotten
    assert "Write the name of the enterprise's legal representative." in page.page.locator("main").inner_text()
    assert page.page.get_by_label("How are you linked to this enterprise?").input_value() == "I am the director."
    page.page.get_by_label("The legal representative's name").fill("Lê Thị Thu")
    page.page.get_by_role("button", name="Send the claim").click()
    assert "Your claim is sent" in page.page.locator("main").inner_text()

    with app.test_request_context(), write_intent():  # as the staff's POST would
        review = db.session.scalar(select(ReviewRequest).filter_by(kind="claim"))
        reviews.decide(review, db.session.get(User, staff_id), True, None)
        db.session.commit()

    page.goto(f"/doanh-nghiep/{key}")
    page.page.get_by_role("link", name="Products and listings").click()
    page.page.get_by_label("Platform").select_option("shopee")
    page.page.get_by_label("Address of the product page").fill("https://example.com/not-shopee")
    page.page.get_by_role("button", name="Add listing").click()
    assert "is not on Shopee" in page.page.locator("main").inner_text()
    assert page.page.get_by_label("Address of the product page").input_value() == "https://example.com/not-shopee"
    assert page.page.get_by_label("Platform").input_value() == "shopee"
    page.page.get_by_label("Address of the product page").fill("https://shopee.vn/ganhdo.official")  # the shop's page
    page.page.get_by_role("button", name="Add listing").click()
    assert "not a shop's home page" in page.page.locator("main").inner_text()
    page.page.get_by_label("Address of the product page").fill("https://shopee.vn/Nuoc-mam-ca-com-Ganh-Do-i.1234.56789")
    page.page.get_by_role("button", name="Add listing").click()
    assert "The listing is added." in page.page.locator("main").inner_text()
    page.page.get_by_role("button", name="Still selling: confirm today").click()
    assert "is still selling the product" in page.page.locator("main").inner_text()
    page.screenshot(f"listing-en-{width}")
    assert [e for e in page.errors if "status of 422" not in e] == []
