"""Demo accounts, one per role and a startup's manager, with random passwords; and the file that lists them."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime
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
# (what the account is for, role, e-mail, name). Both owners act for an enterprise: the first for
# the company with the most certified products, the startup manager for a startup that seeks
# funding, so that an investor's contact request reaches someone who can answer it.
DEMO_USERS = (
    ("owner", "owner", "owner.demo@example.com", "Nguyễn Thị Hồng (demo)"),
    ("startup manager", "owner", "startup.demo@example.com", "Võ Quốc Huy (demo)"),
    ("investor", "investor", "investor.demo@example.com", "Trần Minh Quân (demo)"),
    ("staff", "staff", "staff.demo@example.com", "Lê Văn Phúc (demo)"),
    ("admin", "admin", "admin.demo@example.com", "Phạm Thị Thu (demo)"),
)
CREDENTIALS_FILE = "demo-credentials.txt"


@dataclass(frozen=True)
class DemoAccount:
    role: str  # what the account is for: a role, or "startup manager"
    email: str
    password: str
    totp_secret: str | None = None
    enterprise: str | None = None  # the owner's enterprise, "name (public key)"
    user_id: int | None = None


def demo_users_exist() -> bool:
    emails = [email for _, _, email, _ in DEMO_USERS]
    return bool(db.session.scalar(select(func.count()).select_from(User).where(User.email.in_(emails))))


def create_demo_accounts(acts_for: dict[str, tuple[Enterprise, datetime]]) -> list[DemoAccount]:
    """Create the accounts (flushes). Staff and admin are enrolled in two-step sign-in.

    ``acts_for`` maps "owner" and "startup manager" to their enterprise and the moment the
    department verified their claim (before the attempts they submitted for it).
    """
    accounts = []
    for purpose, role, email, full_name in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        user = create_user(email, full_name, role, password, actor=DEMO_ACTOR)
        secret = enterprise = None
        if user.needs_two_factor:
            secret = totp.new_secret()
            user.totp_secret, user.totp_enabled_at = secret, utcnow()
        if purpose in acts_for:
            company, verified_at = acts_for[purpose]
            db.session.add(
                Membership(
                    user_id=user.id,
                    enterprise_id=company.id,
                    claim_state="verified",
                    evidence="Tài khoản demo",
                    decided_at=verified_at,
                )
            )
            enterprise = f"{company.name} ({company.public_key})"
        accounts.append(DemoAccount(purpose, email, password, secret, enterprise, user.id))
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
