"""A household business's street address is personal data (often the family's home, Decree
13/2023/NĐ-CP): its public record shows the commune until the household chooses to publish the street.
Companies show their address as before; staff see every address."""

from __future__ import annotations

import csv
import io
import json

from tests.factories import add_member, login, make_enterprise, make_user

STREET = "Số 12 hẻm 4 đường Lê Lợi"
COMPANY_STREET = "Lô 5 Khu công nghiệp An Phú"


def _household(app, **fields):
    with app.app_context():
        household = make_enterprise(
            "Hộ kinh doanh Bánh tráng Cô Ba", legal_form="hkd", personal_id="054123456789", address=STREET, **fields
        )
        return household.public_key


def _company(app):
    with app.app_context():
        return make_enterprise("Công ty TNHH Thủy sản Hải Đăng", address=COMPANY_STREET).public_key


def _json_ld(page: str) -> dict:
    return json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])


def _public_csv_address(client, name_query: str) -> str:
    text = client.get("/doanh-nghiep/xuat.csv", query_string={"q": name_query}).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    column = rows[1].index("address")  # the row of field codes under the header
    assert len(rows) == 3, rows
    return rows[2][column]


def _public_record(client, key: str, name_query: str) -> dict:
    """The address as each public channel gives it: profile page, JSON-LD, API, CSV export."""
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    return {
        "page": page.split("<main")[1],  # the page's content (its head holds the JSON-LD)
        "json_ld": _json_ld(page)["address"],
        "api": client.get(f"/api/v1/enterprises/{key}").get_json()["address"],
        "csv": _public_csv_address(client, name_query),
    }


def test_a_households_public_record_shows_its_commune_not_its_street(client, app):
    key = _household(app)
    shown = _public_record(client, key, "banh trang co ba")
    assert STREET not in shown["page"] and "Tuy Hòa" in shown["page"]
    assert "streetAddress" not in shown["json_ld"] and shown["json_ld"]["addressLocality"] == "Tuy Hòa"
    assert shown["api"] is None and shown["csv"] == ""
    assert STREET not in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)  # nowhere on the page


def test_a_companys_address_shows_as_before(client, app):
    key = _company(app)
    shown = _public_record(client, key, "hai dang")
    assert f"{COMPANY_STREET}, Tuy Hòa" in shown["page"]
    assert shown["json_ld"]["streetAddress"] == COMPANY_STREET
    assert shown["api"] == COMPANY_STREET and shown["csv"] == COMPANY_STREET


def _owner_form(**extra) -> dict:
    """What the owner's edit form sends back unchanged (the factory's facts), plus ``extra``."""
    return {
        "legal_form": "hkd",
        "name": "Hộ kinh doanh Bánh tráng Cô Ba",
        "main_vsic": "1020",
        "commune_code": "22015",
        "address": STREET,
        "employees": "8",
        "revenue_vnd": "2000000000",
        **extra,
    }


def test_the_household_chooses_to_publish_its_street_and_can_take_it_back(client, app):
    from app.extensions import db
    from app.models import AuditEvent, ReviewRequest

    key = _household(app)
    with app.app_context():
        from app.registry.services import get_by_public_key

        add_member(make_user("coba@example.vn"), get_by_public_key(key))
    login(client, "coba@example.vn")
    form = client.get(f"/doanh-nghiep/{key}/sua").get_data(as_text=True)
    assert 'name="is_address_public"' in form and "checked" not in form.split('name="is_address_public"')[0][-200:]
    assert STREET in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)  # the owner sees it, marked as hidden
    assert client.post(f"/doanh-nghiep/{key}/sua", data=_owner_form(is_address_public="y")).status_code == 302
    anonymous = app.test_client()
    shown = _public_record(anonymous, key, "banh trang co ba")
    assert f"{STREET}, Tuy Hòa" in shown["page"] and shown["json_ld"]["streetAddress"] == STREET
    assert shown["api"] == STREET and shown["csv"] == STREET
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(entity_type="enterprise", action="update").one()
        assert event.provenance == "owner" and event.after == {"is_address_public": True}
        assert db.session.query(ReviewRequest).count() == 0  # the household's own choice: no review
    assert client.post(f"/doanh-nghiep/{key}/sua", data=_owner_form()).status_code == 302  # unticked again
    assert _public_record(app.test_client(), key, "banh trang co ba")["api"] is None


def test_a_company_has_no_choice_to_make_and_a_forged_one_changes_nothing(client, app):
    from app.extensions import db
    from app.models import Enterprise

    key = _company(app)
    with app.app_context():
        from app.registry.services import get_by_public_key

        add_member(make_user("chu@example.vn"), get_by_public_key(key))
    login(client, "chu@example.vn")
    assert 'name="is_address_public"' not in client.get(f"/doanh-nghiep/{key}/sua").get_data(as_text=True)
    forged = {
        **_owner_form(is_address_public="y"),
        "legal_form": "tnhh2",
        "name": "Công ty TNHH Thủy sản Hải Đăng",
        "address": COMPANY_STREET,
    }
    assert client.post(f"/doanh-nghiep/{key}/sua", data=forged).status_code == 302
    with app.app_context():
        assert db.session.query(Enterprise).filter_by(public_key=key).one().is_address_public is False


def test_staff_see_and_export_a_households_street(client, app):
    key = _household(app)
    with app.app_context():
        staff = make_user("staff@so.gov.vn", role="staff")
        secret = staff.totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    text = client.get("/doanh-nghiep/xuat.csv", query_string={"q": "banh trang co ba"}).get_data(as_text=True)
    assert STREET in text
    assert STREET in client.get(f"/so/ho-so/{key}/sua").get_data(as_text=True)
    profile = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert STREET in profile and STREET not in json.dumps(_json_ld(profile), ensure_ascii=False)
