"""Owners' self-service: list, claim, edit, products and listings; the department's decisions."""

from __future__ import annotations

from sqlalchemy import select

from app.database import write_intent
from app.extensions import db
from app.models import Enterprise, InboxMessage, Listing, Membership, Product, ReviewRequest
from app.registry import reviews
from tests.factories import add_member, enterprise_code, login, make_enterprise, make_user


def _staff(app):
    with app.app_context():
        return make_user("staff@so.gov.vn", role="staff").id


def _decide(app, kind: str, approve: bool = True, reason: str | None = None) -> None:
    staff_id = _staff(app)
    with app.test_request_context(method="POST"), write_intent():  # as the staff's POST does
        from app.models import User

        review = db.session.scalar(select(ReviewRequest).filter_by(kind=kind, state="pending"))
        reviews.decide(review, db.session.get(User, staff_id), approve, reason)
        db.session.commit()


def test_an_owner_lists_a_new_enterprise_that_waits_for_review(client, app, outbox):
    with app.app_context():
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    code = enterprise_code(4242)
    form = {
        "legal_form": "tnhh1",
        "code": code,
        "name": "Công ty TNHH Yến sào Vũng Rô",
        "main_vsic": "1079",
        "commune_code": "22258",
        "employees": "6",
        "revenue_vnd": "2.500.000.000",
    }
    response = client.post("/doanh-nghiep/dang-ky", data=form)
    assert response.status_code == 302
    assert client.get(f"/doanh-nghiep/{code}").status_code == 404  # not public before review
    _decide(app, "registration")
    page = client.get(f"/doanh-nghiep/{code}").get_data(as_text=True)
    assert "Yến sào Vũng Rô" in page and "Sửa" in page
    with app.app_context():
        enterprise = db.session.scalar(select(Enterprise).filter_by(code=code))
        assert enterprise.revenue_vnd == 2_500_000_000 and enterprise.size_tier == "micro"
        assert db.session.scalar(select(Membership).filter_by(enterprise_id=enterprise.id)).claim_state == "verified"
        assert db.session.scalar(select(InboxMessage)).subject.startswith("Đã duyệt")
    assert "Đã duyệt" in outbox.last()["Subject"]


def test_errors_name_every_field_and_keep_what_was_typed(client, app):
    with app.app_context():
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    response = client.post(
        "/doanh-nghiep/dang-ky",
        data={
            "legal_form": "tnhh1",
            "code": "0100233480",
            "name": "Công ty TNHH Gió Biển",
            "main_vsic": "3400",
            "commune_code": "22258",
            "revenue_vnd": "-5",
            "address": "Số 5 Trần Phú",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chữ số kiểm tra" in page and "không phải mã ngành VSIC" in page and "Hãy ghi số tiền" in page
    assert 'value="Công ty TNHH Gió Biển"' in page and 'value="Số 5 Trần Phú"' in page
    with app.app_context():
        assert db.session.scalar(select(Enterprise).filter_by(name="Công ty TNHH Gió Biển")) is None


def test_claiming_an_existing_enterprise(client, app):
    with app.app_context():
        key = make_enterprise().public_key
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    assert client.get(f"/doanh-nghiep/{key}/sua").status_code == 403
    assert (
        client.post(
            f"/doanh-nghiep/{key}/nhan", data={"representative": "Lê Thị Thu", "evidence": "Tôi là giám đốc"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/doanh-nghiep/{key}/nhan", data={"representative": "Lê Thị Thu", "evidence": "lần nữa"}
        ).status_code
        == 200
    )  # once only
    _decide(app, "claim")
    assert client.get(f"/doanh-nghiep/{key}/sua").status_code == 200


def test_a_rejected_claim_tells_the_reason(client, app, outbox):
    with app.app_context():
        key = make_enterprise().public_key
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    client.post(f"/doanh-nghiep/{key}/nhan", data={"representative": "Lê Thị Thu", "evidence": "Tôi quen giám đốc"})
    _decide(app, "claim", approve=False, reason="Không có giấy tờ chứng minh")
    assert "Không có giấy tờ chứng minh" in outbox.last().get_body(("plain",)).get_content()
    assert client.get(f"/doanh-nghiep/{key}/sua").status_code == 403


def test_descriptive_edits_publish_and_legal_edits_wait(client, app):
    with app.app_context():
        enterprise = make_enterprise()
        key = enterprise.public_key
        add_member(make_user("chu@example.vn"), enterprise)
    login(client, "chu@example.vn")
    form = {
        "legal_form": "tnhh2",
        "name": "Công ty TNHH Thủy sản Hải Đăng Mới",
        "main_vsic": "1020",
        "commune_code": "22015",
        "employees": "8",
        "revenue_vnd": "2000000000",
        "description": "Chế biến cá ngừ đại dương",
        "website": "https://haidang.example.com",
    }
    assert client.post(f"/doanh-nghiep/{key}/sua", data=form).status_code == 302
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert "Chế biến cá ngừ đại dương" in page and "Hải Đăng Mới" not in page
    _decide(app, "legal_edit")
    assert "Hải Đăng Mới" in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)


def test_products_and_listings_on_the_platforms_own_domain(client, app):
    with app.app_context():
        enterprise = make_enterprise()
        key = enterprise.public_key
        add_member(make_user("chu@example.vn"), enterprise)
    login(client, "chu@example.vn")
    product_form = {
        "product-name": "Cá ngừ đại dương Phú Yên",
        "product-certification": "ocop",
        "product-ocop_stars": "4",
    }
    missing = client.post(f"/doanh-nghiep/{key}/san-pham", data=product_form)
    assert missing.status_code == 422
    assert "Hãy chọn nhóm sản phẩm OCOP" in missing.get_data(as_text=True)
    assert "Cá ngừ đại dương Phú Yên" in missing.get_data(as_text=True)  # what was typed is kept
    response = client.post(
        f"/doanh-nghiep/{key}/san-pham",
        data={**product_form, "product-ocop_group": "food", "product-certified_on": "2025-03-01"},
    )
    assert response.status_code == 302
    with app.app_context():
        product = db.session.scalar(select(Product))
        from app.registry.certificates import valid_until

        assert product.expires_on is None and product.verified_at is None
        assert valid_until(product, 36).isoformat() == "2028-02-29"  # valid 36 months from 01/03/2025
        product_id = product.id
    bad = client.post(
        f"/doanh-nghiep/{key}/san-pham",
        data={
            "product_id": product_id,
            "listing-platform_code": "shopee",
            "listing-url": "https://evil.example.com/shopee.vn",
        },
    )
    assert bad.status_code == 422 and "không nằm trên Shopee" in bad.get_data(as_text=True)
    for not_a_product in (
        "https://shopee.vn/haidang.shop",
        "https://shopee.vn/search?keyword=ca+ngu",
        "https://shopee.vn/video/123",
        "https://shopee.vn/",
    ):
        refused = client.post(
            f"/doanh-nghiep/{key}/san-pham",
            data={"product_id": product_id, "listing-platform_code": "shopee", "listing-url": not_a_product},
        )
        assert refused.status_code == 422 and "trang riêng của sản phẩm" in refused.get_data(as_text=True), (
            not_a_product
        )
    good = client.post(
        f"/doanh-nghiep/{key}/san-pham",
        data={
            "product_id": product_id,
            "listing-platform_code": "shopee",
            "listing-url": "https://shopee.vn/Ca-ngu-dai-duong-Phu-Yen-i.123456.7890123",
        },
    )
    assert good.status_code == 302
    assert "Công ty TNHH Thủy sản Hải Đăng" in client.get("/doanh-nghiep?q=ca+ngu+dai+duong").get_data(as_text=True)
    with app.app_context():
        listing = db.session.scalar(select(Listing))
        assert listing.platform_code == "shopee"
        assert [(c.checked_on, c.is_available) for c in listing.checks] == [(listing.last_verified_on, True)]
        listing_id, first_day = listing.id, listing.last_verified_on
    gone = client.post(f"/doanh-nghiep/{key}/gian-hang/{listing_id}/kiem-tra", data={"available": "no"})
    assert gone.status_code == 302
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        assert [c.is_available for c in listing.checks] == [False, True]  # newest first
        assert listing.last_verified_on == first_day  # the last day it was seen selling


def test_only_the_enterprises_members_check_its_listings(client, app):
    from tests.progress_helpers import listing, product

    with app.app_context():
        mine, theirs = make_enterprise("Công ty TNHH Của Tôi"), make_enterprise("Công ty TNHH Của Người Khác")
        add_member(make_user("chu@example.vn"), mine)
        other = listing(product(theirs, None, None), platform="shopee")
        key, listing_id = mine.public_key, other.id
    login(client, "chu@example.vn")
    assert (
        client.post(f"/doanh-nghiep/{key}/gian-hang/{listing_id}/kiem-tra", data={"available": "yes"}).status_code
        == 404
    )


def test_someone_elses_enterprise_cannot_be_managed(client, app):
    with app.app_context():
        mine, theirs = make_enterprise("Công ty TNHH Của Tôi"), make_enterprise("Công ty TNHH Của Người Khác")
        add_member(make_user("chu@example.vn"), mine)
        key = theirs.public_key
    login(client, "chu@example.vn")
    assert client.get(f"/doanh-nghiep/{key}/san-pham").status_code == 403
    assert (
        client.post(
            f"/doanh-nghiep/{key}/san-pham", data={"product-name": "X", "product-certification": "gi"}
        ).status_code
        == 403
    )


def test_anyone_can_report_incorrect_information(client, app):
    with app.app_context():
        key = make_enterprise().public_key
    assert client.post(f"/doanh-nghiep/{key}/bao-sai", data={"message": "Địa chỉ đã đổi"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ReviewRequest)).payload["message"] == "Địa chỉ đã đổi"


def test_a_listing_of_a_shop_page_cannot_be_confirmed(client, app):
    from tests.progress_helpers import product

    with app.app_context():
        mine = make_enterprise("Công ty TNHH Của Tôi")
        add_member(make_user("chu@example.vn"), mine)
        old = Listing(
            product_id=product(mine, None, None).id, platform_code="shopee", url="https://shopee.vn/cuatoi.shop"
        )
        db.session.add(old)
        db.session.commit()
        key, listing_id = mine.public_key, old.id
    login(client, "chu@example.vn")
    response = client.post(f"/doanh-nghiep/{key}/gian-hang/{listing_id}/kiem-tra", data={"available": "yes"})
    assert response.status_code == 302
    assert "trang riêng của sản phẩm" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Listing, listing_id).checks == []


def test_a_claim_names_the_legal_representative_and_staff_see_it_beside_the_registry_s_facts(client, app):
    with app.app_context():
        make_user("chu@example.vn")
        firm = make_enterprise("Công ty TNHH Gốm Quảng Đức", phone="0257 3822 111")
        key, firm_id = firm.public_key, firm.id
    login(client, "chu@example.vn")
    refused = client.post(f"/doanh-nghiep/{key}/nhan", data={"evidence": "Tôi là giám đốc"})
    assert refused.status_code == 200 and "Hãy ghi tên người đại diện theo pháp luật" in refused.get_data(as_text=True)
    assert "Tôi là giám đốc" in refused.get_data(as_text=True)  # what was typed stays
    sent = client.post(f"/doanh-nghiep/{key}/nhan", data={"representative": "  Lê Thị  Thu ", "evidence": "Giám đốc"})
    assert sent.status_code == 302
    with app.app_context():
        review = db.session.scalar(select(ReviewRequest).filter_by(kind="claim"))
        assert review.payload == {"evidence": "Giám đốc", "representative": "Lê Thị Thu"}
    with app.app_context():
        secret = make_user("nv@so.gov.vn", role="staff").totp_secret
    client.post("/dang-xuat")
    login(client, "nv@so.gov.vn", totp_secret=secret)
    queue = client.get("/so/duyet").get_data(as_text=True)
    facts = queue.split('class="row small mb-2 claim-facts"', 1)[1].split("</dl>", 1)[0]
    assert "Lê Thị Thu" in facts and "0257 3822 111" in facts and key in facts
    assert "chưa có: hãy đề nghị gửi giấy chứng nhận đăng ký" in facts  # the registry names nobody yet
    for registered, said in (("LÊ THI THU", "trùng tên"), ("Lê Thị Thủy", "khác tên")):
        with app.app_context():
            db.session.get(Enterprise, firm_id).representative = registered
            db.session.commit()
        facts = client.get("/so/duyet").get_data(as_text=True).split("claim-facts", 1)[1].split("</dl>", 1)[0]
        assert f"{registered} <span" in facts and said in facts, registered
