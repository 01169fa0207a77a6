"""The import pages as staff use them: upload, read the check, choose for held rows, commit, undo."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise, ImportBatch
from tests.factories import login, make_user
from tests.test_imports import MESSY, A, B, D, to_csv


def _staff(client, app):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)


def _upload(client, data: bytes, name: str = "so-lieu.csv"):
    return client.post("/so/nhap", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_staff_check_a_file_read_the_errors_choose_a_commune_and_commit(client, app):
    _staff(client, app)
    assert "ma_so_doanh_nghiep" in client.get("/so/nhap").get_data(as_text=True)
    response = _upload(client, MESSY, "../../etc/passwd")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Công ty Tương Lai" in page and 'name="commune-12"' in page
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert batch.state == "checked" and batch.rejected_count == 9
        assert db.session.scalar(select(Enterprise)) is None
    report = client.get(f"/so/nhap/{batch.id}/loi.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in report and "\n5," in report
    assert ",=HYPERLINK" not in report and '"=HYPERLINK' not in report

    client.post(f"/so/nhap/{batch.id}/ghi", data={"commune-12": "22045"})
    with app.app_context():
        stored = {e.code: e for e in db.session.scalars(select(Enterprise))}
        assert len(stored) == 4 and stored[D].commune_code == "22045" and A in stored
        assert db.session.get(ImportBatch, batch.id).state == "committed"
    history = client.get("/so/nhap/lich-su").get_data(as_text=True)
    assert batch.file_sha256[:12] in history and "staff@so.gov.vn" in history

    client.post(f"/so/nhap/{batch.id}/hoan-tac")
    with app.app_context():
        assert {e.record_state for e in db.session.scalars(select(Enterprise))} == {"withdrawn"}


def test_an_upload_that_is_not_a_spreadsheet_is_refused(client, app):
    _staff(client, app)
    response = _upload(client, bytes(range(256)) * 4, "data.csv")
    assert response.status_code == 302 and response.headers["Location"].endswith("/so/nhap")
    response = _upload(client, b"PK\x03\x04 not really a zip", "book.xlsx")
    assert response.headers["Location"].endswith("/so/nhap")
    with app.app_context():
        assert db.session.scalar(select(ImportBatch)) is None


def test_the_template_downloads_with_every_column(client, app):
    _staff(client, app)
    text = client.get("/so/nhap/mau.csv").get_data(as_text=True)
    assert text.startswith("\ufeffma_so_doanh_nghiep,ten_doanh_nghiep,loai_hinh")


def test_owners_cannot_import(client, app):
    with app.app_context():
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    assert client.get("/so/nhap").status_code == 403
    assert _upload(client, MESSY).status_code == 403
    assert client.get("/so/nhap/lich-su").status_code == 403


def test_the_import_page_documents_every_column_and_the_template_passes_its_own_check(client, app):
    from app.imports.guide import COLUMN_GUIDE
    from app.imports.reading import COLUMNS

    _staff(client, app)
    page = client.get("/so/nhap").get_data(as_text=True)
    assert all(f"<code>{header}</code>" in page for header in COLUMNS)
    assert "Hợp tác xã" in page and "Giải thể" in page  # the accepted values, listed
    template = client.get("/so/nhap/mau.csv")
    assert "/so/nhap/mau.csv" in page and template.status_code == 200
    lines = template.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].split(",") == [c.header for c in COLUMN_GUIDE]
    response = _upload(client, template.get_data(), "mau.csv")  # the example row is itself valid
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
        assert batch.counts()["new"] == 1 and batch.counts()["rejected"] == 0, batch.report


def test_an_unknown_status_or_legal_form_is_explained_in_the_pages_language(client, app):
    """The file may hold a Vietnamese name or a code: the reason says so in words, in one language,
    not "Giải thể (dissolved)" on a Vietnamese page."""
    _staff(client, app)
    rows = [
        [A, "Công ty TNHH Trạng Thái", "TNHH MTV", "", "22015", "", "", "", "", "", "đang ngủ đông"],
        [B, "Công ty Loại Lạ", "Công ty trách nhiệm vô hạn", "", "22015", "", "", "", "", "", ""],
    ]
    location = _upload(client, to_csv(rows)).headers["Location"]
    vi = client.get(location).get_data(as_text=True)
    assert "(dissolved)" not in vi and "(htx)" not in vi and "Accepted" not in vi
    assert "Trạng thái không rõ. Ghi tên trạng thái (Đang hoạt động, Tạm ngừng kinh doanh hoặc Giải thể)" in vi
    assert "hoặc mã của nó (active, suspended hoặc dissolved)." in vi
    assert "Loại hình không rõ." in vi and "hoặc mã của nó (tnhh1," in vi
    client.get("/ngon-ngu/en")
    en = client.get(location).get_data(as_text=True)
    assert "Unknown status. Write the status&#39;s name in Vietnamese (Đang hoạt động, Tạm ngừng kinh doanh" in en
    assert "or its code (active, suspended, or dissolved)." in en and "hoặc" not in en
    assert "Unknown legal form. Write the legal form&#39;s name in Vietnamese" in en
    guide = client.get("/so/nhap").get_data(as_text=True)
    assert "or its code (active, suspended, or dissolved)" in guide and "Giải thể (dissolved)" not in guide
