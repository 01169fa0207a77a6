"""Why a job on a batch failed when its file is not the reason: a code kept in the batch's error, a
plain sentence in the reader's language on the page, the details in the server's log.

A file that cannot be imported keeps its reason in words (reading.FileError). A job that failed for
another reason (the database connection lost, its process ended, an error nobody foresaw) wrote
nothing that stays, so it can be started again: the batch's page says so and offers it.
"""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, DisconnectionError

from app.imports.reading import FileError

log = logging.getLogger(__name__)

CONNECTION_LOST = "connection_lost"
STOPPED = "stopped"
UNEXPECTED = "unexpected"
GIVEN_UP = "given_up:"  # and who gave it up: staff gave up a job stopped half-way, its file is gone
MESSAGES = {
    CONNECTION_LOST: _l("The database connection was lost; nothing was kept. Start it again."),
    STOPPED: _l("The job stopped before it finished (its process ended); nothing was kept. Start it again."),
    UNEXPECTED: _l(
        "The job stopped on an unexpected error; nothing was kept. Start it again; if it fails again, "
        "the details are in the server's log."
    ),
}


class Failed(FileError):
    """A job that failed for a reason of its own, recorded in the batch; `code` is a key of MESSAGES."""

    def __init__(self, code: str, batch_id: int | None = None):
        super().__init__(code, MESSAGES[code])
        self.batch_id = batch_id


def code_of(error: BaseException) -> str:
    """CONNECTION_LOST when the error, or one it arose from, is the database connection dropping."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DisconnectionError) or (isinstance(error, DBAPIError) and error.connection_invalidated):
            return CONNECTION_LOST
        error = error.__cause__ or error.__context__
    return UNEXPECTED


def record(error: BaseException, batch_id: int, job: str) -> str:
    """The code to keep in the batch for `error`; the error itself goes to the log."""
    code = code_of(error)
    log.warning("import %s: the %s failed (%s)", batch_id, job, code, exc_info=error)
    return code


def is_restartable(error: str | None) -> bool:
    return error in MESSAGES


def given_up(who: str) -> str:
    """The error kept in a batch staff gave up."""
    return f"{GIVEN_UP}{who}"[:2000]


def is_given_up(error: str | None) -> bool:
    return bool(error) and error.startswith(GIVEN_UP)


def message(error: str | None) -> str | None:
    """What the page says of a batch's error: the sentence for a code, else the reason as recorded."""
    if is_given_up(error):
        return str(_l("Given up by %(who)s: nothing of it was kept.", who=error.removeprefix(GIVEN_UP)))
    return str(MESSAGES[error]) if error in MESSAGES else error
