"""A bulk import of the registry: one uploaded file, checked (dry run), then committed or undone; and
the sources whose files staff mapped once to the template's columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, utcnow
from app.models.user import User
from app.models.values import ImportFormat, ImportState, one_of

# uploaded → checking → checked → committing → committed (→ undoing → undone); failed from the check
# or the commit (an undo that does not finish leaves the batch committed).
COUNTS = ("new", "updated", "unchanged", "rejected", "held")


class ImportSource(TimestampMixin, db.Model):
    """Where files come from in columns of their own (the business registration office, the tax office,
    an OCOP list): which template field each of their columns holds, mapped once by staff and offered
    again when a file with the same headers comes (app/imports/sources.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The kind of file it sends (app/imports/kinds: the registry, certified products, listings, …).
    kind: Mapped[str] = mapped_column(String(20), default="registry", server_default="registry")
    # {folded header: field, or null for a column not read}: a file whose headers are all keys is read alike
    mapping: Mapped[dict[str, str | None]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class ImportBatch(db.Model):
    __table_args__ = (
        one_of("state", ImportState),
        one_of("format", ImportFormat),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))  # as uploaded; shown, never used as a path
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(10))
    # What the file holds (app/imports/kinds): the registry's records, or certified products, listings,
    # labels or past assessment results beside them.
    kind: Mapped[str] = mapped_column(String(20), default="registry", server_default="registry")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    uploaded_by_label: Mapped[str] = mapped_column(String(100))  # e-mail, or "cli"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(20), default="checked")
    total_rows: Mapped[int] = mapped_column(default=0)
    new_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    rejected_count: Mapped[int] = mapped_column(default=0)
    held_count: Mapped[int] = mapped_column(default=0)
    # {"rejected": [{row, column, reason, value, name}], "held": [{row, code, name, commune, candidates}]}
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    # Progress of the background job (check or commit) that the page polls: rows done of rows in
    # the file, and when the job last reported, so that a job whose process died shows as stalled.
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The uploaded file, kept in the database until the batch is committed so that a commit needs no
    # re-upload and works on whichever server process answers it.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # A file in columns of its own: the field each column holds, {column index (as text): field or null},
    # as staff mapped it or a saved source read it; the check, its job and the commit read the file so.
    mapping: Mapped[dict[str, str | None] | None] = mapped_column(JSON)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("import_source.id"), index=True)

    uploaded_by: Mapped[User | None] = relationship()
    source: Mapped[ImportSource | None] = relationship()

    @property
    def provenance(self) -> str:
        return f"import:{self.id}"

    @property
    def was_checked(self) -> bool:
        """The check ran to the end (a file that could not be read has no report)."""
        return "rejected" in (self.report or {})

    @property
    def progress_percent(self) -> int:
        return min(100, round(100 * self.progress_done / self.progress_total)) if self.progress_total else 0

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, f"{name}_count") for name in COUNTS}
