"""Tell a person something: a notice in their in-app inbox, and the same by e-mail (app/letters.py:
a greeting, what happened, what to do next with a link, and who sent it)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.extensions import db
from app.letters import Letter, send_letter
from app.models import InboxMessage, User
from app.routing import external_path


def notify(
    user: User,
    subject: Callable[[], str],
    body: Callable[[], str],
    link: str | None = None,
    action: Callable[[], str] | None = None,
) -> InboxMessage:
    """Write the notice in the user's language into their inbox and send it by e-mail (flushes).
    `action` names what to do next at `link` (the e-mail's button); by default "Open it on the platform"."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        title, text = str(subject()), str(body())
    message = InboxMessage(user_id=user.id, subject=title, body=text, link=link)
    db.session.add(message)
    db.session.flush()
    if user.is_active:

        def letter() -> Letter:
            label = str(action()) if action else _("Open it on the platform")
            return Letter(title, text.split("\n\n"), (label, external_path(link)) if link else None)

        send_letter(user, letter)
    return message
