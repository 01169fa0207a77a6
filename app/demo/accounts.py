"""Demo accounts, one per role, with random passwords; and the credentials file that lists them."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from app import audit
from app.auth import totp
from app.auth.services import create_user
from app.extensions import db
from app.models import Enterprise, Membership, User
from app.models.base import utcnow

DEMO_ACTOR = audit.Actor(None, "demo")
# example.com: reserved for examples (RFC 2606), so no demo e-mail can reach a real person.
DEMO_USERS = (
    ("owner", "owner.demo@example.com", "Nguyễn Thị Hồng (demo)"),
    ("investor", "investor.demo@example.com", "Trần Minh Quân (demo)"),
    ("staff", "staff.demo@example.com", "Lê Văn Phúc (demo)"),
    ("admin", "admin.demo@example.com", "Phạm Thị Thu (demo)"),
)
CREDENTIALS_FILE = "demo-credentials.txt"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    totp_secret: str | None = None
    enterprise: str | None = None  # the owner's enterprise, "name (public key)"


def demo_users_exist() -> bool:
    emails = [email for _, email, _ in DEMO_USERS]
    return bool(
        db.session.scalar(select(func.count()).select_from(User).where(User.email.in_(emails)))
    )


def create_demo_accounts(owner_enterprise: Enterprise) -> list[DemoAccount]:
    """Create the four accounts (flushes). Staff and admin are enrolled in two-step sign-in."""
    accounts = []
    for role, email, full_name in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        user = create_user(email, full_name, role, password, actor=DEMO_ACTOR)
        secret = enterprise = None
        if user.needs_two_factor:
            secret = totp.new_secret()
            user.totp_secret, user.totp_enabled_at = secret, utcnow()
        if role == "owner":
            db.session.add(
                Membership(
                    user_id=user.id,
                    enterprise_id=owner_enterprise.id,
                    claim_state="verified",
                    evidence="Tài khoản demo",
                    decided_at=utcnow(),
                )
            )
            enterprise = f"{owner_enterprise.name} ({owner_enterprise.public_key})"
        accounts.append(DemoAccount(role, email, password, secret, enterprise))
    db.session.flush()
    return accounts


def credentials_text(accounts: list[DemoAccount], today: date) -> str:
    lines = [
        f"Demo accounts made by `flask demo load` on {today.isoformat()}.",
        "Demo data only: made-up enterprises and people. Never load it on a public server.",
        "",
    ]
    for account in accounts:
        lines += [
            f"{account.role}",
            f"  e-mail:   {account.email}",
            f"  password: {account.password}",
        ]
        if account.enterprise:
            lines.append(f"  acts for: {account.enterprise}")
        if account.totp_secret:
            lines += [
                f"  two-step secret: {account.totp_secret}",
                f"  current code: .venv/bin/flask --app app users totp {account.email}",
            ]
        lines.append("")
    return "\n".join(lines)


def write_credentials(folder: str, text: str) -> Path:
    """Write the file readable by its owner only (0600), replacing an older one."""
    path = Path(folder) / CREDENTIALS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    path.chmod(0o600)  # an existing file keeps its old mode through os.open
    return path
