"""Every kind of file through the same pages: the upload page's choice of what the file holds (its guide,
its template, its saved sources), the mapping step with the kind's fields, the batch page and the
history, and `flask registry import --kind`."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.imports.kinds import KINDS
from app.imports.mapping import FileColumn, from_header, from_samples, suggest
from app.imports.reading import read_table
from app.models import AuditEvent, ImportBatch, ImportSource, Product
from tests.factories import make_enterprise
from tests.test_import_jobs import _batch
from tests.test_import_mapping import OFFICE_FIELDS, _choices, _selected, office_csv
from tests.test_import_pages import _staff
from tests.test_imports import to_csv

PRODUCTS = KINDS["products"]
TEMPLATE = [
    "ma_so_doanh_nghiep",
    "ten_san_pham",
    "loai_chung_nhan",
    "so_sao",
    "nhom_san_pham",
    "so_quyet_dinh",
    "co_quan_cap",
    "ngay_chung_nhan",
    "ngay_het_han",
]
# The agriculture department's OCOP list, as it comes (a list of OCOP and other certificates says which).
OCOP_HEADER = [
    "STT",
    "Tên sản phẩm",
    "Chủ thể",
    "Mã số thuế chủ thể",
    "Hạng sao",
    "Nhóm sản phẩm",
    "Số quyết định",
    "Ngày công nhận",
    "Loại chứng nhận",
]
OCOP_FIELDS = [
    None, "name", None, "code", "ocop_stars", "ocop_group", "certificate_no", "certified_on", "certification",
]  # fmt: skip
SOURCE = "Sở Nông nghiệp — OCOP"


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _upload(client, data: bytes, kind: str | None = None, name: str = "ocop.csv", source: str | None = None):
    form = {"file": (io.BytesIO(data), name)}
    if kind:
        form["kind"] = kind
    if source:
        form["source"] = source
    return client.post("/so/nhap", data=form, content_type="multipart/form-data")


def _makers(app) -> tuple[str, str]:
    with app.app_context():
        maker = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
        coop = make_enterprise("Hợp tác xã Nông nghiệp Hòa Kiến", legal_form="htx", founded_on=date(2012, 1, 1))
        return maker.code, coop.code


def _ocop_rows(maker: str, coop: str) -> list[list[str]]:
    return [
        ["1", "Nước mắm Hải Đăng", "Công ty TNHH Nước mắm Hải Đăng", maker, "4 sao", "Thực phẩm", "12/QĐ-UBND",
         "20/05/2024", "OCOP"],
        ["2", "Gạo Hòa Kiến", "Hợp tác xã Nông nghiệp Hòa Kiến", coop, "3", "Thực phẩm", "12/QĐ-UBND",
         "20/05/2024", "OCOP"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Tên sản phẩm", "name"),
        ("Sản phẩm OCOP", "name"),
        ("Mã số thuế chủ thể", "code"),
        ("Hạng sao", "ocop_stars"),
        ("Số sao", "ocop_stars"),
        ("Xếp hạng", "ocop_stars"),
        ("Phân hạng", "ocop_stars"),
        ("Nhóm sản phẩm", "ocop_group"),
        ("Bộ sản phẩm", "ocop_group"),
        ("Số quyết định", "certificate_no"),
        ("Quyết định công nhận", "certificate_no"),
        ("Ngày công nhận", "certified_on"),
        ("Ngày quyết định", "certified_on"),
        ("Ngày quyết định công nhận", "certified_on"),
        ("Ngày cấp", "certified_on"),
        ("Thời hạn", "expires_on"),
        ("Ngày hết hạn", "expires_on"),
        ("ngay_chung_nhan", "certified_on"),  # the template's own header and alias
        ("decision_no", "certificate_no"),
        # the owner is named by its code only: its name and address are not read
        ("Tên chủ thể", None),
        ("Chủ thể", None),
        ("Địa chỉ chủ thể", None),
        ("Tên doanh nghiệp", None),
        ("STT", None),
    ],
)
def test_a_header_of_an_ocop_list_suggests_a_field_of_products_only(header, field):
    assert from_header(header, PRODUCTS) == field


def test_values_are_suggested_the_kinds_fields_only():
    assert from_samples(["20/05/2024", "01/03/2025"], PRODUCTS) == "certified_on"  # the kind's date
    assert from_samples(["0100233488"], PRODUCTS) == "code"
    assert from_samples(["lienhe@haidang.vn"], PRODUCTS) is None  # a product has no e-mail
    assert from_samples(["22015"], PRODUCTS) is None and from_samples(["haidang.vn"], PRODUCTS) is None
    assert from_samples(["0257 3823 456"], PRODUCTS) is None
    if "listings" in KINDS and "url" in KINDS["listings"].columns.fields:
        assert from_samples(["https://shopee.vn/nuoc-mam-i.1.2"], KINDS["listings"]) == "url"
    assert from_samples(["haidang.vn"]) == "website" and from_samples(["15/03/2015"]) == "founded_on"
    columns = [FileColumn(0, "Cột 1", ("0100233488",)), FileColumn(1, "Cột 2", ("20/05/2024",))]
    assert suggest(columns, kind=PRODUCTS) == {0: "code", 1: "certified_on"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_upload_page_shows_each_kinds_guide_template_and_choice(client, app, kind):
    _staff(client, app)
    client.get("/ngon-ngu/en")
    chosen = KINDS[kind]
    page = client.get(f"/so/nhap?kind={kind}").get_data(as_text=True)
    assert all(f"<code>{c.header}</code>" in page for c in chosen.guide)
    assert f'<input type="hidden" name="kind" value="{kind}">' in page
    for other in KINDS.values():  # one link per kind, the chosen one marked
        link = "/so/nhap" if other.key == "registry" else f"/so/nhap?kind={other.key}"
        assert f'href="{link}"' in page and str(other.title) in page
    assert re.search(rf'href="[^"]*"[^>]*aria-current="page">{re.escape(str(chosen.title))}</a>', page)
    for fmt in ("csv", "xlsx"):
        assert f'href="/so/nhap/mau.{fmt}?kind={kind}"' in page
        template = client.get(f"/so/nhap/mau.{fmt}?kind={kind}")
        assert template.status_code == 200
        data = template.get_data()
        with app.app_context():
            _fmt, header, rows, _total = read_table(data)
            assert header == [c.header for c in chosen.guide] and len(list(rows)) == 1
    assert client.get("/so/nhap/mau.pdf").status_code == 404


def test_an_unknown_kind_is_read_as_the_registrys(client, app):
    _staff(client, app)
    page = client.get("/so/nhap?kind=nothing").get_data(as_text=True)
    assert '<input type="hidden" name="kind" value="registry">' in page and "<code>ma_xa</code>" in page


@pytest.mark.parametrize("background", [False, True])
def test_a_products_file_in_the_template_columns_goes_through_the_page_and_is_committed(client, app, background):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0 if background else 10**9  # the check and commit as jobs, or at once
    maker, _coop = _makers(app)
    _staff(client, app)
    client.get("/ngon-ngu/en")
    rows = [[maker, "Nước mắm Hải Đăng", "OCOP", "4", "Thực phẩm", "12/QĐ-UBND", "UBND tỉnh", "20/05/2024", ""]]
    response = _upload(client, to_csv(rows, TEMPLATE), "products")
    assert response.status_code == 302 and "/ghep-cot" not in response.headers["Location"]
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    batch = _batch(app, batch_id)
    assert batch.kind == "products" and batch.state == "checked" and batch.new_count == 1, batch.report
    page = client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    assert str(PRODUCTS.title) in page
    client.post(f"/so/nhap/{batch_id}/ghi")
    assert _batch(app, batch_id).state == "committed"
    with app.app_context():
        product = db.session.scalar(select(Product))
        assert (product.name, product.ocop_stars, product.certified_on) == ("Nước mắm Hải Đăng", 4, date(2024, 5, 20))
    history = client.get("/so/nhap/lich-su").get_data(as_text=True)
    assert str(PRODUCTS.title) in history and f"/so/nhap/{batch_id}" in history
    assert f'/so/nhap/{batch_id}"' in client.get("/so/nhap/lich-su?kind=products").get_data(as_text=True)
    assert f'/so/nhap/{batch_id}"' not in client.get("/so/nhap/lich-su?kind=registry").get_data(as_text=True)
    # a file of products uploaded as the registry's is not read as products
    wrong = _upload(client, to_csv(rows, TEMPLATE), None)
    assert wrong.headers["Location"].endswith("/ghep-cot")


def test_an_ocop_list_in_its_own_columns_is_mapped_saved_checked_committed_and_recognised(client, app):
    maker, coop = _makers(app)
    _staff(client, app)
    client.get("/ngon-ngu/en")
    response = _upload(client, _csv(OCOP_HEADER, _ocop_rows(maker, coop)), "products")
    assert response.status_code == 302 and response.headers["Location"].endswith("/ghep-cot")
    location = response.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert str(PRODUCTS.title) in page
    assert [_selected(page, i) for i in range(len(OCOP_HEADER))] == [f or "" for f in OCOP_FIELDS]
    offered = set(re.findall(r'<option (?:selected )?value="([^"]*)"', page))
    assert offered == {"", *PRODUCTS.columns.fields}  # the kind's fields only
    assert "Product name (required)" in page and "OCOP stars" in page and "Registered name" not in page
    assert "Required: Enterprise code of the owner; Product name; Date of certification." in page

    # the date of certification ignored: said with the kind's guide, every choice kept
    without_date = [*OCOP_FIELDS]
    without_date[7] = None
    refused = client.post(location, data={**_choices(without_date), "source_name": SOURCE})
    assert refused.status_code == 422
    assert "Choose the column that holds “Date of certification”." in refused.get_data(as_text=True)

    mapped = client.post(location, data={**_choices(OCOP_FIELDS), "source_name": SOURCE})
    batch_id = int(location.split("/")[-2])
    assert mapped.status_code == 302 and mapped.headers["Location"].endswith(f"/so/nhap/{batch_id}")
    batch = _batch(app, batch_id)
    assert batch.kind == "products" and batch.state == "checked" and batch.new_count == 2, batch.report
    assert SOURCE in client.get(f"/so/nhap/{batch_id}").get_data(as_text=True)
    client.post(f"/so/nhap/{batch_id}/ghi")
    assert _batch(app, batch_id).state == "committed"
    with app.app_context():
        stored = {p.name: p for p in db.session.scalars(select(Product))}
        assert stored["Nước mắm Hải Đăng"].ocop_stars == 4 and stored["Gạo Hòa Kiến"].ocop_stars == 3
        assert stored["Gạo Hòa Kiến"].certificate_no == "12/QĐ-UBND"
        source = db.session.scalar(select(ImportSource))
        assert (source.name, source.kind) == (SOURCE, "products")
        assert source.mapping["stt"] is None and source.mapping["chu the"] is None
        assert source.mapping["ngay cong nhan"] == "certified_on"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "import_source"))
        assert event.action == "create"

    # the next list from the same source: recognised, checked at once
    rows = [["1", "Nước mắm cá cơm Hải Đăng", "Công ty TNHH Nước mắm Hải Đăng", maker, "5", "Thực phẩm",
             "77/QĐ-UBND", "01/03/2025", "OCOP"]]  # fmt: skip
    again = _upload(client, _csv(OCOP_HEADER, rows), "products", "ocop-2025.csv")
    next_id = int(again.headers["Location"].rsplit("/", 1)[1])
    batch = _batch(app, next_id)
    assert batch.kind == "products" and batch.state == "checked" and batch.new_count == 1, batch.report
    assert batch.source_id == source.id
    # offered on the products page only
    assert SOURCE in client.get("/so/nhap?kind=products").get_data(as_text=True)
    assert SOURCE not in client.get("/so/nhap").get_data(as_text=True)
    # a file of the registry with the same headers is not read as the products' source
    as_registry = _upload(client, _csv(OCOP_HEADER, rows), None, "ocop-registry.csv")
    assert as_registry.headers["Location"].endswith("/ghep-cot")
    registry_batch = _batch(app, int(as_registry.headers["Location"].split("/")[-2]))
    assert registry_batch.kind == "registry" and registry_batch.source_id is None


def test_a_registry_source_is_not_offered_nor_used_for_a_products_file(client, app):
    maker, coop = _makers(app)
    _staff(client, app)
    client.get("/ngon-ngu/en")
    first = _upload(client, office_csv(), None, "dkkd.csv").headers["Location"]
    client.post(first, data={**_choices(OFFICE_FIELDS), "source_name": "Phòng Đăng ký kinh doanh"})
    with app.app_context():
        office = db.session.scalar(select(ImportSource))
        assert office.kind == "registry"
    assert "Phòng Đăng ký kinh doanh" in client.get("/so/nhap").get_data(as_text=True)
    assert "Phòng Đăng ký kinh doanh" not in client.get("/so/nhap?kind=products").get_data(as_text=True)

    # picked anyway (a form from another page): a products file is not read with it
    response = _upload(client, _csv(OCOP_HEADER, _ocop_rows(maker, coop)), "products", source=str(office.id))
    location = response.headers["Location"]
    assert location.endswith("/ghep-cot")
    batch = _batch(app, int(location.split("/")[-2]))
    assert batch.kind == "products" and batch.source_id is None
    # the registry source's name cannot take products' choices
    taken = client.post(location, data={**_choices(OCOP_FIELDS), "source_name": "phong dang ky kinh doanh"})
    assert taken.status_code == 422
    assert "A saved source of this name reads another kind of file" in taken.get_data(as_text=True)
    assert [_selected(taken.get_data(as_text=True), i) for i in range(len(OCOP_FIELDS))] == [
        f or "" for f in OCOP_FIELDS
    ]
    with app.app_context():
        assert db.session.scalar(select(ImportSource).where(ImportSource.kind == "products")) is None


def test_the_cli_imports_a_products_file_with_kind(app, runner, tmp_path):
    maker, _coop = _makers(app)
    path = tmp_path / "ocop.csv"
    path.write_bytes(to_csv([[maker, "Nước mắm Hải Đăng", "OCOP", "4", "", "", "", "20/05/2024", ""]], TEMPLATE))
    help_text = runner.invoke(args=["registry", "import", "--help"]).output
    assert all(key in help_text for key in KINDS)
    checked = runner.invoke(args=["registry", "import", str(path), "--kind", "products", "--dry-run"])
    assert checked.exit_code == 0 and "new 1" in checked.output, checked.output
    result = runner.invoke(args=["registry", "import", str(path), "--kind", "products"])
    assert result.exit_code == 0 and "new 1" in result.output, result.output
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        assert (batch.kind, batch.state) == ("products", "committed")
        assert db.session.scalar(select(Product)).name == "Nước mắm Hải Đăng"
    refused = runner.invoke(args=["registry", "import", str(path)])  # read as the registry's: columns missing
    assert refused.exit_code != 0
