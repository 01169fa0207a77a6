"""A profile reads its enterprise in one statement that joins no product (most have none: every
relationship loaded by a join costs the ORM its setup on each request, issue 24's P2), and the
products of one that has them in a second, listings and certificates included, nothing lazily."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise
from tests.test_directory import add_province
from tests.test_query_counts import counted


def _key(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Enterprise.public_key).where(Enterprise.name == name))


def _reads(app, client, key: str) -> tuple[str, list[str]]:
    with counted(app) as statements:
        response = client.get(f"/doanh-nghiep/{key}")
    assert response.status_code == 200
    about = ("FROM enterprise", "FROM product")  # not the reference data the first request loads
    return response.get_data(as_text=True), [
        s for s in statements if s.startswith("SELECT") and any(a in s for a in about)
    ]


def test_a_profile_without_products_is_one_statement_that_joins_no_product(app, client):
    add_province(app)
    page, reads = _reads(app, client, _key(app, "Công ty TNHH Dòng Xuân"))
    assert len(reads) == 1 and "JOIN product" not in reads[0]
    assert "Công ty TNHH Dòng Xuân" in page


def test_the_products_of_a_profile_are_read_in_one_more_statement_with_their_listings(app, client):
    add_province(app)
    page, reads = _reads(app, client, _key(app, "Công ty TNHH Thủy sản Hải Đăng"))
    assert len(reads) == 2 and "JOIN product" not in reads[0]
    assert "FROM product" in reads[1] and "listing" in reads[1] and "product_certificate" in reads[1]
    assert "Tôm hùm bông Phú Yên" in page and "https://shopee.vn/tom-hum" in page
