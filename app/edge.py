"""The edges where writes are committed or rolled back, and refusals shown: the only place that commits.

Services change the session, flush and raise `ServiceError` (app/errors.py); they never commit. What
calls them decides:

* **A request** is one transaction. A POST (and a GET declared with `@writes`) runs as a writer and
  is committed once the view has returned its response (a form shown again with its errors included:
  what was valid stays saved); it is rolled back as soon as the view, or a hook before it, raises —
  `abort(404)`, an uncaught refusal, a bug. A GET that is not declared writing is only read: the edge
  refuses to let it leave changes behind.
* **A form** wraps the service call in `attempt(form)`: the call runs in a savepoint; a refusal undoes
  it, puts each message on its field (or flashes it) and the view renders the form again, with what
  the person typed.
* **A refusal nobody caught** is rolled back and shown: the message flashed on the page the person
  came from, an error page if there is none, or the API's JSON error body.
* **A CLI command or a task** runs each of its transactions in `unit_of_work()`.
* **Work for after the commit** (a task to start, mail to send) is given to `after_commit(fn)`: it runs
  once the transaction it belongs to has committed, and never if it rolls back.
* **A connection of its own** commits outside the request's or task's transaction only where that
  transaction cannot serve, each named in OWN_CONNECTIONS with its reason; tests/test_edge.py finds
  every commit, rollback and `begin()` in the app and fails on any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.database import set_write_intent, write_intent
from app.errors import FieldErrors, ServiceError
from app.extensions import db

__all__ = ["FieldErrors", "ServiceError", "after_commit", "attempt", "init_app", "show", "unit_of_work", "writes"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The writes that commit on a connection of their own (`db.engine.begin()`), by module under app/,
# and why the transaction they run beside cannot hold them.
OWN_CONNECTIONS = {
    "auth/services.py": "a session's last use, recorded while the request that uses it only reads",
    "mail.py": "the outbox claims a message before sending it (two workers never send one twice) "
    "and records each attempt, whatever the sending does",
    "progress/snapshots.py": "a computed figure kept for the next reader, even when the request that "
    "computed it only reads",
    "imports/jobs.py": "a background import's progress, seen by staff while the job's own transaction runs",
    "cli/maintenance.py": "ANALYZE and VACUUM, which no transaction may hold",
}


def writes(view: Callable) -> Callable:
    """Declare a GET view that writes (it confirms a token, marks messages read): its request is a
    write transaction from the start and is committed like a POST."""
    view.writes = True  # type: ignore[attr-defined]
    return view


def request_writes() -> bool:
    if request.method not in SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "writes", False))


def show(error: ServiceError, form: Any = None) -> None:
    """Put each message of a refusal on its form field; what has no field on the form is flashed."""
    for name, said in error.errors.items():
        messages = list(said) if isinstance(said, list | tuple) else [said]
        field = getattr(form, name, None) if form is not None and name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages]
        else:
            for message in messages:
                flash(message, "error")


class Attempt:
    """What `attempt` tells the view: the refusal, if there was one."""

    error: ServiceError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def attempt(form: Any = None, *, shown: bool = True) -> Iterator[Attempt]:
    """Run a service call in a savepoint. A `ServiceError` undoes what it changed, is shown on `form`
    (see `show`; with shown=False the view shows `outcome.error` itself) and does not propagate:
    execution goes on after the block, where the view renders the form again. Anything else
    propagates, and the request is rolled back."""
    outcome = Attempt()
    savepoint = db.session.begin_nested()
    try:
        yield outcome
    except ServiceError as error:
        if savepoint.is_active:
            savepoint.rollback()
        outcome.error = error
        if shown:
            show(error, form)
    else:
        if savepoint.is_active:
            savepoint.commit()


def release() -> None:
    """End the read transaction the session holds, before a long wait or a transaction of its own (on
    SQLite a reader cannot become a writer once another has written). Nothing may be pending."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unit_of_work() begun with changes pending: they belong to a unit of work of their own")
    session.rollback()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One write transaction of a CLI command or a task: committed at the end, rolled back on any error."""
    release()
    with write_intent():
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


@contextmanager
def reading() -> Iterator[None]:
    """A plain read transaction even inside a POST request (a long check that must not hold the write
    lock), ended at the end of the block."""
    release()
    with write_intent(writing=False):
        try:
            yield
        finally:
            db.session.rollback()


def after_commit(callback: Callable[[], Any], key: Any = None) -> None:
    """Run `callback` once the session's current transaction has committed (never if it rolls back);
    with a `key`, once per transaction whatever the number of calls. Without a transaction in progress
    nor changes pending it runs at once. It must not use the session (it is between two transactions):
    it hands work on, to a task or a connection of its own."""
    session = db.session()
    if not session.in_transaction() and not (session.new or session.dirty or session.deleted):
        callback()
        return
    waiting = session.info.setdefault("after_commit", {})
    waiting.setdefault(key if key is not None else object(), callback)


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    session.info["flushed"] = True  # this transaction wrote (a GET must not): cleared when it ends


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the work waits for the transaction around it
    for callback in session.info.pop("after_commit", {}).values():
        callback()


@event.listens_for(Session, "after_transaction_end")
def _drop_after_commit(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: rolled back, or committed and run
        session.info.pop("after_commit", None)
        session.info.pop("flushed", None)
        session.info.pop("ends_a_read", None)


def _same_site_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.path == request.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Site(Flask):
    """The application class: a request whose view raises is rolled back before its error is handled,
    and a read whose database connection was cut (a server restart, an idle connection dropped by a
    firewall or `pg_terminate_backend`) is answered again once on a new connection rather than with a 500."""

    def dispatch_request(self):
        try:
            return super().dispatch_request()
        except DBAPIError as error:
            if not error.connection_invalidated or g.get("writes") or request.method not in SAFE_METHODS:
                raise
            db.session.rollback()  # the pool has dropped the dead connection: the next statement takes another
            self.logger.warning("a read lost its database connection and was answered again: %s", request.path)
            return super().dispatch_request()

    def handle_user_exception(self, e: Exception):
        db.session.rollback()
        return super().handle_user_exception(e)


def init_app(app: Flask) -> None:
    @app.before_request
    def _begin() -> None:
        g.writes = request_writes()
        set_write_intent(g.writes)

    @app.after_request
    def _end(response):
        if g.get("writes"):
            if response.status_code < 500:
                db.session.commit()
            return response
        session = db.session()
        if session.new or session.dirty or session.deleted or session.info.get("flushed"):
            db.session.rollback()
            message = f"{request.endpoint} changed the database on a GET: declare the view with @writes"
            if app.testing:
                raise RuntimeError(message)
            app.logger.error("%s (the changes were dropped)", message)
        elif session.in_transaction():
            # A read ends with COMMIT rather than ROLLBACK: psycopg forgets its prepared statements on
            # a rollback, and PostgreSQL would plan every query of every page again (1.4 ms of a
            # profile's 1.7). It changes nothing: there is nothing to commit. The objects the page
            # loaded stay loaded (a streamed export, an error page still read them).
            session.info["ends_a_read"] = True
            session.expire_on_commit = False  # what the page loaded stays loaded, as after a rollback
            try:
                session.commit()
            finally:
                session.expire_on_commit = True
        return response

    @app.teardown_request
    def _finish(_exc) -> None:
        set_write_intent(False)

    @app.errorhandler(ServiceError)
    def _refused(error: ServiceError):  # already rolled back (Site.handle_user_exception)
        if request.path.startswith("/api/"):
            body = {"error": error.code or "refused", "message": str(error.message)}
            if error.field:
                body["field"] = error.field
            return jsonify(body), 403 if error.status == 403 else 422
        back = _same_site_referrer()
        if back and error.status != 403 and request.method not in SAFE_METHODS:
            flash(error.message, "error")
            return redirect(back, 303)
        return render_template("error.html", status=error.status, title=None, message=error.message), error.status


@contextmanager
def command_unit() -> Iterator[None]:
    """A CLI command's write: one unit of work, and a refusal becomes the command's error message."""
    import click

    try:
        with unit_of_work():
            yield
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from None
