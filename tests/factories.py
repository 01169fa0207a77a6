"""Factory functions: each test makes the data it needs through the app's own services."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from stdnum.vn import mst

from app import audit
from app.auth import services as auth_services
from app.auth import totp
from app.extensions import db
from app.imports.kinds import KINDS, REGISTRY
from app.models import Membership, User
from app.models.base import utcnow
from app.registry import services as registry

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)

PROVINCE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the app's BABEL_DEFAULT_TIMEZONE


def province_today() -> date:
    """Today in the province, as the app counts days — not the server's date, which is seven hours
    behind in UTC: from 17:00 UTC on, the app's today is the server's tomorrow."""
    return datetime.now(PROVINCE_ZONE).date()


def enterprise_code(n: int | None = None, prefix: str = "44") -> str:
    """A valid 10-digit enterprise code (skipping prefixes whose check digit would be 10)."""
    n = next(_seq) if n is None else n
    while True:
        body = f"{prefix}{n:07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            return body + check
        n += 1000


def make_enterprise(name: str = "Công ty TNHH Thủy sản Hải Đăng", commune_code: str = "22015", **fields):
    values = {"legal_form": "tnhh2", "main_vsic": "1020", "employees": 8, "revenue_vnd": 2_000_000_000}
    values.update(fields)
    for flag in ("digital_tech", "startup"):  # a label the department verified, unless the test says otherwise
        if values.get(f"is_{flag}") is True:
            values.setdefault(f"{flag}_verification", "verified")
    if "code" not in values and values["legal_form"] != "hkd":
        values["code"] = enterprise_code()
    enterprise = registry.create_enterprise(audit.CLI, "staff", None, name=name, commune_code=commune_code, **values)
    db.session.commit()
    return enterprise


def make_user(
    email: str | None = None,
    role: str = "owner",
    password: str = PASSWORD,
    verified: bool = True,
    two_factor: bool | None = None,
    name: str = "Nguyễn Thị Hoa",
) -> User:
    email = email or f"user{next(_seq)}@example.vn"
    user = auth_services.create_user(email, name, role, password, email_verified=verified)
    if two_factor if two_factor is not None else role in ("staff", "admin"):
        user.totp_secret = totp.new_secret()
        user.totp_enabled_at = utcnow()
    db.session.commit()
    return user


def add_member(user: User, enterprise, state: str = "verified") -> Membership:
    membership = Membership(user_id=user.id, enterprise_id=enterprise.id, claim_state=state)
    db.session.add(membership)
    db.session.commit()
    return membership


def login(client, user_email: str, password: str = PASSWORD, totp_secret: str | None = None):
    """Sign in through the real pages, answering the two-step prompt when there is one."""
    response = client.post("/dang-nhap", data={"email": user_email, "password": password})
    if totp_secret and response.status_code == 302 and "ma-xac-thuc" in response.headers["Location"]:
        response = client.post("/dang-nhap/ma-xac-thuc", data={"code": totp.current_code(totp_secret)})
    return response


def link_from(message) -> str:
    body = message.get_body(("plain",)).get_content()
    found = re.search(r"https?://\S+", body)
    assert found, body
    return "/" + found.group(0).split("/", 3)[3]


def production_settings(tmp_path, **overrides) -> dict:
    """Settings production accepts (app/production.py), for a site on a scratch SQLite file: a long
    secret, an https address, shared rate limits (a password-protected Redis, never contacted unless a
    limit is reached) and a department of its own."""
    department = {
        "DEPARTMENT_NAME_VI": "Sở Thử nghiệm",
        "DEPARTMENT_NAME_EN": "Test Department",
        "DEPARTMENT_ADDRESS_VI": "1 Đường Thử, phường Tuy Hòa",
        "DEPARTMENT_ADDRESS_EN": "1 Thu Street, Tuy Hoa Ward",
        "DEPARTMENT_PHONE": "0257 000 000",
        "DEPARTMENT_EMAIL": "so@thu.example.vn",
        "DEPARTMENT_HOURS_VI": "Thứ Hai đến Thứ Sáu",
        "DEPARTMENT_HOURS_EN": "Monday to Friday",
    }
    return {
        "APP_ENV": "production",
        "SECRET_KEY": "a-long-random-value-for-the-tests-0123456789",
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        "PUBLIC_BASE_URL": "https://doanhnghiep.example.vn",
        "RATELIMIT_STORAGE_URI": "redis://:a-password@127.0.0.1:6379/13",
        **department,
        **overrides,
    }


def patch_registry_kind(monkeypatch, **functions) -> None:
    """Replace functions of the registry's import kind (its plan, steps or undo) for one test."""
    monkeypatch.setitem(KINDS, REGISTRY, replace(KINDS[REGISTRY], **functions))
