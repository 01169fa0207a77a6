"""Every route of the app, for every role: generated from the URL map, so a new route without an
expectation here fails the suite until someone says who may use it."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.imports import services as imports
from app.models.values import DocumentPurpose
from app.registry import documents
from tests.factories import add_member, login, make_enterprise, make_user
from tests.test_imports import MESSY

ROLES = ("anonymous", "owner_a", "owner_b", "investor", "staff", "admin")
ALL = set(ROLES)
SIGNED_IN = ALL - {"anonymous"}
MANAGERS_OF_A = {"owner_a", "staff", "admin"}
DEPARTMENT = {"staff", "admin"}
ADMINS = {"admin"}
STARTER_OF_THE_ATTEMPT = {"owner_a"}

# Steps of a flow that send anyone without its state (a pending sign-in, a valid token) back to sign in.
FLOWS = {"auth.two_factor", "auth.two_factor_setup", "auth.verify_email", "auth.reset_password"}

# Who may use each endpoint. Everyone else gets 403, a redirect to sign in, or 404.
WHO = {
    **dict.fromkeys(
        [
            "main.home",
            "main.about",
            "main.privacy",
            "main.set_language",
            "static",
            "main.alias_main_about",
            "main.alias_main_privacy",
            "main.help_page",
            "main.contact",
            "main.alias_main_help_page",
            "main.alias_main_contact",
            "api.docs",
            "api.aggregates",
            "api.enterprises",
            "api.enterprise",
            "api.enterprise_products",
            "api.indicators",
            "api.indicator",
            "api.openapi_document",
            "directory.index",
            "directory.profile",
            "directory.export",
            "directory.startups",
            "directory.report",
            "directory.alias_directory_index",
            "directory.alias_directory_profile",
            "directory.alias_directory_startups",
            "assessment.index",
            "assessment.alias_assessment_index",
            "assessment.start",
            "assessment.resume",
            "auth.login",
            "auth.register",
            "auth.forgot_password",
            "auth.reset_password",
            "auth.verify_email",
            "auth.resend_verification",
            "auth.two_factor",
            "auth.two_factor_setup",
            "auth.logout",
            "auth.alias_auth_login",
            "auth.alias_auth_register",
            "main.alias_main_account",
            "progress.index",
            "progress.indicator",
            "progress.series_csv",
            "progress.breakdown_csv",
            "progress.breakdowns_csv",
            "progress.workbook",
            "progress.alias_progress_index",
            "progress.alias_progress_indicator",
        ],
        ALL,
    ),
    **dict.fromkeys(
        [
            "main.account",
            "auth.close_account",
            "auth.download_data",
            "directory.inbox",
            "directory.mine",
            "directory.register",
            "directory.claim",
            "directory.contact_enterprise",
            "directory.follow",
            "directory.reply",
            "assessment.history",
        ],
        SIGNED_IN,
    ),
    **dict.fromkeys(
        [
            "directory.edit",
            "directory.products",
            "directory.request_label",
            "directory.solutions",
            "directory.check_listing",
            "directory.withdraw_product",
            "directory.document",  # the document owner A sent: A, and the department
        ],
        MANAGERS_OF_A,
    ),
    **dict.fromkeys(
        ["assessment.result", "assessment.review", "assessment.page", "assessment.attach", "assessment.badge"],
        STARTER_OF_THE_ATTEMPT,
    ),
    **dict.fromkeys(
        [
            "workspace.home",
            "workspace.queue",
            "workspace.decide",
            "workspace.reject",
            "workspace.records_index",
            "workspace.record",
            "workspace.record_reinstate",
            "workspace.record_withdraw",
            "workspace.record_edit",
            "workspace.record_unmerge",
            "workspace.import_upload",
            "workspace.import_check",
            "workspace.import_batch",
            "workspace.import_mapping",
            "workspace.import_abandon",
            "workspace.import_restart",
            "workspace.import_commit",
            "workspace.import_undo",
            "workspace.import_undo_confirm",
            "workspace.import_errors",
            "workspace.import_progress",
            "workspace.import_history",
            "workspace.import_template",
            "workspace.duplicates_index",
            "workspace.duplicates_merge",
            "workspace.duplicates_dismiss",
            "targets.index",
            "targets.indicator",
            "targets.add_value",
            "targets.settings_index",
            "assessment.staff_list",
            "assessment.staff_export",
            "progress.records",
        ],
        DEPARTMENT,
    ),
    **dict.fromkeys(
        [
            "useradmin.users",
            "useradmin.account",
            "useradmin.send_link",
            "useradmin.set_active",
            "useradmin.confirm_deactivate",
            "useradmin.change_role",
            "useradmin.new_user",
            "targets.edit_target",
            "targets.edit_setting",
        ],
        ADMINS,
    ),
}


@pytest.fixture
def world(app, client):
    """Enterprise A with its verified owner, enterprise B with its own, an investor, staff, an admin, an
    attempt owner A started, an import batch; and a signed-in client for each role."""
    with app.app_context():
        a = make_enterprise("Công ty TNHH Phần mềm Hải Đăng", main_vsic="6201", is_digital_tech=True)
        b = make_enterprise("Công ty TNHH Yến Sào Sông Cầu")
        people = {
            "owner_a": make_user("a@example.vn"),
            "owner_b": make_user("b@example.vn"),
            "investor": make_user("i@example.vn", role="investor"),
            "staff": make_user("staff@so.gov.vn", role="staff"),
            "admin": make_user("admin@so.gov.vn", role="admin"),
        }
        add_member(people["owner_a"], a)
        add_member(people["owner_b"], b)
        batch_id = imports.check_file(MESSY, "a.csv", imports.Actor(None, "staff@so.gov.vn")).id
        sent = documents.Upload("giay-phep.pdf", "application/pdf", b"%PDF-1.4 a scan")
        document_id = documents.attach(sent, DocumentPurpose.CLAIM, a, people["owner_a"]).id
        db.session.commit()
        values = {
            "key": a.public_key,
            "user_id": people["staff"].id,
            "batch_id": batch_id,
            "document_id": document_id,
            "secrets": {k: (u.email, u.totp_secret) for k, u in people.items()},
        }
    clients = {"anonymous": app.test_client()}
    for role, (email, secret) in values["secrets"].items():
        clients[role] = app.test_client()
        login(clients[role], email, totp_secret=secret if role in DEPARTMENT else None)
    owner = clients["owner_a"]
    from tests.assessment_helpers import start

    values["public_id"] = start(owner, "dbi-sme")
    return values, clients


def _url(rule, values: dict) -> str:
    args = {}
    for name in rule.arguments:
        args[name] = {
            "key": values["key"],
            "code": "T5",
            "year": 2030,
            "user_id": values["user_id"],
            "batch_id": values["batch_id"],
            "document_id": values["document_id"],
            "review_id": 1,
            "public_id": values["public_id"],
            "token": "x" * 20,
            "fmt": "csv",
            "listing_id": 1,
            "product_id": 1,
            "request_id": 1,
            "lang": "vi",
            "dimension": "commune",
            "filename": "css/site.css",
            "instrument_id": "dbi-sme",
            "number": 1,
        }[name]
    if rule.endpoint.startswith("targets.") and "code" in args:
        args["code"] = "T1"
    if rule.endpoint == "targets.edit_setting":
        args["key"] = "threshold_level"
    if rule.endpoint.startswith("api.enterprise"):
        args["code"] = values["key"]
    return _build(rule.rule, args)


def _build(pattern: str, args: dict) -> str:
    import re

    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(args[m[1]]), pattern)


def _denied(response) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code in (403, 404) or (response.status_code == 302 and "/dang-nhap" in location)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_expected(app, world, role):
    values, clients = world
    client = clients[role]
    unexpected = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        assert rule.endpoint in WHO, f"{rule.rule} ({rule.endpoint}) has no expectation in tests/test_authorization.py"
        allowed = role in WHO[rule.endpoint]
        url = _url(rule, values)
        if "GET" in rule.methods:
            response = client.get(url)
        elif allowed:
            continue  # a write by an allowed role is each feature's own test
        else:
            response = client.post(url, data={})
        if rule.endpoint == "auth.logout" or rule.endpoint == "main.set_language":
            continue
        to_sign_in = response.status_code == 302 and "/dang-nhap" in response.headers.get("Location", "")
        if allowed and (response.status_code == 403 or (to_sign_in and rule.endpoint not in FLOWS)):
            unexpected.append(f"{role} refused {url}: {response.status_code}")
        if not allowed and not _denied(response):
            unexpected.append(f"{role} let into {url}: {response.status_code}")
    assert not unexpected, "\n".join(unexpected)
