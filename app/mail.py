"""E-mail leaves through an outbox: `send_email` writes it in the caller's transaction, and it is
delivered once that transaction has committed, by a task of the queue (app/tasks.py); the worker
also drains the outbox every minute, retrying what a failed server left waiting (as `flask mail send` does).

So a rolled-back write never sends mail, and neither the time a request takes nor a mail outage
tells anyone whether an address has an account. Delivery goes through SMTP, or, when no MAIL_SERVER
is set, is written to instance/mail/*.eml.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from app import tasks
from app.database import write_intent
from app.extensions import db
from app.models import OutgoingMail
from app.models.base import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8  # delays of 1, 2, 4 … 64 minutes: about two hours of outage before giving up
BATCH = 50


def send_email(to: str, subject: str, body: str, html: str | None = None) -> None:
    """Queue an e-mail in the current transaction; it leaves after the commit. `html`, when given, is
    the same content as an HTML alternative to the plain-text `body` (see app/letters.py)."""
    db.session.add(OutgoingMail(recipient=to, subject=" ".join(subject.split())[:300], body=body, html=html))
    tasks.enqueue("drain_outbox")


def _message(row) -> EmailMessage:
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_DEFAULT_SENDER"]
    message["To"] = row.recipient
    message["Subject"] = row.subject  # one line: send_email joined it
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=cfg["MAIL_DEFAULT_SENDER"].split("@")[-1])
    if cfg["DEPARTMENT_EMAIL"]:
        message["Reply-To"] = cfg["DEPARTMENT_EMAIL"]  # a reply reaches the department, as the signature says
    message.set_content(row.body)
    if row.html:
        message.add_alternative(row.html, subtype="html")
    return message


def _deliver(message: EmailMessage) -> None:
    cfg = current_app.config
    if cfg["MAIL_SERVER"]:
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")  # microseconds: files sort in sending order
        (folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(bytes(message))


def drain(limit: int = BATCH) -> tuple[int, int]:
    """Send what is due, each claimed by one short write first (two workers never send one twice);
    no transaction is open while the server is talked to. Returns (sent, failed)."""
    table = OutgoingMail.__table__
    sent = failed = 0
    with db.engine.connect() as conn:
        due = conn.execute(
            select(table)
            .where(table.c.sent_at.is_(None), table.c.attempts < MAX_ATTEMPTS, table.c.next_attempt_at <= utcnow())
            .order_by(table.c.id)
            .limit(limit)
        ).all()
        conn.rollback()
    for row in due:
        retry_at = utcnow() + timedelta(minutes=2**row.attempts)
        with write_intent(), db.engine.begin() as conn:
            claimed = (
                conn.execute(
                    update(table)
                    .where(table.c.id == row.id, table.c.attempts == row.attempts, table.c.sent_at.is_(None))
                    .values(attempts=row.attempts + 1, next_attempt_at=retry_at)
                ).rowcount
                == 1
            )
        if not claimed:
            continue
        try:
            _deliver(_message(row))
        except (OSError, smtplib.SMTPException) as error:
            failed += 1
            log.warning("mail %s to %s not sent (attempt %s): %s", row.id, row.recipient, row.attempts + 1, error)
            with write_intent(), db.engine.begin() as conn:
                conn.execute(update(table).where(table.c.id == row.id).values(last_error=str(error)[:500]))
            continue
        sent += 1
        with write_intent(), db.engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == row.id).values(sent_at=utcnow(), last_error=None))
    return sent, failed


@tasks.every(minutes=1)  # what a failed mail server left waiting
@tasks.task
def drain_outbox() -> None:
    """The task: send what is due (queued after each commit that wrote mail, and every minute)."""
    sent, failed = drain()
    if failed:
        log.warning("mail: %s sent, %s not sent (kept for a later attempt)", sent, failed)
