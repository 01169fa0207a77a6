"""Import of certified products: an OCOP list read like the registry's files, with its dates."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app import audit
from app import indicator_settings as settings
from app.extensions import db
from app.imports import services as imports
from app.imports.kinds import undoing
from app.imports.revert import UndoRefused
from app.models import AuditEvent, Enterprise, Listing, Product
from app.progress import products_online
from tests.factories import make_enterprise
from tests.test_imports import to_csv

HEADER = [
    "ma_so_doanh_nghiep",
    "ten_san_pham",
    "loai_chung_nhan",
    "so_sao",
    "nhom_san_pham",
    "so_quyet_dinh",
    "ngay_chung_nhan",
    "ngay_het_han",
]


def _figure(day):
    return products_online.certified_products_online(day, settings.Settings(settings.defaults().values))


def test_an_ocop_list_counts_each_certificate_from_its_day_and_a_second_run_changes_nothing(app_ctx):
    maker = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    coop = make_enterprise("Hợp tác xã Nông nghiệp Hòa Kiến", legal_form="htx", founded_on=date(2012, 1, 1))
    rows = [
        [maker.code, "Nước mắm Hải Đăng", "OCOP", "4 sao", "Thực phẩm", "12/QĐ-UBND", "20/05/2024", ""],
        [maker.code.replace("0", "0", 1), "Nước mắm cá cơm Hải Đăng", "ocop", "★★★", "", "", "01/03/2025", ""],
        [coop.code, "Gạo Hòa Kiến", "Chỉ dẫn địa lý", "", "", "Số 00123", "10/01/2023", "09/01/2033"],
        [coop.code, "Tour sông Đà Rằng", "OCOP", "3", "Dịch vụ du lịch", "", "01/06/2024", ""],
    ]
    batch = imports.import_file(to_csv(rows, HEADER), "ocop.csv", audit.CLI, kind="products")
    assert batch.state == "committed" and batch.new_count == 4, batch.report
    assert _figure(date(2024, 12, 31)).denominator == 2  # the GI and the 4-star; the tour counted apart
    assert _figure(date(2024, 12, 31)).apart["tourism"] == 1
    assert _figure(date(2025, 12, 31)).denominator == 3
    assert _figure(date(2023, 6, 30)).denominator == 1
    sauce = db.session.scalar(select(Product).where(Product.name == "Nước mắm Hải Đăng"))
    assert (sauce.ocop_stars, sauce.ocop_group, sauce.verified_on) == (4, "food", date(2024, 5, 20))
    maker = db.session.get(Enterprise, maker.id)
    assert "nuoc mam" in maker.search_text  # the directory finds the maker by its product
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.provenance == f"import:{batch.id}")).all()
    assert {(e.entity_type, e.action) for e in events} == {("product", "create"), ("product_certificate", "create")}
    assert len(events) == 8  # each product and its certificate
    again = imports.import_file(to_csv(rows, HEADER), "ocop.csv", audit.CLI, kind="products")
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 4, "rejected": 0, "held": 0}


def test_a_renewal_adds_a_certificate_and_its_undo_takes_exactly_it_back(app_ctx):
    maker = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    first = [[maker.code, "Nước mắm Hải Đăng", "OCOP", "4", "", "12/QĐ-UBND", "20/05/2021", ""]]
    created = imports.import_file(to_csv(first, HEADER), "ocop.csv", audit.CLI, kind="products")
    renewed = [[maker.code, "Nước mắm Hải Đăng", "OCOP", "5", "", "77/QĐ-UBND", "15/05/2024", ""]]
    batch = imports.import_file(to_csv(renewed, HEADER), "ocop-2024.csv", audit.CLI, kind="products")
    assert batch.counts()["new"] == 1  # a new certificate of the same product
    product = db.session.scalar(select(Product))
    assert (product.ocop_stars, product.certificate_no, product.certified_on) == (5, "77/QĐ-UBND", date(2024, 5, 15))
    assert [c.certified_on for c in product.certificates] == [date(2021, 5, 20), date(2024, 5, 15)]
    assert _figure(date(2023, 12, 31)).denominator == 1  # the 2021 certificate held then
    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    product = db.session.scalar(select(Product))
    assert (product.ocop_stars, product.certified_on) == (4, date(2021, 5, 20))
    assert [c.certificate_no for c in product.certificates] == ["12/QĐ-UBND"]
    imports.undo(db.session.merge(created), audit.CLI)  # the first list's undo takes the product too
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_the_undo_of_a_list_deletes_the_products_it_created(app_ctx):
    maker = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    rows = [[maker.code, "Cá cơm khô Hải Đăng", "OCOP", "4", "", "12/QĐ-UBND", "20/05/2021", ""]]
    batch = imports.import_file(to_csv(rows, HEADER), "ocop.csv", audit.CLI, kind="products")
    assert "ca com kho" in db.session.get(Enterprise, maker.id).search_text
    imports.undo(batch, audit.CLI)
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0
    assert "ca com kho" not in db.session.get(Enterprise, maker.id).search_text


def test_rows_that_cannot_be_products_are_named(app_ctx):
    maker = make_enterprise("Công ty TNHH Nước mắm Hải Đăng")
    rows = [
        ["4400000000", "Không có", "OCOP", "4", "", "", "20/05/2024", ""],
        [maker.code, "Nước mắm", "OCOP", "", "", "", "20/05/2024", ""],
        [maker.code, "Nước mắm", "OCOP", "6", "", "", "20/05/2024", ""],
        [maker.code, "Gạo", "Nhãn hiệu lạ", "", "", "", "20/05/2024", ""],
        [maker.code, "Gạo", "NHTT", "", "", "", "20/05/2099", ""],
        [maker.code, "Cà phê", "CDĐL", "", "", "", "20/05/2024", "01/01/2020"],
    ]
    batch = imports.check_file(to_csv(rows, HEADER), "sai.csv", audit.CLI, kind="products")
    found = [(r["row"], r["column"], r["reason"]) for r in batch.report["rejected"]]
    assert found == [
        (2, "ma_so_doanh_nghiep", "not_in_registry"),
        (3, "so_sao", "ocop_needs_stars"),
        (4, "so_sao", "bad_stars"),
        (5, "loai_chung_nhan", "bad_certification"),
        (6, "ngay_chung_nhan", "future_date"),
        (7, "ngay_het_han", "ends_before_certified"),
    ]
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_an_undo_that_a_listing_would_stop_half_way_is_refused_before_it_starts(app_ctx, monkeypatch):
    maker = make_enterprise("Công ty TNHH Nước mắm", founded_on=date(2010, 1, 1))
    rows = [
        [maker.code, "Nước mắm A", "OCOP", "4", "", "", "20/05/2021", ""],
        [maker.code, "Nước mắm B", "OCOP", "4", "", "", "20/05/2021", ""],
    ]
    batch = imports.import_file(to_csv(rows, HEADER), "a.csv", audit.CLI, kind="products")
    first = db.session.scalar(select(Product).order_by(Product.id))  # the last the undo would reach
    db.session.add(Listing(product_id=first.id, platform_code="shopee", url="https://shopee.vn/a-i.1.2"))
    db.session.commit()
    monkeypatch.setattr(undoing, "STEP", 1)  # one product per step: the listing would stop the second
    with pytest.raises(UndoRefused) as refused:
        imports.undo(batch, audit.CLI)
    assert refused.value.touched == [f"{maker.code} · Nước mắm A"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Product)) == 2  # nothing was taken
    assert db.session.get(type(batch), batch.id).state == "committed"
