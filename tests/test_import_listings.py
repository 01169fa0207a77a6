"""Import of e-commerce listings and their dated checks: T4 as of past days, a second run, the rows
that cannot be checks, the undo and the taking back of an unfinished job."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from sqlalchemy import func, select

from app import audit
from app import indicator_settings as settings
from app.extensions import db
from app.imports import reasons
from app.imports import services as imports
from app.imports.kinds import KINDS
from app.models import AuditEvent, Listing, ListingCheck, Product
from app.progress import products_online
from tests.factories import make_enterprise
from tests.progress_helpers import listing as owner_listing
from tests.test_imports import to_csv

PRODUCTS = ["ma_so_doanh_nghiep", "ten_san_pham", "loai_chung_nhan", "so_sao", "ngay_chung_nhan", "ngay_het_han"]
HEADER = ["ma_so_doanh_nghiep", "ten_san_pham", "san", "duong_dan", "ngay_kiem_tra", "con_ban"]
SAUCE = "https://shopee.vn/Nuoc-mam-Hai-Dang-i.123456.7890123"
FISH = "https://tiki.vn/ca-com-kho-hai-dang-p12345.html"
RICE = "https://postmart.vn/gao-hoa-kien-5kg"


def _online(day):
    figure = products_online.certified_products_online(day, settings.Settings(settings.defaults().values))
    return figure.total.numerator, figure.denominator


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _certified():
    """Two enterprises and three certified products, imported the department's way."""
    maker = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    coop = make_enterprise("Hợp tác xã Nông nghiệp Hòa Kiến", legal_form="htx", founded_on=date(2012, 1, 1))
    rows = [
        [maker.code, "Nước mắm Hải Đăng", "OCOP", "4", "20/05/2023", ""],
        [maker.code, "Cá cơm khô Hải Đăng", "OCOP", "3", "01/01/2023", ""],
        [coop.code, "Gạo Hòa Kiến", "Chỉ dẫn địa lý", "", "10/01/2023", "09/01/2033"],
    ]
    batch = imports.import_file(to_csv(rows, PRODUCTS), "ocop.csv", audit.CLI, kind="products")
    assert batch.state == "committed" and batch.new_count == 3, batch.report
    return maker, coop


def test_listings_after_products_count_each_check_as_of_its_day_and_a_second_run_changes_nothing(app_ctx):
    maker, coop = _certified()
    rows = [
        [maker.code, "nuoc mam hai dang", "Shopee", SAUCE, "10/03/2024", "có"],
        [maker.code, "Cá cơm khô Hải Đăng", "", FISH, "01/06/2024", ""],  # the address names the platform
        [maker.code, "Cá cơm khô Hải Đăng", "tiki", FISH + "#mo-ta", "01/02/2025", "ngừng bán"],  # the same page
        [coop.code, "Gạo Hòa Kiến", "Sàn Postmart", RICE, "15/08/2024", "còn bán"],
    ]
    batch = imports.import_file(to_csv(rows, HEADER), "san.csv", audit.CLI, kind="listings")
    assert batch.state == "committed" and batch.counts()["new"] == 4, batch.report
    assert (_count(Listing), _count(ListingCheck)) == (3, 4)
    listings = {item.url: item for item in db.session.scalars(select(Listing))}
    assert {url: item.platform_code for url, item in listings.items()} == {
        SAUCE: "shopee",
        FISH: "tiki",
        RICE: "postmart",
    }
    assert listings[FISH].last_verified_on == date(2024, 6, 1)  # the last day it was seen selling
    assert {c.checked_by_label for c in db.session.scalars(select(ListingCheck))} == {f"import:{batch.id}"}

    assert _online(date(2024, 3, 1)) == (0, 3)
    assert _online(date(2024, 12, 31)) == (3, 3)
    assert _online(date(2025, 3, 1)) == (2, 3)  # the dried fish is no longer sold
    assert _online(date(2025, 3, 10)) == (1, 3)  # the sauce's check of 10/03/2024 is twelve months old
    assert _online(date(2025, 8, 16)) == (0, 3)

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.provenance == batch.provenance)).all()
    kinds = sorted((e.entity_type, e.action) for e in events)
    assert kinds == [("listing", "create")] * 3 + [("listing_check", "create")] * 4

    again = imports.import_file(to_csv(rows, HEADER), "san.csv", audit.CLI, kind="listings")
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 4, "rejected": 0, "held": 0}
    assert (_count(Listing), _count(ListingCheck)) == (3, 4)

    later = [
        [
            maker.code,
            "Nước mắm Hải Đăng",
            "",
            "http://www.shopee.vn/Nuoc-mam-Hai-Dang-i.123456.7890123/",
            "01/03/2025",
            "1",
        ]
    ]
    batch = imports.import_file(to_csv(later, HEADER), "san-2025.csv", audit.CLI, kind="listings")
    assert batch.counts()["new"] == 1 and (_count(Listing), _count(ListingCheck)) == (3, 5)
    assert db.session.get(Listing, listings[SAUCE].id).last_verified_on == date(2025, 3, 1)
    assert _online(date(2025, 3, 10)) == (2, 3)


def test_rows_that_cannot_be_checks_of_a_listing_are_named(app_ctx):
    maker, coop = _certified()
    imports.import_file(
        to_csv([[coop.code, "Gạo Hòa Kiến", "OCOP", "4", "01/01/2024", ""]], PRODUCTS),
        "ocop.csv",
        audit.CLI,
        kind="products",
    )  # the rice is an OCOP product too: a row must say which
    rows = [
        [
            maker.code,
            "Nước mắm Hải Đăng",
            "Shopee",
            "https://www.lazada.vn/products/nuoc-mam-i1.html",
            "10/03/2024",
            "",
        ],
        [maker.code, "Tương ớt Hải Đăng", "Shopee", SAUCE, "10/03/2024", ""],
        [maker.code, "Nước mắm Hải Đăng", "Shopee", SAUCE, "10/03/2099", ""],
        [maker.code, "Nước mắm Hải Đăng", "Amazon", SAUCE, "10/03/2024", ""],
        [maker.code, "Nước mắm Hải Đăng", "Shopee", "https://shopee.vn/shop/123456", "10/03/2024", ""],
        [maker.code, "Nước mắm Hải Đăng", "", "https://example.com/nuoc-mam", "10/03/2024", ""],
        [maker.code, "Nước mắm Hải Đăng", "Shopee", SAUCE, "10/03/2024", "có lẽ"],
        ["4400000000", "Nước mắm Hải Đăng", "Shopee", SAUCE, "10/03/2024", ""],
        [coop.code, "Gạo Hòa Kiến", "", RICE, "15/08/2024", ""],
        [maker.code, "Nước mắm Hải Đăng", "", '=HYPERLINK("x")', "", ""],
    ]
    batch = imports.check_file(to_csv(rows, HEADER), "sai.csv", audit.CLI, kind="listings")
    found = [(r["row"], r["column"], r["reason"]) for r in batch.report["rejected"]]
    assert found == [
        (2, "duong_dan", "url_not_on_platform"),
        (3, "ten_san_pham", "product_not_in_registry"),
        (4, "ngay_kiem_tra", "future_date"),
        (5, "san", "unknown_platform"),
        (6, "duong_dan", "url_not_a_product_page"),
        (7, "duong_dan", "url_on_no_platform"),
        (8, "con_ban", "bad_selling"),
        (9, "ma_so_doanh_nghiep", "not_in_registry"),
        (10, "loai_chung_nhan", "product_ambiguous"),
        (11, "duong_dan", "url_not_an_address"),
        (11, "ngay_kiem_tra", "required"),
    ]
    assert all(reasons.message(reason) != reason for _row, _column, reason in found)  # the page explains each
    with force_locale("en"):
        assert "certified products first" in reasons.message("product_not_in_registry")
    chosen = [["ma_so_doanh_nghiep", "ten_san_pham", "duong_dan", "ngay_kiem_tra", "loai_chung_nhan"]]
    chosen.append([coop.code, "Gạo Hòa Kiến", RICE, "15/08/2024", "CDĐL"])
    batch = imports.check_file(to_csv(chosen[1:], chosen[0]), "gao.csv", audit.CLI, kind="listings")
    assert batch.counts()["new"] == 1 and batch.counts()["rejected"] == 0, batch.report
    assert (_count(Listing), _count(ListingCheck)) == (0, 0)  # a dry run writes nothing


def test_the_undo_takes_back_the_checks_and_the_listings_the_batch_made(app_ctx):
    maker, _coop = _certified()
    sauce = db.session.scalar(select(Product).where(Product.name == "Nước mắm Hải Đăng"))
    own = owner_listing(sauce, (date(2024, 1, 5), True))  # the owner's, from before the import
    own_id, own_url = own.id, own.url
    lazada = "https://www.lazada.vn/products/nuoc-mam-hai-dang-i123456.html"
    first = imports.import_file(
        to_csv(
            [
                [maker.code, "Nước mắm Hải Đăng", "Shopee", own_url, "01/09/2024", "có"],
                [maker.code, "Nước mắm Hải Đăng", "Lazada", lazada, "02/09/2024", "có"],
            ],
            HEADER,
        ),
        "san.csv",
        audit.CLI,
        kind="listings",
    )
    assert first.counts()["new"] == 2 and _count(Listing) == 2
    assert db.session.get(Listing, own_id).last_verified_on == date(2024, 9, 1)
    second = imports.import_file(
        to_csv([[maker.code, "Nước mắm Hải Đăng", "lazada", lazada, "01/11/2024", "không"]], HEADER),
        "san-11.csv",
        audit.CLI,
        kind="listings",
    )
    assert second.counts()["new"] == 1 and _count(Listing) == 2

    imports.undo(db.session.merge(first), audit.CLI)
    db.session.expire_all()
    mine = db.session.get(Listing, own_id)
    assert [(c.checked_on, c.is_available) for c in mine.checks] == [(date(2024, 1, 5), True)]
    assert mine.last_verified_on == date(2024, 1, 5)
    made = db.session.scalar(select(Listing).where(Listing.id != own_id))  # the second batch's check keeps it
    assert [(c.checked_on, c.is_available) for c in made.checks] == [(date(2024, 11, 1), False)]
    assert made.last_verified_on is None

    imports.undo(db.session.merge(second), audit.CLI)
    db.session.expire_all()
    assert [item.id for item in db.session.scalars(select(Listing))] == [own_id]  # its last check went
    assert _count(ListingCheck) == 1 and db.session.get(Listing, own_id).last_verified_on == date(2024, 1, 5)
    undone = db.session.scalars(select(AuditEvent).where(AuditEvent.provenance == f"undo:{second.id}")).all()
    assert sorted((e.entity_type, e.action) for e in undone) == [("listing", "delete"), ("listing_check", "delete")]


def test_a_second_answer_for_the_same_day_corrects_that_check_and_its_undo_puts_it_back(app_ctx):
    maker, _coop = _certified()
    sauce = db.session.scalar(select(Product).where(Product.name == "Nước mắm Hải Đăng"))
    own = owner_listing(sauce, (date(2024, 1, 5), True))
    own_id, own_url = own.id, own.url
    rows = [[maker.code, "Nước mắm Hải Đăng", "", own_url, "05/01/2024", "không"]]
    batch = imports.import_file(to_csv(rows, HEADER), "san.csv", audit.CLI, kind="listings")
    assert batch.counts()["updated"] == 1
    db.session.expire_all()
    assert [c.is_available for c in db.session.get(Listing, own_id).checks] == [False]
    assert db.session.get(Listing, own_id).last_verified_on is None
    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    assert [c.is_available for c in db.session.get(Listing, own_id).checks] == [True]
    assert db.session.get(Listing, own_id).last_verified_on == date(2024, 1, 5)


def test_taking_back_an_unfinished_import_erases_its_listings_and_their_events(app_ctx):
    maker, _coop = _certified()
    rows = [[maker.code, "Nước mắm Hải Đăng", "Shopee", SAUCE, "10/03/2024", ""]]
    batch = imports.import_file(to_csv(rows, HEADER), "san.csv", audit.CLI, kind="listings")
    kind = KINDS["listings"]
    while kind.take_back_step(batch.provenance, audit.CLI, f"unfinished-{batch.provenance}"):
        pass
    assert (_count(Listing), _count(ListingCheck)) == (0, 0)
    assert db.session.scalar(select(func.count()).where(AuditEvent.provenance == batch.provenance)) == 0
