"""Each rule of the registry has one definition, and every entry point (page, API, export, CLI,
service) gives the answer that definition gives."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth import permissions
from app.database import write_intent
from app.directory import contact
from app.extensions import db
from app.models import ContactRequest, User
from app.registry.services import is_public_record, registry_counts
from tests.factories import add_member, login, make_enterprise, make_user

OUTSIDE = "24121"  # Tân Lập: Đắk Lắk, but not the former Phú Yên the deployment serves


def test_a_published_record_outside_the_region_is_public_nowhere(client, app):
    with app.app_context():
        inside = make_enterprise("Công ty TNHH Hải Đăng")
        outside = make_enterprise("Công ty TNHH Hải Đăng Tây Nguyên", commune_code=OUTSIDE)
        assert is_public_record(inside) and not is_public_record(outside)
        assert registry_counts()["enterprises"] == 1
        keys = inside.public_key, outside.public_key
    listed = client.get("/doanh-nghiep?q=hai+dang").get_data(as_text=True)
    assert keys[0] in listed and keys[1] not in listed
    assert client.get(f"/doanh-nghiep/{keys[1]}").status_code == 404
    assert client.get(f"/api/v1/enterprises/{keys[1]}").status_code == 404
    assert client.get("/api/v1/enterprises?q=hai+dang").get_json()["total"] == 1
    assert client.get("/api/v1/aggregates").get_json()["enterprises"] == 1
    export = client.get("/doanh-nghiep/xuat.csv?q=hai+dang").get_data(as_text=True)
    assert keys[0] in export and keys[1] not in export


@pytest.fixture
def people(app):
    """A verified member, a pending one, a rejected one, and staff who are no member at all."""
    with app.app_context():
        enterprise = make_enterprise("Công ty TNHH Yến Sào Sông Cầu")
        users = {}
        for name, state in (("verified", "verified"), ("pending", "pending"), ("rejected", "rejected")):
            users[name] = make_user(f"{name}@example.vn")
            add_member(users[name], enterprise, state)
        users["staff"] = make_user("staff@so.gov.vn", role="staff")
        return enterprise.id, enterprise.public_key, {k: (u.id, u.email, u.totp_secret) for k, u in users.items()}


def test_verified_member_is_one_rule_for_every_entry_point(client, app, people):
    enterprise_id, key, users = people
    expected = {"verified": True, "pending": False, "rejected": False, "staff": False}
    with app.test_request_context(), write_intent():  # as a request would (the services write URLs and mail)
        for name, (user_id, _email, _secret) in users.items():
            user = db.session.get(User, user_id)
            assert permissions.is_verified_member(user, enterprise_id) is expected[name], name
            assert (enterprise_id in user.verified_enterprise_ids()) is expected[name], name
        # the SQL form of the rule picks the same people
        managers = {
            u.email for u in contact.managers_of(db.session.get(User, users["verified"][0]).memberships[0].enterprise)
        }
        assert managers == {"verified@example.vn"}
        sender = make_user("khach@example.vn")
        request = contact.send_request(
            sender,
            db.session.get(User, users["verified"][0]).memberships[0].enterprise,
            "Hỏi giá",
            "Xin báo giá yến sào.",
        )
        db.session.commit()
        request_id = request.id
        for name, (user_id, _email, _secret) in users.items():
            replier = db.session.get(User, user_id)
            received = [r.id for r in contact.inbox_of(replier)["received"]]
            assert (request_id in received) is expected[name], name
            if not expected[name]:
                with pytest.raises(contact.ContactError):
                    contact.reply(db.session.get(ContactRequest, request_id), replier, "Chào anh", False)


@pytest.mark.parametrize(
    ("who", "may_edit"), [("verified", True), ("pending", False), ("rejected", False), ("staff", True)]
)
def test_who_may_edit_a_record_is_verified_members_and_the_department(client, app, people, who, may_edit):
    _enterprise_id, key, users = people
    _user_id, email, secret = users[who]
    login(client, email, totp_secret=secret if who == "staff" else None)
    assert (client.get(f"/doanh-nghiep/{key}/sua").status_code == 200) is may_edit
    assert (client.get(f"/doanh-nghiep/{key}/san-pham").status_code == 200) is may_edit


def test_staff_is_one_rule_in_python_and_in_sql(app_ctx):
    people = [make_user(f"{role}@example.vn", role=role) for role in ("owner", "investor", "staff", "admin")]
    staff_in_sql = set(db.session.scalars(select(User.email).where(User.is_staff)))
    assert staff_in_sql == {u.email for u in people if u.is_staff} == {"staff@example.vn", "admin@example.vn"}
    assert [permissions.is_staff(u) for u in people] == [False, False, True, True]
