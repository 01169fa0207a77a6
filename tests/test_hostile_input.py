"""Input no page or API call takes is turned away at the edge: never a 500, on either database."""

from __future__ import annotations

import pytest

from tests.factories import login, make_enterprise, make_user

ROUTES = [
    "/doanh-nghiep?platform=a%00b",
    "/doanh-nghiep?q=a%00b",
    "/doanh-nghiep/a%00b",
    "/doanh-nghiep/a%00b/san-pham",
    "/api/v1/enterprises/a%00b",
    "/api/v1/enterprises?q=a%00b",
    "/api/v1/enterprises?commune=a%00b",
    "/danh-gia/lan/a%00b/ket-qua",
    "/danh-gia/lan/a%00b/trang/1",
    "/khoi-nghiep?stage=a%00b",
    "/tien-do?as_of=a%00b",
    "/api/v1/indicators/T5?as_of=a%00b",
    "/so/ho-so?q=a%00b",
    "/doanh-nghiep/a%0D%0Ab",
    "/a%00b",
    "/static/a%00b.css",
    "/danh-gia/tiep-tuc/a%00b",
]


@pytest.mark.parametrize("url", ROUTES)
def test_a_nul_byte_or_a_line_break_is_a_bad_request_never_a_500(client, app, url):
    with app.app_context():
        make_enterprise("Công ty TNHH Hải Đăng")
    response = client.get(url)
    assert response.status_code in (400, 404), (url, response.status_code)
    if url.startswith("/api/"):
        assert response.get_json()["error"] in ("bad_request", "not_found")


def test_a_nul_byte_in_a_form_is_refused_and_a_signed_in_page_survives_it(client, app):
    with app.app_context():
        user = make_user("chu@example.vn")
        assert user.id
    login(client, "chu@example.vn")
    assert client.post("/doanh-nghiep/dang-ky", data={"name": "Công ty\x00 Ma"}).status_code == 400
    assert client.get("/tai-khoan").status_code == 200


def test_line_breaks_in_a_contact_subject_stay_out_of_the_mail_header(client, app, outbox):
    with app.app_context():
        key = make_enterprise("Công ty TNHH Yến Sào").public_key
        owner = make_user("chu@example.vn")
        from app.extensions import db
        from app.models import Enterprise
        from tests.factories import add_member

        add_member(owner, db.session.scalar(db.select(Enterprise).filter_by(public_key=key)))
        make_user("khach@example.vn")
    login(client, "khach@example.vn")
    response = client.post(
        f"/doanh-nghiep/{key}/lien-he",
        data={"subject": "Hỏi giá\r\nBcc: spam@example.com", "message": "Xin báo giá.\nCảm ơn."},
    )
    assert response.status_code == 302
    mails = outbox.messages()
    assert mails and all("\n" not in m["Subject"] and "Bcc" not in (m.get("Bcc") or "") for m in mails)
    assert any("Hỏi giá Bcc: spam@example.com" in m["Subject"] for m in mails)


@pytest.mark.parametrize(
    "stored", ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>", "//evil.example"]
)
def test_a_stored_website_that_is_no_web_address_is_never_a_live_link(client, app, stored):
    """The import and the forms refuse such an address; one already in the database shows as text."""
    from sqlalchemy import update

    from app.database import write_intent
    from app.extensions import db
    from app.models import Enterprise

    with app.app_context():
        key = make_enterprise("Công ty TNHH Hải Đăng").public_key
        with write_intent():
            db.session.execute(update(Enterprise).values(website=stored))
            db.session.commit()
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert 'href="javascript:' not in page and 'href="data:' not in page and 'href="//evil' not in page


def test_an_imported_javascript_website_is_a_row_error(app_ctx):
    from app import audit
    from app.imports import services
    from tests.factories import enterprise_code
    from tests.test_imports import HEADER, to_csv

    header = HEADER[:5] + ["website"]
    batch = services.import_file(
        to_csv(
            [[enterprise_code(77), "Công ty TNHH Gió", "TNHH MTV", "", "22015", "javascript:alert(1)"]], header=header
        ),
        "x.csv",
        audit.CLI,
    )
    assert [(r["column"], r["reason"]) for r in batch.report["rejected"]] == [("website", "bad_website")]


def test_long_urls_answer_as_the_api_documents(client):
    long = "a" * 5000
    api = client.get(f"/api/v1/enterprises?q={long}")
    assert api.status_code == 400 and api.get_json()["error"] == "bad_request"  # q: maxLength 200 in the OpenAPI
    assert client.get(f"/api/v1/enterprises/{long}").status_code == 404
    assert client.get(f"/api/v1/indicators/{long}").status_code == 404
    assert client.get(f"/doanh-nghiep?q={long}").status_code == 200  # the page is lenient: it reads 200 characters
    assert client.get(f"/doanh-nghiep/{long}").status_code == 404
