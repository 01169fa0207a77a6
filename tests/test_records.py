"""The department's records: corrections with a readable history, withdrawal and reinstatement, and
routes for staff only. Suggested duplicates and merges are in test_merges.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.models import (
    AuditEvent,
    Enterprise,
    ImportBatch,
)
from app.registry.services import registry_counts
from tests.factories import add_member, login, make_enterprise, make_user

NOTE = "Cùng địa chỉ và người đại diện (Cổng đăng ký doanh nghiệp)"

STAFF = audit.Actor(None, "staff@so.gov.vn")


def _staff(client, app):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)


def _edit_form(e: Enterprise, **changes) -> dict:
    form = {
        "code": e.code or "",
        "name": e.name,
        "legal_form": e.legal_form,
        "status": e.status,
        "main_vsic": e.main_vsic or "",
        "commune_code": e.commune_code,
        "address": e.address or "",
        "founded_on": e.founded_on.isoformat() if e.founded_on else "",
        "employees": e.employees or "",
        "revenue_vnd": e.revenue_vnd or "",
        "capital_vnd": e.capital_vnd or "",
        "description": "",
        "website": "",
        "email": "",
        "phone": "",
        "stage": "",
        "funding_sought_vnd": "",
        "note": "",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not False}


def test_staff_correct_a_record_at_once_and_read_the_change_in_its_history(client, app):
    _staff(client, app)
    with app.app_context():
        e = make_enterprise("Công ty TNHH Hải Đăng", employees=8)
        key, form = (
            e.public_key,
            _edit_form(
                e,
                employees="12",
                status="suspended",
                commune_code="22045",
                is_digital_tech="y",
                digital_tech_basis="VSIC 6201",
                note="Công văn 12/SKHĐT",
            ),
        )
    response = client.post(f"/so/ho-so/{key}/sua", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        e = db.session.scalar(select(Enterprise).where(Enterprise.public_key == key))
        assert (e.employees, e.status, e.commune_code, e.is_digital_tech) == (12, "suspended", "22045", True)
        assert e.digital_tech_verification == "verified" and e.verified_at is not None
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
        assert event.actor_label == "staff@so.gov.vn" and event.provenance == "staff: Công văn 12/SKHĐT"
    page = client.get(f"/so/ho-so/{key}").get_data(as_text=True)
    # One row per changed field, with the values as people read them.
    assert "<del>8</del>" in page and "<ins>12</ins>" in page
    assert "<del>Đang hoạt động</del>" in page and "<ins>Tạm ngừng" in page
    assert "(22045)</ins>" in page and "Công văn 12/SKHĐT" in page


def test_a_label_without_a_basis_is_refused_and_what_was_typed_stays(client, app):
    _staff(client, app)
    with app.app_context():
        e = make_enterprise("Công ty TNHH Hải Đăng")
        key, form = e.public_key, _edit_form(e, is_startup="y", name="Công ty TNHH Hải Đăng Mới")
    response = client.post(f"/so/ho-so/{key}/sua", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Hải Đăng Mới" in page
    with app.app_context():
        assert db.session.scalar(select(Enterprise.name)) == "Công ty TNHH Hải Đăng"
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "update")) == 0


def test_a_bad_code_is_named_and_nothing_changes(client, app):
    _staff(client, app)
    with app.app_context():
        e = make_enterprise()
        key, form = e.public_key, _edit_form(e, code="0100233480", employees="99")
    response = client.post(f"/so/ho-so/{key}/sua", data=form)
    assert response.status_code == 422 and 'id="code-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Enterprise.employees)) == 8


def test_withdraw_needs_a_reason_leaves_the_directory_and_counts_and_reinstate_brings_it_back(client, app):
    _staff(client, app)
    with app.app_context():
        key = make_enterprise("Công ty TNHH Hải Đăng").public_key
        assert registry_counts()["enterprises"] == 1
    client.post(f"/so/ho-so/{key}/rut", data={"reason": ""})
    with app.app_context():
        assert db.session.scalar(select(Enterprise.record_state)) == "published"
    client.post(f"/so/ho-so/{key}/rut", data={"reason": "Giải thể theo công văn 5"})
    with app.app_context():
        assert db.session.scalar(select(Enterprise.record_state)) == "withdrawn"
        assert registry_counts()["enterprises"] == 0
    assert client.get(f"/doanh-nghiep/{key}").status_code == 404
    assert "Giải thể theo công văn 5" in client.get(f"/so/ho-so/{key}").get_data(as_text=True)
    client.post(f"/so/ho-so/{key}/khoi-phuc")
    assert client.get(f"/doanh-nghiep/{key}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Enterprise)).record_state == "published"  # never deleted


def test_staff_find_records_in_any_state(client, app):
    _staff(client, app)
    with app.app_context():
        make_enterprise("Công ty TNHH Đá Hoa Cương", record_state="pending")
        make_enterprise("Công ty TNHH Yến Sào")
    page = client.get("/so/ho-so?q=da hoa").get_data(as_text=True)
    assert "Đá Hoa Cương" in page and "Yến Sào" not in page
    page = client.get("/so/ho-so?state=pending").get_data(as_text=True)
    assert "Đá Hoa Cương" in page and "Yến Sào" not in page
    with app.app_context():
        branch = make_enterprise("Chi nhánh Công ty TNHH Yến Sào", code="0314409058-002", legal_form="branch")
        assert branch.public_key == "0314409058-002"
    assert "/so/ho-so/0314409058-002" in client.get("/so/ho-so?q=0314409058002").get_data(as_text=True)


def test_owners_and_the_public_cannot_reach_the_records(client, app):
    with app.app_context():
        key = make_enterprise().public_key
        make_user("chu@example.vn")
    assert client.get(f"/so/ho-so/{key}").status_code == 302  # to sign-in
    login(client, "chu@example.vn")
    assert client.get(f"/so/ho-so/{key}").status_code == 403
    assert client.post(f"/so/ho-so/{key}/rut", data={"reason": "x"}).status_code == 403
    assert client.get("/so/trung-lap").status_code == 403


STAFF_ROUTES = [
    ("GET", "/so/ho-so"),
    ("GET", "/so/ho-so/{key}"),
    ("GET", "/so/ho-so/{key}/sua"),
    ("POST", "/so/ho-so/{key}/sua"),
    ("POST", "/so/ho-so/{key}/rut"),
    ("POST", "/so/ho-so/{key}/khoi-phuc"),
    ("GET", "/so/trung-lap"),
    ("POST", "/so/trung-lap/gop"),
    ("POST", "/so/trung-lap/khac-nhau"),
    ("GET", "/so/nhap/{batch}"),
    ("GET", "/so/nhap/{batch}/tien-do.json"),
    ("POST", "/so/nhap/{batch}/ghi"),
    ("POST", "/so/nhap/{batch}/chay-lai"),
    ("POST", "/so/nhap/{batch}/hoan-tac"),
]


@pytest.mark.parametrize("who", ["anonymous", "owner", "investor"])
def test_every_record_and_import_route_is_for_staff_only(client, app, who):
    from app.imports import services as imports
    from tests.test_imports import MESSY

    with app.app_context():
        e = make_enterprise()
        key, other = e.public_key, make_enterprise("DNTN Hai Dang", legal_form="dntn").id
        batch = imports.check_file(MESSY, "a.csv", STAFF).id
        if who != "anonymous":
            user = make_user(f"{who}@example.vn", role=who)
            add_member(user, e)
    if who != "anonymous":
        login(client, f"{who}@example.vn")
    for method, route in STAFF_ROUTES:
        path = route.format(key=key, batch=batch)
        response = client.open(path, method=method, data={"keep": other, "other": other, "reason": "x"})
        expected = {"anonymous": (302,), "owner": (403,), "investor": (403,)}[who]
        assert response.status_code in expected, (who, method, path, response.status_code)
        if who == "anonymous":
            assert "/dang-nhap" in response.headers["Location"]
    with app.app_context():
        assert db.session.get(ImportBatch, batch).state == "checked"
        assert (
            db.session.scalar(
                select(func.count()).select_from(Enterprise).where(Enterprise.record_state == "published")
            )
            == 2
        )
