"""What an import reads: Windows-1258 and UTF-8 files, a workbook's dates, the plan held compressed,
and each cell checked as the forms check it (names, amounts, legal forms, websites, VSIC codes)."""

from __future__ import annotations

import codecs
import io
import unicodedata
from datetime import date, datetime

import pytest
import xlsxwriter
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.imports import cells, services
from app.models import Enterprise
from tests.factories import enterprise_code
from tests.test_imports import HEADER, A, B, D, _enterprises, to_cp1258, to_csv


def test_windows_1258_file_is_read_and_stored_as_nfc(app_ctx):
    text = "ma_so_doanh_nghiep,ten_doanh_nghiep,ten_xa\n" + f"{A},Công ty Cổ phần Yến sào Hòa Hiệp,Xã Hòa Kiến\n"
    data = to_cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    batch = services.import_file(data, "cp1258.csv", audit.CLI)
    assert batch.new_count == 1
    stored = _enterprises()[A]
    assert stored.name == "Công ty Cổ phần Yến sào Hòa Hiệp" and stored.legal_form == "cp"
    assert unicodedata.is_normalized("NFC", stored.name)


def test_a_file_is_windows_1258_when_one_byte_past_the_first_megabyte_is_no_utf_8(app_ctx):
    """The encoding is checked over the whole file, a piece at a time, and the lines are decoded one
    at a time: a byte-order mark is no text, and a Windows-1258 letter far down the file is read as such."""
    from app.imports import reading

    header = "ma_so_doanh_nghiep,ten_doanh_nghiep,ten_xa\n"
    filler = "".join(
        f"{enterprise_code(n, prefix='44')},Cong ty so {n:06d} nhieu chu cho dai dong,Xa Hoa Kien\n"
        for n in range(20_000)
    )
    assert len(filler) > 1 << 20
    last = f"{D},Đồng Xuân,Xã Hòa Kiến\n"
    sheet = reading.read_sheet(header.encode() + filler.encode() + to_cp1258(last))
    rows = list(sheet.rows)
    assert len(rows) == 20_001 and unicodedata.normalize("NFC", rows[-1][1]) == "Đồng Xuân"
    assert rows[0][0] == enterprise_code(0, prefix="44")
    with_bom = reading.read_sheet(codecs.BOM_UTF8 + (header + last).encode())
    assert with_bom.fields[0] == "code" and list(with_bom.rows) == [[D, "Đồng Xuân", "Xã Hòa Kiến"]]


def test_a_plan_keeps_its_rows_packed_and_gives_them_back_in_order():
    """P7: the plan's rows are kept compressed a thousand at a time; every row comes back as it was."""
    from app.imports.plan import Packed

    rows = [(n, f"Công ty {n}", date(2020, 1, 1 + n % 28), None, n * 1_000_000_000) for n in range(2_345)]
    packed = Packed()
    for row in rows:
        packed.append(row)
    assert len(packed) == 2_345 and list(packed) == rows and list(packed) == rows  # read twice: nothing is consumed
    assert list(Packed()) == [] and len(Packed()) == 0


def test_xlsx_with_excel_dates_and_a_code_that_lost_its_leading_zero(app_ctx):
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Mã số doanh nghiệp", "Tên doanh nghiệp", "Loại hình", "Ngày thành lập", "Mã xã"])
    sheet.write_number(1, 0, 100233488)  # 0100233488 typed into a number cell
    sheet.write_row(1, 1, ["Công ty TNHH MTV Số Một", "TNHH MTV"])
    sheet.write_datetime(1, 3, datetime(2016, 5, 4), book.add_format({"num_format": "dd/mm/yyyy"}))
    sheet.write_number(1, 4, 22015)
    sheet.write_row(2, 0, [B, "Công ty Hai", "Công ty cổ phần"])
    sheet.write_number(2, 3, 42005)  # an Excel serial without a date format
    sheet.write_string(2, 4, "22015")
    book.close()
    batch = services.import_file(output.getvalue(), "book.xlsx", audit.CLI)
    assert batch.format == "xlsx" and batch.counts()["new"] == 2, batch.report
    found = _enterprises()
    assert found["0100233488"].founded_on == date(2016, 5, 4) and found[B].founded_on == date(2015, 1, 1)


@pytest.mark.parametrize(
    "name",
    [
        "Công ty TNHH Hoàng Long",
        "HÒA BÌNH XANH",
        "Nguyễn Thị Hoa",
        "Quán Ốc Đào",
        "Khách sạn Sài Gòn · Phú Yên",
        "Cơ sở Yến Sào Khánh Hòa",
        "Thủy Tiên",
        "Quán Chè Ý",
    ],
)
def test_real_vietnamese_names_are_not_taken_for_mojibake(name):
    assert not cells.looks_mis_encoded(name)


def test_amounts_legal_forms_and_statuses_as_people_type_them(app_ctx):
    assert cells.parse_amount("1.234.567") == cells.parse_amount("1,234,567") == 1_234_567
    assert [
        cells.parse_legal_form(x) for x in ("TNHH MTV", "ctcp", "DNTN", "htx", "Công ty TNHH hai thành viên trở lên")
    ] == ["tnhh1", "cp", "dntn", "htx", "tnhh2"]
    assert [cells.parse_status(x) for x in ("", "Đang hoạt động", "tam ngung kinh doanh", "Giải thể")] == [
        None,
        "active",
        "suspended",
        "dissolved",
    ]


def test_dependent_units_are_recognised_whatever_the_legal_form_cell_says(app_ctx):
    """A 13-digit code is a branch; a branch code Excel read as a number is repaired, never a personal ID."""
    parent = "0314409058"  # DOMAIN §3: 0314409058-002 is a valid branch code
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Mã số doanh nghiệp", "Tên doanh nghiệp", "Loại hình", "Mã xã"])
    sheet.write_number(1, 0, 314409058002)  # 0314409058-002 in a number cell
    sheet.write_row(1, 1, ["Chi nhánh Công ty TNHH Mía đường tại Phú Yên", "", "22015"])
    sheet.write_row(
        2, 0, ["314409058003.0", "Văn phòng đại diện Công ty Cổ phần Sông Đà", "", "22015"]
    )  # CSV-like text
    sheet.write_row(3, 0, [f"{parent}-004", "Công ty TNHH Giả Chi Nhánh", "Công ty TNHH", "22015"])  # company form
    sheet.write_row(4, 0, [f"{parent}005", "Cửa hàng Mía đường số 5", "", "22015"])  # no form, no word: a branch
    book.close()
    batch = services.import_file(output.getvalue(), "branches.xlsx", audit.CLI)
    rejected = {(r["row"], r["reason"]) for r in batch.report["rejected"]}
    assert rejected == {(4, "branch_code_with_company_form")}, batch.report
    found = _enterprises()
    assert found[f"{parent}-002"].legal_form == "branch" and found[f"{parent}-002"].personal_id is None
    assert found[f"{parent}-003"].legal_form == "rep_office"
    assert found[f"{parent}-005"].legal_form == "branch"
    assert {e.size_tier for e in found.values()} == {"not_applicable"}  # never in the SME denominator


def test_a_household_id_typed_as_text_stays_a_personal_id(app_ctx):
    batch = services.import_file(
        to_csv([["044190001234", "Hộ kinh doanh Lê Văn An", "", "", "22015"]], header=HEADER[:5]), "hkd.csv", audit.CLI
    )
    assert batch.counts()["new"] == 1, batch.report
    household = db.session.scalar(select(Enterprise))
    assert household.legal_form == "hkd" and household.personal_id == "044190001234" and household.code is None


def test_import_cells_are_checked_like_the_forms(app_ctx):
    """A website is written as the forms write it, a date that does not exist says so, and an unknown
    legal form or status lists what is accepted."""
    header = ["ma_so_doanh_nghiep", "ten_doanh_nghiep", "loai_hinh", "ngay_thanh_lap", "ma_xa", "website", "trang_thai"]
    codes = [enterprise_code(n, prefix="44") for n in (1111, 2222, 3333, 4444, 5555, 6666)]
    rows = [
        [codes[0], "Công ty TNHH Gành Đá Đĩa", "TNHH MTV", "", "22015", "gandadia.vn", ""],  # row 2: bare domain
        [codes[1], "Công ty TNHH Hải Đăng", "TNHH MTV", "", "22015", '=HYPERLINK("https://haidang.vn","Hải Đăng")', ""],
        [codes[2], "Công ty TNHH Ngày Sai", "TNHH MTV", "31/02/2019", "22015", "", ""],  # row 4: no such day
        [codes[3], "Công ty Loại Lạ", "Công ty trách nhiệm vô hạn", "", "22015", "", ""],  # row 5
        [codes[4], "Công ty TNHH Trạng Thái", "TNHH MTV", "", "22015", "", "đang ngủ đông"],  # row 6
        [codes[5], "Công ty TNHH Ngày Chữ", "TNHH MTV", "mùng 3 tết", "22015", "", ""],  # row 7: not a date
    ]
    batch = services.import_file(to_csv(rows, header=header), "o.csv", audit.CLI)
    rejected = {(r["row"], r["column"], r["reason"]) for r in batch.report["rejected"]}
    assert rejected == {
        (3, "website", "bad_website"),
        (4, "ngay_thanh_lap", "no_such_date"),
        (5, "loai_hinh", "bad_legal_form"),
        (6, "trang_thai", "bad_status"),
        (7, "ngay_thanh_lap", "bad_date"),
    }
    assert _enterprises()[codes[0]].website == "https://gandadia.vn"  # never a relative link
    from app.imports.reasons import message

    assert "Hợp tác xã" in message("bad_legal_form") and "htx" in message("bad_legal_form")
    assert "Giải thể" in message("bad_status") and "dissolved" in message("bad_status")
    assert message("no_such_date") != message("bad_date")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("gandadia.vn", "https://gandadia.vn"),
        ("HTTPS://GanDaDia.VN/san-pham", "https://gandadia.vn/san-pham"),
        ("www.haidang.com.vn/", "https://www.haidang.com.vn/"),
        (" ", None),
    ],
)
def test_one_website_rule_for_the_forms_and_the_import(app_ctx, typed, stored):
    from app.directory.owner import read_enterprise_form
    from app.domain.websites import normalize_website

    assert normalize_website(typed) == stored == cells.parse_website(typed)
    fields = read_enterprise_form({"legal_form": "tnhh1", "commune_code": "22015", "website": typed})
    assert fields["website"] == stored


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("https://a.vn")',
        "mailto:a@b.vn",
        "javascript:alert(1)",
        "haidang",
        "a b.vn",
        "ftp://a.vn",
        "https://1.2.3.4",
    ],
)
def test_what_is_not_a_website_is_refused_by_the_forms_and_the_import(app_ctx, typed):
    from app.directory.owner import FieldErrors, read_enterprise_form

    with pytest.raises(cells.CellError):
        cells.parse_website(typed)
    with pytest.raises(FieldErrors) as refused:
        read_enterprise_form({"legal_form": "tnhh1", "commune_code": "22015", "website": typed})
    assert set(refused.value.errors) == {"website"}


def test_with_the_official_vsic_list_a_code_must_be_on_it_in_forms_and_imports(app, tmp_path):
    """Without the list a code is checked by its division; with it, 99999 is refused by both."""
    import shutil

    from app.directory.owner import FieldErrors, read_enterprise_form
    from app.domain.sectors import section_for_vsic
    from app.rules import DEFAULT_RULES_DIR

    with app.app_context():
        assert section_for_vsic("99999") == "U"  # division 99 exists
        rules_dir = tmp_path / "rules"
        shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
        (rules_dir / "vsic_codes.txt").write_text(
            "# part of the list\n10\n102\n1020\n10201\n99\n990\n9900\n99000\n", encoding="utf-8"
        )
        app.config["RULES_DIR"] = str(rules_dir)
        cells.parse_vsic.cache_clear()
        try:
            assert section_for_vsic("99000") == "U" and section_for_vsic("99999") is None
            with pytest.raises(cells.CellError):
                cells.parse_vsic("99999")
            with pytest.raises(FieldErrors) as refused:
                read_enterprise_form({"legal_form": "tnhh1", "commune_code": "22015", "main_vsic": "99999"})
            assert set(refused.value.errors) == {"main_vsic"}
            assert cells.parse_vsic("C1020") == ("1020", "C")
        finally:
            cells.parse_vsic.cache_clear()


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("Đang hoạt động", "active"),
        ("NNT đang hoạt động (đã được cấp GCN ĐKT)", "active"),
        ("Tạm ngừng kinh doanh có thời hạn", "suspended"),
        ("NNT tạm nghỉ kinh doanh có thời hạn", "suspended"),
        ("Đang làm thủ tục giải thể", "suspended"),
        ("Ngừng hoạt động nhưng chưa hoàn thành thủ tục đóng MST", "suspended"),
        ("NNT ngừng hoạt động và đã hoàn thành thủ tục chấm dứt hiệu lực MST", "dissolved"),
        ("Đã giải thể", "dissolved"),
        ("Bị thu hồi Giấy chứng nhận đăng ký doanh nghiệp", "dissolved"),
        ("PHÁ SẢN", "dissolved"),
    ],
)
def test_statuses_as_the_registration_and_tax_offices_write_them(app_ctx, typed, status):
    assert cells.parse_status(typed) == status


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("4620 - Bán buôn nông, lâm sản nguyên liệu", "4620"),
        ("1020: Chế biến, bảo quản thủy sản", "1020"),
        ("C 1020 Chế biến thủy sản", "1020"),
        ("62010 (Lập trình máy vi tính)", "62010"),
    ],
)
def test_a_line_of_business_written_with_its_name_is_read_by_its_code(app_ctx, typed, code):
    assert cells.parse_vsic(typed)[0] == code
    with pytest.raises(cells.CellError):
        cells.parse_vsic("Bán buôn nông sản")
