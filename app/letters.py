"""E-mails people can act on: a greeting, what happened, what to do next with a link, and who sent
it and how to reach them. One `Letter` is the content; it is written in the recipient's language and
rendered twice, as plain text and as a simple HTML alternative (inline styles, no remote images)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale

from app.i18n import current_language
from app.mail import send_email
from app.models import User


@dataclass
class Letter:
    subject: str
    paragraphs: list[str]  # what happened, a paragraph each (plain text; line breaks are kept)
    action: tuple[str, str] | None = None  # what to do next: (label, absolute link)
    after: list[str] = field(default_factory=list)  # what follows the link: its validity, "ignore if not you"


def sender() -> dict[str, str]:
    """Who sends the site's e-mails and how to reach them, in the current (forced) language."""

    cfg = current_app.config
    suffix = "EN" if current_language() == "en" else "VI"
    return {
        "name": cfg[f"DEPARTMENT_NAME_{suffix}"],
        "phone": cfg["DEPARTMENT_PHONE"],
        "email": cfg["DEPARTMENT_EMAIL"],
        "site": cfg["PUBLIC_BASE_URL"],
    }


def render(user: User, letter: Letter) -> tuple[str, str]:
    """The letter as plain text and as HTML, in the language in force."""
    context = {"user": user, "letter": letter, "sender": sender()}
    return render_template("email/letter.txt", **context), render_template("email/letter.html", **context)


def send_letter(user: User, compose: Callable[[], Letter]) -> Letter:
    """Write the letter in the user's language and queue it (text and HTML) in the current transaction."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        letter = compose()
        text, html = render(user, letter)
    send_email(user.email, str(letter.subject), text, html)
    return letter
