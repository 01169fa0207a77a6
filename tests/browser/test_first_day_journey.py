"""A department's first day in a real browser, in its language, on a phone and a desktop: the
registration office's export (its own columns, with each firm's registration and cessation days)
mapped and imported, an OCOP list mapped and imported as certified products, a record corrected
from an earlier day; the record's page shows how the figures count it over time."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth import totp
from app.extensions import db
from app.models import Enterprise, ImportSource, Product
from tests.factories import make_user
from tests.test_import_mapping import office_csv
from tests.test_imports import to_csv

WORDS = {
    "vi": {
        "email": "Địa chỉ e-mail",
        "password": "Mật khẩu",
        "sign_in": "Đăng nhập",
        "file": "Tệp",
        "check": "Kiểm tra tệp (chạy thử)",
        "mapped": "Kiểm tra tệp với các cột này (chạy thử)",
        "save": "Lưu các lựa chọn này cho nguồn",
        "commit": "Ghi các dòng hợp lệ",
        "undo": "Hoàn tác lần nhập này",
        "spans": "Số liệu tính hồ sơ này theo từng giai đoạn",
        "days": ("15/03/2015", "30/06/2025", "01/07/2025"),
    },
    "en": {
        "email": "E-mail address",
        "password": "Password",
        "sign_in": "Sign in",
        "file": "File",
        "check": "Check the file (dry run)",
        "mapped": "Check the file with these columns (dry run)",
        "save": "Save these choices for the source",
        "commit": "Commit the valid rows",
        "undo": "Undo this import",
        "spans": "How the figures count it, day by day",
        "days": ("15 Mar 2015", "30 Jun 2025", "1 Jul 2025"),
    },
}
OCOP_HEADER = ["STT", "Tên sản phẩm", "Chủ thể", "Mã số thuế chủ thể", "Hạng sao", "Ngày công nhận"]


def _sign_in(app, page, words, lang) -> None:
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff", name="Trần Văn Bình").totp_secret
    page.page.context.add_cookies([{"name": "lang", "value": lang, "url": page.base_url}])
    page.goto("/dang-nhap")
    page.page.get_by_label(words["email"]).fill("staff@so.gov.vn")
    page.page.get_by_label(words["password"]).fill("correct horse battery staple")
    page.page.locator("main").get_by_role("button", name=words["sign_in"]).click()
    page.page.locator("input[autocomplete=one-time-code]").fill(totp.current_code(secret))
    page.page.locator("main").get_by_role("button").first.click()


def _import(page, words, path, kind: str, source: str, shot: str) -> None:
    page.goto(f"/so/nhap?kind={kind}")
    page.page.get_by_label(words["file"], exact=True).set_input_files(str(path))
    page.page.get_by_role("button", name=words["check"]).click()
    page.page.get_by_label(words["save"]).fill(source)
    page.screenshot(shot)
    page.page.get_by_role("button", name=words["mapped"]).click()
    page.page.get_by_role("button", name=words["commit"]).wait_for(timeout=20_000)
    page.page.get_by_role("button", name=words["commit"]).click()
    page.page.get_by_role("link", name=words["undo"]).wait_for(timeout=20_000)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_department_imports_what_it_has_and_corrects_a_record_from_an_earlier_day(
    app, make_page, width, lang, tmp_path
):
    words = WORDS[lang]
    page = make_page(width, locale="vi-VN" if lang == "vi" else "en-GB")
    _sign_in(app, page, words, lang)

    office = tmp_path / "dkkd.csv"
    office.write_bytes(office_csv())
    _import(page, words, office, "registry", "Phòng Đăng ký kinh doanh", f"first-day-mapping-{lang}-{width}")
    with app.app_context():
        firm = db.session.scalar(select(Enterprise).where(Enterprise.name.like("%Đầm Ô Loan%")))
        assert firm.founded_on.isoformat() == "2015-03-15"
        code, key = firm.code, firm.public_key

    ocop = tmp_path / "ocop.csv"
    ocop.write_bytes(to_csv([["1", "Nước mắm Ô Loan", "Công ty Đầm Ô Loan", code, "4 sao", "20/05/2024"]], OCOP_HEADER))
    _import(page, words, ocop, "products", "Sở Nông nghiệp — OCOP", f"first-day-ocop-{lang}-{width}")
    with app.app_context():
        product = db.session.scalar(select(Product))
        assert (product.certification, product.ocop_stars, product.verified_on.isoformat()) == ("ocop", 4, "2024-05-20")
        assert {s.name for s in db.session.scalars(select(ImportSource))} == {
            "Phòng Đăng ký kinh doanh",
            "Sở Nông nghiệp — OCOP",
        }

    page.goto(f"/so/ho-so/{key}/sua")
    page.page.locator("#commune_code").fill("Tuy Hòa")  # typed by its name, as the list offers it
    page.page.locator("#effective_on").fill("2025-07-01")
    page.page.locator("main form button[type=submit]").first.click()
    page.page.get_by_role("heading", name=words["spans"]).wait_for()
    table = page.page.locator("table[aria-labelledby=spans-title]").inner_text()
    assert all(day in table for day in words["days"]), table  # from its registration; the correction from July
    page.screenshot(f"first-day-record-{lang}-{width}")
