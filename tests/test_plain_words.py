"""Plain words: downloads speak the language of the page (labels, not codes; times in the
province's time zone), and every list of communes is in Vietnamese alphabetical order."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from python_calamine import CalamineWorkbook

from app.extensions import db
from app.text import vietnamese_sort_key
from tests.factories import login, make_enterprise, make_user


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def listed(app):
    with app.app_context():
        enterprise = make_enterprise("Công ty TNHH Thủy sản Hải Đăng", legal_form="tnhh1", status="active")
        enterprise.updated_at = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)  # 1 March 01:30 the next day in Vietnam
        db.session.commit()
        return enterprise.public_key


EXPECTED = {
    "vi": {
        "header": ["Mã số doanh nghiệp", "Loại hình", "Quy mô", "Xã, phường", "Tình trạng pháp lý"],
        "values": ["Công ty TNHH một thành viên", "Siêu nhỏ", "Đang hoạt động", "Không"],
    },
    "en": {
        "header": ["Enterprise code", "Legal form", "Size", "Commune or ward", "Legal status"],
        "values": ["Single-member limited liability company", "Micro", "Active", "No"],
    },
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_directory_csv_has_headers_and_labels_in_the_page_language(client, listed, language):
    client.set_cookie("lang", language)
    rows = read_csv(client.get("/doanh-nghiep/xuat.csv"))
    header, codes, row = rows[0], rows[1], rows[2]
    for title in EXPECTED[language]["header"]:
        assert title in header
    assert codes[:3] == ["code", "name", "legal_form"]  # the field codes follow, the same in both languages
    for label in EXPECTED[language]["values"]:
        assert label in row
    assert "tnhh1" not in row and "micro" not in row and "active" not in row and "False" not in row


@pytest.mark.parametrize("language", ["vi", "en"])
def test_directory_xlsx_has_headers_and_labels_in_the_page_language(client, listed, language):
    client.set_cookie("lang", language)
    response = client.get("/doanh-nghiep/xuat.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.data))
    header, codes, row = book.get_sheet_by_index(0).to_python()[:3]
    assert set(EXPECTED[language]["header"]) <= set(header)
    assert codes[0] == "code"
    assert set(EXPECTED[language]["values"]) <= set(row)


def test_staff_export_writes_times_in_the_province_time_zone(app, client, listed):
    with app.app_context():
        staff = make_user("staff@so.gov.vn", role="staff")
        secret = staff.totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    rows = read_csv(client.get("/doanh-nghiep/xuat.csv"))
    changed = rows[2][rows[1].index("updated_at")]
    assert changed == "2026-03-02 01:30"  # 18:30 UTC is 01:30 the next day in Asia/Ho_Chi_Minh
    assert rows[0][rows[1].index("updated_at")] == "Lần thay đổi gần nhất"


def test_progress_breakdown_csv_is_in_the_page_language(client, province):
    client.set_cookie("lang", "en")
    english = read_csv(client.get("/tien-do/T5/theo-commune.csv"))
    client.set_cookie("lang", "vi")
    vietnamese = read_csv(client.get("/tien-do/T5/theo-commune.csv"))
    assert english[0][0] == "Commune or ward" and vietnamese[0][0] == "Xã, phường"
    assert all(not re.search(r"\d %", cell) for row in vietnamese for cell in row)  # 47%, never 47 %


def _names_in(html: str, select_id: str) -> list[str]:
    """The choices of a list: a select's options, or a text field's datalist of current names."""
    if f'id="{select_id}-list"' in html:
        block = html.split(f'id="{select_id}-list"', 1)[1].split("</datalist>", 1)[0]
        return re.findall(r'<option value="([^"]+)">', block)  # a former commune's option has a label too
    block = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return [n for n in re.findall(r"<option[^>]*>([^<]+)</option>", block) if n.strip() not in ("", "—")]


def test_commune_lists_are_in_vietnamese_alphabetical_order(app, client):
    """ "Đông Hòa" after "Dân …"/"D…" names and before "E…": never codepoint order, where Đ sorts after Z."""
    with app.app_context():
        for commune, count in (("22015", 3), ("22045", 1), ("22051", 2)):
            for n in range(count):
                make_enterprise(f"Công ty TNHH Mẫu {commune} {n}", commune_code=commune)
        owner = make_user("owner@example.vn").email
    client.set_cookie("lang", "en")
    page = client.get("/doanh-nghiep").get_data(as_text=True)
    block = page.split(">Commune</h2>", 1)[1].split("</details>", 1)[0]
    facet = [name.removeprefix("✓ ") for name in re.findall(r'class="facet-link[^"]*"[^>]*>([^<]+)</a>', block)]
    assert sorted(facet) == ["Bình Kiến", "Sông Cầu", "Tuy Hòa"]
    assert facet == sorted(facet, key=vietnamese_sort_key)  # alphabetical, not by count

    login(client, owner)
    form = client.get("/doanh-nghiep/dang-ky").get_data(as_text=True)
    names = _names_in(form, "commune_code")
    assert len(names) > 30 and names == sorted(names, key=vietnamese_sort_key)
    assert names != sorted(names)  # codepoint order would differ: Đ and Ô sort after every plain letter
    assert names.index("Đông Hòa") < names.index("Ea Bá")
