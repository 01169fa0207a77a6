"""The one family of refusals a service raises.

A service checks, changes the session and flushes; when it refuses, it raises a `ServiceError` with a
translated message and, when the refusal concerns one field of a form, that field's name (or
`FieldErrors` for several fields at once). It never commits: the edge that called it (a view, the
API, a CLI command or a background task, see app/edge.py) commits, or rolls back and shows the message.
"""

from __future__ import annotations

from typing import Any


class ServiceError(ValueError):
    """A refused operation: a translated message, the form field it concerns (if any), and a short
    code for the callers that must tell refusals apart."""

    status = 409  # of the error page or API response when no view catches it (403: not allowed)

    def __init__(self, message: Any, field: str | None = None, code: str | None = None, status: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code
        if status is not None:
            self.status = status

    @property
    def errors(self) -> dict[str | None, Any]:
        """Field name (None for the form as a whole) → message (or a list of messages)."""
        return {self.field: self.message}


class FieldErrors(ServiceError):
    """Several fields refused at once, so that the form shows every problem in one go."""

    def __init__(self, errors: dict[str, Any]):
        first = next(iter(errors))
        super().__init__(errors[first], first)
        self._errors = dict(errors)

    @property
    def errors(self) -> dict[str | None, Any]:
        return self._errors
