"""`flask mail send`: deliver the queued e-mail that is due now (the worker does it every minute)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app import mail
from app.extensions import db
from app.models import OutgoingMail

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("send")
def send_command():
    """Send what is due; what the server refuses is tried again later, with growing delays."""
    sent = failed = 0
    while True:
        done, refused = mail.drain()
        sent, failed = sent + done, failed + refused
        if done + refused < mail.BATCH:
            break
    waiting = db.session.scalar(
        select(func.count())
        .select_from(OutgoingMail)
        .where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < mail.MAX_ATTEMPTS)
    )
    given_up = db.session.scalar(
        select(func.count())
        .select_from(OutgoingMail)
        .where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts >= mail.MAX_ATTEMPTS)
    )
    click.echo(
        f"{sent} sent, {failed} failed this time; {waiting} waiting, {given_up} given up after "
        f"{mail.MAX_ATTEMPTS} attempts."
    )
