"""Owner accounts behind the demo's assessments and declarations: one per enterprise, made in bulk.

An assessment counts for an enterprise only when a verified member linked it, and a product is
declared by a member: so each such demo enterprise gets an owner whose claim the department
verified. These accounts exist for the records' sake and can never be used: their password hash is
not a hash (password verification refuses it) and the account is deactivated, so it cannot sign
in, reset nothing into a session, and is sent no e-mail (app/notify.py mails active accounts only).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.demo import bulk, names
from app.demo.accounts import DEMO_ACTOR
from app.demo.history import at_office_hours, day_between
from app.models import Membership, User

# Not an argon2 hash: argon2 raises InvalidHashError on it and verify_password returns False.
UNUSABLE_PASSWORD_HASH = "!demo-owner: no password can match"
EVIDENCE = "Giấy chứng nhận đăng ký doanh nghiệp ghi tên người đại diện theo pháp luật (dữ liệu demo)"


@dataclass(frozen=True)
class Claim:
    """An enterprise that needs an owner, and the last day the claim may have been approved by."""

    enterprise_id: int
    public_key: str
    registered_on: date
    needed_by: date


def owner_email(public_key: str) -> str:
    return f"owner-{public_key.lower()}@example.com"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(names.SURNAMES)} {rng.choice(names.MIDDLE_NAMES)} {rng.choice(names.GIVEN_NAMES)}"


def create_owners(rng: random.Random, claims: Iterable[Claim]) -> dict[int, tuple[int, datetime]]:
    """One deactivated owner with a verified membership per claim (flushes).

    Returns enterprise id → (user id, the moment the claim was approved).
    """
    claims = list(claims)
    users, memberships, audit_rows, approved = [], [], [], []
    for claim in claims:
        decided_day = day_between(rng, claim.registered_on, claim.needed_by - timedelta(days=1))
        decided = at_office_hours(rng, max(claim.registered_on, decided_day))
        signed_up = decided - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
        approved.append(decided)
        users.append(
            {
                "email": owner_email(claim.public_key),
                "password_hash": UNUSABLE_PASSWORD_HASH,
                "full_name": _person(rng),
                "role": "owner",
                "locale": "vi",
                "is_active": False,
                "email_verified_at": signed_up,
                "privacy_consent_at": signed_up,
                "created_at": signed_up,
                "updated_at": decided,
            }
        )
    user_ids = bulk.insert_returning_ids(User.__table__, users)
    for claim, user_id, user, decided in zip(claims, user_ids, users, approved, strict=True):
        memberships.append(
            {
                "user_id": user_id,
                "enterprise_id": claim.enterprise_id,
                "claim_state": "verified",
                "evidence": EVIDENCE,
                "decided_at": decided,
                "created_at": user["created_at"],
                "updated_at": decided,
            }
        )
        audit_rows.append(
            {
                "occurred_at": user["created_at"],
                "actor_id": None,
                "actor_label": DEMO_ACTOR.label,
                "action": "create",
                "entity_type": "user",
                "entity_id": str(user_id),
                "before": None,
                "after": {"email": user["email"], "role": "owner"},
                "provenance": "demo",
            }
        )
    bulk.insert_rows(Membership.__table__, memberships)
    bulk.insert_audit(audit_rows)
    return {
        claim.enterprise_id: (user_id, decided)
        for claim, user_id, decided in zip(claims, user_ids, approved, strict=True)
    }
