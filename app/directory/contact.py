"""Contact requests between investors, businesses and enterprises; follows; the inbox."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import audit
from app.auth.permissions import is_verified_member
from app.errors import ServiceError
from app.extensions import db
from app.models import ContactRequest, Enterprise, Follow, InboxMessage, Membership, User
from app.models.base import utcnow
from app.notify import notify
from app.text import normalize


class ContactError(ServiceError):
    MESSAGES = {
        "own_enterprise": _l("You cannot write to your own enterprise."),
        "not_a_manager": _l("Only the people the department verified for this enterprise can reply."),
        "already_answered": _l("This request was already answered."),
    }

    def __init__(self, code: str):
        super().__init__(self.MESSAGES[code], code=code, status=403 if code == "not_a_manager" else None)


def managers_of(enterprise: Enterprise) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.enterprise_id == enterprise.id, Membership.is_verified, User.closed_at.is_(None))
        )
    )


def send_request(sender: User, enterprise: Enterprise, subject: str, message: str) -> ContactRequest:
    """Keep the request for the enterprise and tell its managers (inbox and e-mail). The sender's
    address is not shown to them; they reply through the platform and choose what to reveal."""
    if any(m.enterprise_id == enterprise.id for m in sender.memberships):
        raise ContactError("own_enterprise")
    subject = normalize(subject)[:200]  # one line (line breaks become spaces): it becomes an e-mail's subject
    request = ContactRequest(sender_id=sender.id, enterprise_id=enterprise.id, subject=subject, message=message)
    db.session.add(request)
    db.session.flush()
    audit.record(audit.Actor.of(sender), "create", "contact_request", request.id, None, {"enterprise": enterprise.id})
    for manager in managers_of(enterprise):
        notify(
            manager,
            lambda: _("New contact request: %(subject)s", subject=subject),
            lambda: (
                _("%(sender)s wrote to %(name)s:", sender=sender.full_name, name=enterprise.name)
                + "\n\n"
                + message
                + "\n\n"
                + _("Reply on the platform: the sender sees your e-mail address only if you choose to share it.")
            ),
            url_for("directory.inbox"),
            lambda: _("Reply from your inbox"),
        )
    return request


def reply(request: ContactRequest, replier: User, text: str, reveal_email: bool) -> None:
    if not is_verified_member(replier, request.enterprise_id):
        raise ContactError("not_a_manager")
    if request.state != "new":
        raise ContactError("already_answered")
    request.state = "replied"
    request.reply = text
    request.reveal_email = reveal_email
    request.replied_by_id = replier.id
    request.replied_at = utcnow()
    name = request.enterprise.name
    contact = ("\n\n" + _("You can write to %(email)s.", email=replier.email)) if reveal_email else ""
    notify(
        request.sender,
        lambda: _("%(name)s replied: %(subject)s", name=name, subject=request.subject),
        lambda: (
            _("%(name)s replied to your message “%(subject)s”:", name=name, subject=request.subject)
            + "\n\n"
            + text
            + contact
        ),
        url_for("directory.inbox"),
        lambda: _("Read it in your inbox"),
    )
    db.session.flush()


def toggle_follow(user: User, enterprise: Enterprise) -> bool:
    """Follow or stop following; returns whether the user now follows it."""
    existing = db.session.scalar(select(Follow).where(Follow.user_id == user.id, Follow.enterprise_id == enterprise.id))
    if existing:
        db.session.delete(existing)
        db.session.flush()
        return False
    db.session.add(Follow(user_id=user.id, enterprise_id=enterprise.id))
    db.session.flush()
    return True


def is_following(user: User, enterprise: Enterprise) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (
        db.session.scalar(select(Follow.id).where(Follow.user_id == user.id, Follow.enterprise_id == enterprise.id))
        is not None
    )


def inbox_of(user: User) -> dict:
    """What the inbox page shows, with the people and enterprises it names: a fixed number of queries
    however many enterprises the person acts for (test_engagement counts them)."""
    managed = user.verified_enterprise_ids()
    named = (
        joinedload(ContactRequest.enterprise),
        joinedload(ContactRequest.sender),
        joinedload(ContactRequest.replied_by),
    )
    received = (
        list(
            db.session.scalars(
                select(ContactRequest)
                .where(ContactRequest.enterprise_id.in_(managed))
                .options(*named)
                .order_by(ContactRequest.created_at.desc())
            )
        )
        if managed
        else []
    )
    sent = list(
        db.session.scalars(
            select(ContactRequest)
            .where(ContactRequest.sender_id == user.id)
            .options(*named)
            .order_by(ContactRequest.created_at.desc())
        )
    )
    notices = list(
        db.session.scalars(
            select(InboxMessage)
            .where(InboxMessage.user_id == user.id)
            .order_by(InboxMessage.created_at.desc())
            .limit(100)
        )
    )
    follows = list(
        db.session.scalars(
            select(Follow)
            .where(Follow.user_id == user.id)
            .options(joinedload(Follow.enterprise))
            .order_by(Follow.created_at.desc())
        )
    )
    return {"received": received, "sent": sent, "notices": notices, "follows": follows}


def mark_read(user: User) -> None:
    for message in db.session.scalars(
        select(InboxMessage).where(InboxMessage.user_id == user.id, InboxMessage.read_at.is_(None))
    ):
        message.read_at = utcnow()
    db.session.flush()


def unread_count(user: User) -> int:
    from sqlalchemy import func

    return (
        db.session.scalar(
            select(func.count())
            .select_from(InboxMessage)
            .where(InboxMessage.user_id == user.id, InboxMessage.read_at.is_(None))
        )
        or 0
    )
