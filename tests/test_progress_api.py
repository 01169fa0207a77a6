"""The open indicators API: envelope, as_of, breakdowns with suppression, and its OpenAPI document."""

from __future__ import annotations

import jsonschema


def _schema(client, path: str, status: str = "200") -> dict:
    spec = client.get("/api/v1/openapi.json").get_json()
    return spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


def test_indicator_list_in_the_envelope_matches_the_openapi_document(province, client):
    body = client.get("/api/v1/indicators").get_json()
    jsonschema.validate(body, _schema(client, "/api/v1/indicators"))
    t5 = next(i for i in body["items"] if i["code"] == "T5")
    assert (t5["numerator"], t5["denominator"]) == (8, 16)
    assert t5["value"] == 50.0
    statuses = {t["year"]: t["status"] for t in t5["targets"]}
    assert statuses[2025] == "met"  # 50 % on 31/12/2025 meets 50 % exactly
    assert "Decree 80/2021" in t5["definition"]["en"]


def test_indicator_with_a_breakdown_is_suppressed_for_everyone(province, client):
    body = client.get("/api/v1/indicators/T5?by=commune").get_json()
    jsonschema.validate(body, _schema(client, "/api/v1/indicators/{code}"))
    cells = {c["key"]: c for c in body["breakdown"]["items"]}
    assert cells["22045"]["hidden"] and cells["22045"]["numerator"] is None  # 3 enterprises
    assert cells["22015"]["hidden"]  # the only other one: else recoverable from the total
    assert body["series"][-1]["numerator"] == 8


def test_as_of_a_past_day(province, client):
    body = client.get("/api/v1/indicators/T5?as_of=2025-05-31").get_json()
    assert body["numerator"] == 0 and body["as_of"] == "2025-05-31"


def test_bad_parameters_answer_400_in_json(province, client):
    days = ("as_of=31/12/2025", "as_of=1999-12-31", "as_of=2025-02-31", "as_of=", "as_of=2025-01-31%0A")
    for query in days + ("by=district", "by="):
        for path in ("/api/v1/indicators/T5",) + (("/api/v1/indicators",) if query in days else ()):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query)
            assert response.get_json()["error"] == "bad_request"


def test_a_reported_indicator_asked_for_a_breakdown_has_none(province, client):
    """What the document allows is answered: a reported indicator is one figure, its breakdown null."""
    body = client.get("/api/v1/indicators/T1?by=commune").get_json()
    assert body["code"] == "T1" and body["kind"] == "reported" and body["breakdown"] is None
    assert "breakdown" not in client.get("/api/v1/indicators/T1").get_json()
    later = client.get("/api/v1/indicators/T5?as_of=2099-01-01").get_json()
    assert later["as_of"] == client.get("/api/v1/indicators/T5").get_json()["as_of"]  # today's figures
    assert client.get("/api/v1/indicators/NOPE").status_code == 404


def test_the_public_sees_figures_as_of_month_ends_and_staff_any_day(province, client):
    assert client.get("/api/v1/indicators/T5?as_of=2025-06-15").get_json()["as_of"] == "2025-05-31"
    assert client.get("/api/v1/indicators/T5?as_of=2025-06-30").get_json()["as_of"] == "2025-06-30"
    page = client.get("/tien-do/T5?ngay=15/06/2025").get_data(as_text=True)
    assert "31/05/2025" in page and "cuối mỗi tháng" in page
    from tests.test_progress_pages import staff_client

    staff_client(province, client)
    page = client.get("/tien-do/T5?ngay=15/06/2025").get_data(as_text=True)
    assert "15/06/2025" in page and "cuối mỗi tháng" not in page
