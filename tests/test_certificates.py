"""A certified product earns its badge: verified and valid it counts everywhere, otherwise nowhere."""

from __future__ import annotations

from datetime import date, timedelta

from app.extensions import db
from app.i18n import local_today
from app.models import Product, ReviewRequest
from app.registry import certificates, reviews
from tests.factories import make_enterprise, make_user
from tests.progress_helpers import listing, product


def _province(app):
    """One enterprise each with a verified, an expired, a declared and a dateless product."""
    with app.app_context():
        today = local_today()  # the province's day, which the rule reads
        verified = make_enterprise("Công ty TNHH Nước mắm Sông Cầu")
        listing(product(verified, today - timedelta(days=100), today - timedelta(days=90)), (today, True))
        expired = make_enterprise("Công ty TNHH Yến sào Hòa Xuân")
        listing(product(expired, today.replace(year=today.year - 4), today.replace(year=today.year - 4)), (today, True))
        declared = make_enterprise("Công ty TNHH Bánh tráng Hòa Đa")
        listing(product(declared, today - timedelta(days=30), None), (today, True))
        gi = make_enterprise("HTX Cá ngừ Phú Yên", legal_form="htx")
        product(gi, date(2015, 1, 1), date(2016, 1, 1), certification="gi", expires_on=today)  # valid through today
        return verified.public_key, expired.public_key, declared.public_key


def test_only_verified_valid_certificates_count_on_the_home_page_facets_and_api(app, client):
    verified, expired, declared = _province(app)
    with app.test_request_context():
        from app.registry.services import registry_counts

        counts = registry_counts()
    assert (counts["products"], counts["products_listed"]) == (2, 1)  # the verified one and the GI
    found = client.get("/api/v1/enterprises?products=true").get_json()
    assert {i["code"] for i in found["items"]} == {
        verified,
        client.get("/api/v1/enterprises?q=ca+ngu").get_json()["items"][0]["code"],
    }
    assert found["facets"]["products"] == [{"value": "1", "count": 2}]
    sellers = client.get("/api/v1/enterprises?platform=shopee").get_json()
    assert [i["code"] for i in sellers["items"]] == [verified]
    states = {
        key: client.get(f"/api/v1/enterprises/{key}").get_json()["products"][0]["state"]
        for key in (verified, expired, declared)
    }
    assert states == {verified: "certified", expired: "expired", declared: "awaiting_verification"}


def test_profile_marks_declared_and_expired_products(app, client):
    verified, expired, declared = _province(app)
    assert "chờ xác minh" in client.get(f"/doanh-nghiep/{declared}").get_data(as_text=True)
    assert "Sở chưa kiểm tra giấy chứng nhận này" in client.get(f"/doanh-nghiep/{declared}").get_data(as_text=True)
    assert "hết hạn" in client.get(f"/doanh-nghiep/{expired}").get_data(as_text=True)
    page = client.get(f"/doanh-nghiep/{verified}").get_data(as_text=True)
    assert "chờ xác minh" not in page and "hết hạn" not in page and "Hiệu lực đến" in page


def test_ocop_validity_edges(app):
    with app.app_context():
        p = Product(certification="ocop", ocop_stars=4, certified_on=date(2023, 3, 1), verified_at=None)
        assert certificates.state_of(p, date(2024, 1, 1), 36) == certificates.AWAITING
        from datetime import UTC, datetime

        p.verified_at = datetime(2023, 3, 5, tzinfo=UTC)
        assert certificates.state_of(p, date(2026, 2, 28), 36) == certificates.CERTIFIED
        assert certificates.state_of(p, date(2026, 3, 1), 36) == certificates.EXPIRED
        assert certificates.valid_until(p, 36) == date(2026, 2, 28)


def test_a_certificate_without_a_date_cannot_be_verified(app):
    with app.app_context():
        owner = make_enterprise()
        p = product(owner, None, None)
        staff = make_user(role="staff")
        review = reviews.request_review("certification", owner, None, {"product_id": p.id})
        db.session.commit()
        try:
            reviews.decide(review, staff, True, None)
            raise AssertionError("verified without a date")
        except reviews.ReviewError as error:
            assert error.code == "no_certification_date"
        db.session.rollback()
        assert db.session.get(Product, p.id).verified_at is None
        assert db.session.get(ReviewRequest, review.id).state == "pending"


def test_the_home_page_counts_certified_products_as_t4_does_tourism_services_apart(app):
    from app.registry.services import registry_counts

    with app.app_context():
        today = local_today()
        inn = make_enterprise("Hợp tác xã Du lịch cộng đồng Bãi Xép", legal_form="htx")
        product(inn, today - timedelta(days=60), today - timedelta(days=50), group="tourism")
        sauce = make_enterprise("Công ty TNHH Nước mắm Gành Đỏ")
        product(sauce, today - timedelta(days=60), today - timedelta(days=50))
    with app.test_request_context():
        assert registry_counts()["products"] == 1, "the homestay tour is counted apart, as T4 counts it"
