"""Record changes in the audit trail. Every service that writes calls ``record``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.extensions import db
from app.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or a named channel (cli, system, demo)."""

    user_id: int | None
    label: str

    @classmethod
    def of(cls, user) -> Actor:
        return cls(user.id, user.email)


SYSTEM = Actor(None, "system")
CLI = Actor(None, "cli")


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def snapshot(obj, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def record(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    provenance: str | None = None,
) -> AuditEvent:
    """Add one audit event to the current transaction (the caller's edge commits)."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        provenance=provenance,
    )
    db.session.add(event)
    return event
