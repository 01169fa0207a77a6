"""Only what the department verified is shown and counted as verified: a label a firm declared is
shown as declared, is no facet, no investors' firm and no provider, and waits in the review queue."""

from __future__ import annotations

from app.assessment import services as assessment_services
from app.extensions import db
from app.models import EnterpriseSolution
from tests.factories import login, make_enterprise, make_user


def _two_firms(app):
    with app.app_context():
        checked = make_enterprise(
            "Công ty TNHH Phần mềm Biển Xanh",
            main_vsic="6201",
            is_digital_tech=True,
            digital_tech_verification="verified",
        )
        declared = make_enterprise(
            "Công ty TNHH Phần mềm Sóng Bạc",
            main_vsic="6201",
            is_digital_tech=True,
            digital_tech_verification="unverified",
        )
        for firm in (checked, declared):
            db.session.add(EnterpriseSolution(enterprise_id=firm.id, category="website"))
        db.session.commit()
        return checked.public_key, declared.public_key


def test_a_declared_label_is_shown_as_declared_and_never_counted_or_recommended(app, client):
    checked, declared = _two_firms(app)
    client.set_cookie("lang", "en")
    api = client.get("/api/v1/enterprises?q=phan+mem").get_json()
    verified = {item["code"]: item["digital_tech_verified"] for item in api["items"]}
    assert verified == {checked: True, declared: False}
    assert [i["code"] for i in client.get("/api/v1/enterprises?digital=1").get_json()["items"]] == [checked]
    page = client.get("/doanh-nghiep?q=phan+mem").get_data(as_text=True)
    assert "Digital tech: declared, awaiting verification" in page and ">Digital tech</span>" in page
    profile = client.get(f"/doanh-nghiep/{declared}").get_data(as_text=True)
    assert "Digital tech: declared, awaiting verification" in profile
    assert "Digital-technology enterprise</span>" not in profile
    investors = client.get("/khoi-nghiep").get_data(as_text=True)
    assert "Biển Xanh" in investors and "Sóng Bạc" not in investors
    with app.app_context():
        providers = assessment_services.providers_for({"website"})
        assert [p.public_key for p in providers] == [checked]


def test_every_label_waiting_for_the_department_is_in_the_review_queue(app, client):
    _checked, declared = _two_firms(app)
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    client.set_cookie("lang", "en")
    page = client.get("/so/duyet").get_data(as_text=True)
    assert "1 label declared, not yet verified" in page and "Sóng Bạc" in page and "Labels (1)" in page
    assert f"/so/ho-so/{declared}/sua" in page
