"""The public JSON API: envelope, detail, errors, and schemathesis against its own OpenAPI document."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.factories import make_enterprise


@pytest.fixture
def listed(app):
    with app.app_context():
        make_enterprise("Công ty TNHH Thủy sản Hải Đăng", commune_code="22258")
        make_enterprise("Công ty TNHH Phần mềm Biển Xanh", main_vsic="6201", is_digital_tech=True)
        make_enterprise("Hộ kinh doanh Bánh tráng Cô Ba", legal_form="hkd", personal_id="054123456789")
        from app.extensions import db
        from app.targets.loader import load_targets

        load_targets()  # the indicators' operations answer with real items
        db.session.commit()


def test_search_returns_the_shared_envelope(client, listed):
    body = client.get("/api/v1/enterprises?q=hai+dang").get_json()
    assert set(body) == {"items", "total", "total_exact", "page", "per_page", "next", "facets"}
    assert body["total"] == 1 and body["items"][0]["name"] == "Công ty TNHH Thủy sản Hải Đăng"
    assert {"code", "name"} <= set(body["items"][0])
    assert body["next"] is None and "sector" in body["facets"]


def test_detail_and_products(client, listed):
    code = client.get("/api/v1/enterprises?q=bien+xanh").get_json()["items"][0]["code"]
    detail = client.get(f"/api/v1/enterprises/{code}").get_json()
    assert detail["is_digital_tech"] and detail["products"] == []
    assert client.get(f"/api/v1/enterprises/{code}/products").get_json()["items"] == []


def test_no_personal_data(client, listed):
    text = client.get("/api/v1/enterprises?per_page=100").get_data(as_text=True)
    assert "054123456789" not in text and "personal_id" not in text


def test_invalid_parameters_are_refused_in_json(client):
    response = client.get("/api/v1/enterprises?per_page=7")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert client.get("/api/v1/enterprises/KHONG-CO").get_json()["error"] == "not_found"


def test_openapi_writes_every_path_in_full(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert all(path.startswith("/api/v1/") for path in spec["paths"])
    assert all("$ref" not in str(op) for op in spec["paths"].values())
    page = client.get("/api/v1/").get_data(as_text=True)
    assert "/api/v1/enterprises" in page and "<script" not in page.split("<main")[1].split("</main>")[0]


def test_every_operation_documents_the_400_of_a_forbidden_character(client):
    """A NUL anywhere or a line break in the path is refused before any view (app/security.py): every
    operation says so, or a client (and schemathesis's invalid requests) meets an undocumented 400."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert all("400" in op["responses"] for methods in spec["paths"].values() for op in methods.values())
    for url in ("/api/v1/enterprises/A%0DB", "/api/v1/enterprises/A%0AB/products", "/api/v1/aggregates?x=%00"):
        response = client.get(url)
        assert response.status_code == 400 and response.get_json()["error"] == "bad_request", url


def _schema():
    """The document as the app serves it (an app without data: the document depends on none)."""
    from app import create_app

    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    )


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_passes_every_schemathesis_check(case, app, listed):
    """Every check of schemathesis on each operation: the examples and boundary values of its document
    (valid and invalid ones: an empty as_of=, a breakdown of the reported indicator T1), then generated
    requests of both kinds (bounded for CI)."""
    app.config["RATELIMIT_ENABLED"] = False
    case.call_and_validate(app=app, headers={"Accept-Encoding": "identity"})


def test_any_spelling_of_a_code_reaches_its_record_in_the_api_and_the_pages(client, app):
    from tests.factories import enterprise_code

    with app.app_context():
        parent = make_enterprise("Công ty Cổ phần Mía đường Tuy Hòa", legal_form="cp")
        code = parent.code
        make_enterprise(
            "Chi nhánh Công ty Cổ phần Mía đường Tuy Hòa tại Sông Hinh", legal_form="branch", code=f"{code}-002"
        )
        other = enterprise_code()
    branch = f"{code}-002"
    spellings = [branch, f"{code}002", f"{code} 002", f"{code[:4]}.{code[4:]}-002"]
    for spelling in spellings:
        detail = client.get(f"/api/v1/enterprises/{spelling.replace(' ', '%20')}")
        assert detail.status_code == 200, spelling
        assert detail.get_json()["code"] == branch
        found = client.get("/api/v1/enterprises", query_string={"q": spelling}).get_json()
        assert [i["code"] for i in found["items"]] == [branch], spelling
        page = client.get("/doanh-nghiep", query_string={"q": spelling})
        assert page.status_code == 302 and page.headers["Location"].endswith(f"/doanh-nghiep/{branch}"), spelling
    assert client.get(f"/doanh-nghiep/{code}002").headers["Location"].endswith(f"/doanh-nghiep/{branch}")
    assert client.get("/api/v1/enterprises", query_string={"q": code}).get_json()["items"][0]["code"] == code
    assert client.get("/api/v1/enterprises", query_string={"q": other}).get_json()["total"] == 0
    assert client.get("/api/v1/enterprises/054123456789").status_code == 404  # a personal ID is never a key


def test_the_api_documentation_is_in_the_pages_language_and_the_document_in_english(client, app):
    vi = client.get("/api/v1/").get_data(as_text=True)
    assert "Tìm doanh nghiệp với bộ lọc" in vi and "Search enterprises with filters" not in vi
    client.set_cookie("lang", "en")
    assert "Search enterprises with filters" in client.get("/api/v1/").get_data(as_text=True)
    client.set_cookie("lang", "vi")
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["paths"]["/api/v1/enterprises"]["get"]["summary"].startswith("Search enterprises")
