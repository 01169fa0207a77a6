"""Tell a person something: a notice in their in-app inbox, and the same by e-mail."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale

from app.extensions import db
from app.mail import send_email
from app.models import InboxMessage, User
from app.routing import external_path


def notify(user: User, subject: Callable[[], str], body: Callable[[], str], link: str | None = None) -> InboxMessage:
    """Write the notice in the user's language into their inbox and send it by e-mail (flushes)."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        title, text = str(subject()), str(body())
    message = InboxMessage(user_id=user.id, subject=title, body=text, link=link)
    db.session.add(message)
    db.session.flush()
    if user.is_active:
        send_email(user.email, title, text + (f"\n\n{external_path(link)}" if link else ""))
    return message
