"""Any spreadsheet, mapped once: a file in its source's own columns is mapped on a page, checked,
committed, and its source's headers are recognised the next time."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
import xlsxwriter
from sqlalchemy import select

from app.extensions import db
from app.imports.mapping import FileColumn, from_header, from_samples, suggest
from app.models import AuditEvent, Enterprise, ImportBatch, ImportSource
from tests.factories import enterprise_code
from tests.test_import_jobs import _batch
from tests.test_import_pages import _staff, _upload
from tests.test_imports import MESSY

# The business registration office's export, as it comes.
OFFICE_HEADER = [
    "STT",
    "Mã số DN",
    "Tên doanh nghiệp (tiếng Việt)",
    "Tên doanh nghiệp bằng tiếng nước ngoài",
    "Ngày cấp GCN ĐKDN lần đầu",
    "Địa chỉ trụ sở",
    "Xã/Phường",
    "Ngành nghề kinh doanh chính",
    "Tình trạng hoạt động",
    "Số LĐ",
    "Vốn điều lệ",
    "Điện thoại người đại diện",
    "Họ và tên người đại diện theo pháp luật",
]
E, F, G = (enterprise_code(n, prefix="44") for n in (1201, 1302, 1403))
OFFICE_ROWS = [
    ["1", E, "Công ty TNHH Thủy sản Đầm Ô Loan", "O LOAN SEAFOOD CO., LTD", "15/03/2015", "12 Lê Lợi", "Xã Hòa Kiến",
     "1020", "Đang hoạt động", "25", "5.000.000.000", "0905 123 456", "  Trần  Thị Loan "],
    ["2", F, "Công ty Cổ phần Du lịch Sông Cầu", "", "01/06/2018", "3 Trần Phú", "Xã Hòa Kiến",
     "5510", "Tạm ngừng kinh doanh", "40", "2.000.000.000", "", ""],
]  # fmt: skip
# What the page should select for each of its columns (None: ignore it).
OFFICE_FIELDS = [
    None, "code", "name", None, "founded_on", "address", "commune_name", "main_vsic", "status", "employees",
    "capital_vnd", None, "representative",
]  # fmt: skip


def office_csv(rows=OFFICE_ROWS, header=OFFICE_HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _choices(fields) -> dict[str, str]:
    return {f"column_{i}": field or "" for i, field in enumerate(fields)}


def _selected(page: str, index: int) -> str:
    """The value selected in the page's select for column `index` ("" for "ignore")."""
    select = re.search(rf'<select[^>]*id="column_{index}".*?</select>', page, re.S)
    found = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select[0])
    return next(value for value in found.groups() if value is not None) if found else ""


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Mã số DN", "code"),
        ("MA SO DN", "code"),
        ("Mã số thuế", "code"),
        ("Tên doanh nghiệp (tiếng Việt)", "name"),
        ("ten doanh nghiep (tieng viet)", "name"),
        ("Tên người nộp thuế", "name"),
        ("Tên chủ thể", "name"),  # an OCOP list
        ("Ngày cấp GCN ĐKDN lần đầu", "founded_on"),
        ("ngay cap gcn dkdn lan dau", "founded_on"),  # đ folds to d
        ("Ngày đăng ký lần đầu", "founded_on"),
        ("Ngày thành lập", "founded_on"),
        ("Địa chỉ trụ sở", "address"),
        ("Dia chi tru so chinh", "address"),
        ("Xã/Phường", "commune_name"),
        ("Mã xã", "commune_code"),
        ("Ngành nghề kinh doanh chính", "main_vsic"),
        ("Tình trạng hoạt động", "status"),
        ("tinh trang hoat dong", "status"),
        ("Số LĐ", "employees"),
        ("so ld", "employees"),
        ("Vốn điều lệ", "capital_vnd"),
        ("VON DIEU LE", "capital_vnd"),
        ("Số điện thoại", "phone"),
        ("ma_so_doanh_nghiep", "code"),  # the template's own headers and aliases too
        ("enterprise_code", "code"),
        # columns that hold a field's name but are not that field
        ("Tên doanh nghiệp bằng tiếng nước ngoài", None),
        ("Điện thoại người đại diện", None),
        ("Mã số thuế người đại diện", None),
        ("Tên sản phẩm", None),
        ("STT", None),
        ("", None),
    ],
)
def test_a_header_suggests_its_field_with_or_without_marks(header, field):
    assert from_header(header) == field


def test_a_column_whose_header_says_nothing_is_suggested_a_field_from_its_values():
    assert from_samples(["0100233488", "0314409058-002"]) == "code"
    assert from_samples(["15/03/2015", "01/06/2018"]) == "founded_on"
    assert from_samples(["22015", "22045"]) == "commune_code"
    assert from_samples(["lienhe@haidang.vn"]) == "email"
    assert from_samples(["haidang.vn", "https://songcau.vn/san-pham"]) == "website"
    assert from_samples(["0257 3823 456", "+84 905 123 456"]) == "phone"
    assert from_samples(["1", "2", "3"]) is None and from_samples([]) is None
    columns = [
        FileColumn(0, "Cột 1", ("0100233488",)),
        FileColumn(1, "Cột 2", ("22015",)),
        FileColumn(2, "Ngày thành lập", ("15/03/2015",)),
        FileColumn(3, "Cột 4", ("04/05/2016",)),  # founded_on is taken by the header
        FileColumn(4, "STT", ("22045",)),  # a row number is never read, whatever it looks like
        FileColumn(5, "", ("lienhe@haidang.vn",)),
    ]
    assert suggest(columns) == {0: "code", 1: "commune_code", 2: "founded_on", 3: None, 4: None, 5: "email"}
    assert suggest(columns, {0: None})[0] is None  # a saved choice wins over the values


def test_a_registration_office_file_is_mapped_checked_committed_and_its_source_saved(client, app):
    _staff(client, app)
    response = _upload(client, office_csv(), "dkkd.csv")
    assert response.status_code == 302 and response.headers["Location"].endswith("/ghep-cot")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for index, header in enumerate(OFFICE_HEADER):
        assert f'<label class="form-label fw-semibold mb-0 text-break" for="column_{index}">{header}</label>' in page
        assert _selected(page, index) == (OFFICE_FIELDS[index] or ""), header
    assert "<q>15/03/2015</q>, <q>01/06/2018</q>" in page  # samples of each column
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert batch.state == "failed" and batch.mapping is None and db.session.scalar(select(Enterprise)) is None

    mapped = client.post(
        f"/so/nhap/{batch.id}/ghep-cot", data={**_choices(OFFICE_FIELDS), "source_name": "Phòng Đăng ký kinh doanh"}
    )
    assert mapped.status_code == 302 and mapped.headers["Location"].endswith(f"/so/nhap/{batch.id}")
    checked = _batch(app, batch.id)
    assert checked.state == "checked" and checked.new_count == 2 and checked.rejected_count == 0, checked.report
    assert checked.mapping == {str(i): f for i, f in enumerate(OFFICE_FIELDS)}
    assert "Phòng Đăng ký kinh doanh" in client.get(f"/so/nhap/{batch.id}").get_data(as_text=True)

    client.post(f"/so/nhap/{batch.id}/ghi")
    with app.app_context():
        assert db.session.get(ImportBatch, batch.id).state == "committed"
        stored = {e.code: e for e in db.session.scalars(select(Enterprise))}
        first, second = stored[E], stored[F]
        assert first.name == "Công ty TNHH Thủy sản Đầm Ô Loan" and first.founded_on == date(2015, 3, 15)
        assert first.address == "12 Lê Lợi" and first.main_vsic == "1020" and first.employees == 25
        assert first.capital_vnd == 5_000_000_000 and first.status == "active" and first.commune_code
        assert first.phone is None  # the representative's phone was ignored
        assert first.representative == "Trần Thị Loan" and second.representative is None
        assert second.status == "suspended" and second.founded_on == date(2018, 6, 1)
        source = db.session.scalar(select(ImportSource))
        assert source.name == "Phòng Đăng ký kinh doanh" and source.mapping["ma so dn"] == "code"
        assert source.mapping["stt"] is None and source.created_by_id is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "import_source"))
        assert event.action == "create" and event.entity_id == str(source.id)


def test_the_saved_source_is_offered_and_its_headers_recognised_the_next_time(client, app):
    _staff(client, app)
    first = _upload(client, office_csv(), "dkkd.csv").headers["Location"]
    client.post(first, data={**_choices(OFFICE_FIELDS), "source_name": "Phòng Đăng ký kinh doanh"})
    upload_page = client.get("/so/nhap").get_data(as_text=True)
    assert "Phòng Đăng ký kinh doanh" in upload_page and 'name="source"' in upload_page

    # the same headers: straight to the dry run, the source named on the batch's page
    again = office_csv([[*OFFICE_ROWS[0][:1], G, *OFFICE_ROWS[0][2:]]])
    response = _upload(client, again, "dkkd-thang-12.csv")
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    batch = _batch(app, batch_id)
    assert batch.state == "checked" and batch.new_count == 1 and batch.source_id is not None
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert "Phòng Đăng ký kinh doanh" in page and f"/so/nhap/{batch_id}/ghep-cot" in page  # may be changed

    # a header it does not know: the page, with the source's choices selected and the source named
    header = [*OFFICE_HEADER, "Ghi chú nội bộ"]
    rows = [[*row, "x"] for row in OFFICE_ROWS]
    location = _upload(client, office_csv(rows, header), "dkkd-moi.csv").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "Phòng Đăng ký kinh doanh" in page
    assert [_selected(page, i) for i in range(len(OFFICE_FIELDS))] == [f or "" for f in OFFICE_FIELDS]
    assert 'value="Phòng Đăng ký kinh doanh"' in page  # saving again updates the source

    # the source picked at the upload, for a file whose headers the page would not recognise
    other = [h.upper() + " (DKKD)" for h in OFFICE_HEADER]
    response = _upload_with_source(client, office_csv(OFFICE_ROWS, other), batch.source_id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phòng Đăng ký kinh doanh" in page and response.headers["Location"].endswith("/ghep-cot")


def _upload_with_source(client, data: bytes, source_id: int):
    return client.post(
        "/so/nhap",
        data={"file": (io.BytesIO(data), "khac.csv"), "source": str(source_id)},
        content_type="multipart/form-data",
    )


def test_required_and_duplicate_fields_are_explained_and_every_choice_kept(client, app):
    _staff(client, app)
    client.get("/ngon-ngu/en")
    location = _upload(client, office_csv(), "dkkd.csv").headers["Location"]
    wrong = [*OFFICE_FIELDS]
    wrong[2] = None  # no name
    wrong[3] = "code"  # the code twice
    wrong[6] = None  # no commune
    response = client.post(location, data={**_choices(wrong), "source_name": "Sở Nông nghiệp — OCOP"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the column that holds the registered name." in page
    assert "Choose the column that holds the commune" in page
    assert page.count("choose it for one column only") >= 2 + 2  # beside both columns, and in the summary
    assert 'id="column_1-error"' in page and 'id="column_3-error"' in page
    assert "“Tên doanh nghiệp bằng tiếng nước ngoài”" in page  # the other column, by its header
    assert [_selected(page, i) for i in range(len(wrong))] == [f or "" for f in wrong]
    assert 'value="Sở Nông nghiệp — OCOP"' in page
    with app.app_context():
        assert db.session.scalar(select(ImportSource)) is None
        assert db.session.scalar(select(ImportBatch)).mapping is None


def test_a_checked_batch_can_be_read_again_with_other_choices(client, app):
    _staff(client, app)
    location = _upload(client, office_csv(), "dkkd.csv").headers["Location"]
    client.post(location, data=_choices(OFFICE_FIELDS))
    page = client.get(location).get_data(as_text=True)  # the batch's own choices, selected
    assert [_selected(page, i) for i in range(len(OFFICE_FIELDS))] == [f or "" for f in OFFICE_FIELDS]
    changed = [*OFFICE_FIELDS]
    changed[8] = None  # the status no longer read
    changed[11] = "phone"
    client.post(location, data=_choices(changed))
    batch_id = int(location.split("/")[-2])
    batch = _batch(app, batch_id)
    assert batch.state == "checked" and batch.mapping["8"] is None and batch.mapping["11"] == "phone"
    assert batch.new_count == 2 and batch.source_id is None
    client.post(f"/so/nhap/{batch_id}/ghi")
    with app.app_context():
        assert db.session.scalar(select(Enterprise).where(Enterprise.code == E)).phone == "0905 123 456"
    assert client.get(location).status_code == 302  # committed: its columns no longer change


def test_an_xlsx_from_the_tax_office_is_mapped_and_committed_by_the_background_job(client, app):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0  # the check and the commit run as jobs, reading the batch's mapping
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Mã số thuế", "Tên người nộp thuế", "Mã ĐVHC", "Ngày cấp MST", "Cột 5", "Trạng thái NNT"])
    when = book.add_format({"num_format": "dd/mm/yyyy"})
    for row, (code, name) in enumerate([(E, "Công ty TNHH Yến sào Hòa Hiệp"), (F, "Hợp tác xã Nông nghiệp Hòa Kiến")]):
        sheet.write_string(row + 1, 0, code)
        sheet.write_string(row + 1, 1, name)
        sheet.write_number(row + 1, 2, 22015)
        sheet.write_datetime(row + 1, 3, datetime(2016, 5, 4 + row), when)
        sheet.write_string(row + 1, 4, f"lienhe{row}@hoahiep.vn")
        sheet.write_string(row + 1, 5, "Đang hoạt động")
    book.close()
    _staff(client, app)
    location = _upload(client, output.getvalue(), "thue.xlsx").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    fields = ["code", "name", "commune_code", "founded_on", "email", "status"]
    assert [_selected(page, i) for i in range(6)] == fields  # "Cột 5" from its values
    assert "<q>04/05/2016</q>" in page  # a date shown dd/mm/yyyy
    batch_id = int(location.split("/")[-2])
    client.post(location, data={**_choices(fields), "source_name": "Chi cục Thuế"})
    assert _batch(app, batch_id).state == "checked"
    client.post(f"/so/nhap/{batch_id}/ghi")
    batch = _batch(app, batch_id)
    assert batch.state == "committed" and batch.new_count == 2, (batch.error, batch.report)
    with app.app_context():
        found = db.session.scalar(select(Enterprise).where(Enterprise.code == F))
        assert found.founded_on == date(2016, 5, 5) and found.email == "lienhe1@hoahiep.vn"
        assert found.commune_code == "22015" and found.legal_form == "htx"


def test_a_template_file_skips_the_mapping(client, app):
    _staff(client, app)
    response = _upload(client, MESSY)
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _batch(app, batch_id).state == "checked" and _batch(app, batch_id).mapping is None
    assert "/ghep-cot" not in client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    refused = client.get(f"/so/nhap/{batch_id}/ghep-cot")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/so/nhap/{batch_id}")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("vi", ("Mã số doanh nghiệp (mã số thuế)", "Bỏ lô nhập này")),
        ("en", ("Enterprise code (tax code)", "Give the batch up")),
    ],
)
def test_the_mapping_page_in_both_languages_labels_every_select_and_works_without_javascript(
    client, app, language, words
):
    _staff(client, app)
    client.get(f"/ngon-ngu/{language}")
    location = _upload(client, office_csv(), "dkkd.csv").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert f'<html lang="{language}"' in page and all(word in page for word in words)
    selects = re.findall(r'<select[^>]*id="(column_\d+)"', page)
    assert len(selects) == len(OFFICE_HEADER)
    assert all(f'for="{name}"' in page and f'aria-describedby="{name}-hint"' in page for name in selects)
    assert "<table" not in page and "<script" not in page.split("</main>")[0]  # a stacked list; a plain form
    assert f'<form method="post" action="{location}"' in page
