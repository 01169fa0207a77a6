"""Owners' documents (app/registry/documents.py): a claim's or a certificate's evidence, accepted by
its content, kept with what it supports in one transaction, shown to the department, its sender and
those acting for the enterprise, and to nobody else."""

from __future__ import annotations

import io
import unicodedata

from sqlalchemy import func, select

from app.extensions import db
from app.models import Document, Membership, ProductCertificate, ReviewRequest
from app.registry import documents
from tests.factories import add_member, login, make_enterprise, make_user

PDF = b"%PDF-1.7\n" + b"0" * 3000
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 500
WEBP = b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 100


def _staff_client(app):
    with app.app_context():
        secret = make_user("nv@so.gov.vn", role="staff").totp_secret
    staff = app.test_client()
    login(staff, "nv@so.gov.vn", totp_secret=secret)
    return staff


def _claim(client, key: str, content: bytes, name: str, representative: str = "Lê Thị Thu"):
    data = {"representative": representative, "evidence": "Tôi là giám đốc", "document": (io.BytesIO(content), name)}
    return client.post(f"/doanh-nghiep/{key}/nhan", data=data, content_type="multipart/form-data")


def test_a_claim_s_document_is_seen_by_the_department_and_its_sender_only(client, app):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Gốm Quảng Đức").public_key
        make_user("chu@example.vn")
        make_user("khac@example.vn")
    login(client, "chu@example.vn")
    name = unicodedata.normalize("NFD", "Giấy chứng nhận ĐKDN.pdf")  # as some phones name files
    assert _claim(client, key, PDF, name).status_code == 302
    with app.app_context():
        document = db.session.scalar(select(Document))
        review = db.session.scalar(select(ReviewRequest).filter_by(kind="claim"))
        assert document.review_id == review.id and document.purpose == "claim" and document.certificate_id is None
        assert document.file_name == "Giấy chứng nhận ĐKDN.pdf" and document.media_type == "application/pdf"
        assert document.size == len(PDF)
        url = f"/tai-lieu/{document.id}"
    mine = client.get(url)
    assert mine.status_code == 200 and mine.data == PDF and mine.mimetype == "application/pdf"
    assert mine.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Gi%E1%BA%A5y" in mine.headers["Content-Disposition"]
    assert mine.headers["Content-Security-Policy"].startswith("sandbox") and "no-store" in mine.headers["Cache-Control"]
    assert mine.headers["X-Content-Type-Options"] == "nosniff"

    other = app.test_client()
    login(other, "khac@example.vn")
    assert other.get(url).status_code == 404  # not told that it exists
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/dang-nhap" in anonymous.headers["Location"]

    staff = _staff_client(app)
    queue = staff.get("/so/duyet").get_data(as_text=True)
    sent = queue.split('class="small mb-2 review-documents"', 1)[1].split("</p>", 1)[0]
    assert f'href="{url}"' in sent and "Giấy chứng nhận ĐKDN.pdf (PDF, 2 KB)" in sent
    assert staff.get(url).data == PDF


def test_a_refused_file_leaves_nothing_and_keeps_what_was_typed(client, app):
    with app.app_context():
        key = make_enterprise().public_key
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    for content, name, said in (
        (
            b"MZ\x90\0 a program",
            "giay-phep.pdf",
            "Hãy gửi tệp PDF, hoặc ảnh chụp hay bản quét dạng JPEG, PNG hoặc WebP.",
        ),
        (b"", "trong.pdf", "Tệp trống: hãy chọn lại tệp."),
        (b"%PDF-" + b"1" * (1024 * 1024), "lon.pdf", "Tệp lớn hơn 1 MB: hãy gửi bản quét hoặc ảnh nhỏ hơn."),
    ):
        app.config["DOCUMENT_MAX_MB"] = 1
        refused = _claim(client, key, content, name, representative="Trần Văn Bảy")
        page = refused.get_data(as_text=True)
        assert refused.status_code == 200 and said in page, name
        assert 'value="Trần Văn Bảy"' in page and "Tôi là giám đốc" in page  # the rest stays typed
    with app.app_context():
        for model in (Document, ReviewRequest, Membership):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_a_certificate_s_scan_goes_with_the_product_to_the_review_and_stays_on_the_owner_s_page(client, app):
    with app.app_context():
        firm = make_enterprise()
        key = firm.public_key
        add_member(make_user("chu@example.vn"), firm)
    login(client, "chu@example.vn")
    form = {
        "product-name": "Cá ngừ đại dương Phú Yên",
        "product-certification": "ocop",
        "product-ocop_stars": "4",
        "product-certified_on": "01/03/2025",
    }
    missing = client.post(
        f"/doanh-nghiep/{key}/san-pham",
        data={**form, "product-document": (io.BytesIO(PNG), "ocop.png")},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422 and "Hãy chọn nhóm sản phẩm OCOP" in missing.get_data(as_text=True)
    assert "Tệp ocop.png chưa được giữ lại: hãy chọn lại tệp." in missing.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    sent = client.post(
        f"/doanh-nghiep/{key}/san-pham",
        data={**form, "product-ocop_group": "food", "product-document": (io.BytesIO(WEBP), "quyet-dinh.webp")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    with app.app_context():
        document = db.session.scalar(select(Document))
        certificate = db.session.scalar(select(ProductCertificate))
        review = db.session.scalar(select(ReviewRequest).filter_by(kind="certification"))
        assert (document.certificate_id, document.review_id) == (certificate.id, review.id)
        assert document.purpose == "certificate" and document.media_type == "image/webp"
        url = f"/tai-lieu/{document.id}"
    page = client.get(f"/doanh-nghiep/{key}/san-pham").get_data(as_text=True)
    assert f'href="{url}"' in page and "quyet-dinh.webp (WebP, 1 KB)" in page
    assert client.get(url).data == WEBP
    staff = _staff_client(app)
    assert f'href="{url}"' in staff.get("/so/duyet?kind=certification").get_data(as_text=True)


def test_what_is_accepted_is_read_from_the_content_and_the_name_kept_is_the_file_s_own():
    assert [documents.media_type_of(c) for c in (PDF, PNG, WEBP, b"\xff\xd8\xff\xe0 jpeg")] == [
        "application/pdf",
        "image/png",
        "image/webp",
        "image/jpeg",
    ]
    assert documents.media_type_of(b"<html><script>") is None and documents.media_type_of(b"PK\x03\x04") is None
    assert documents.file_name_of("C:\\Users\\chu\\Gia\u0301y.pdf") == "Giáy.pdf"  # NFC, no folders
    assert documents.file_name_of("../../etc/passwd\x00.pdf") == "passwd.pdf"
    assert documents.file_name_of("\x07") == "document"
