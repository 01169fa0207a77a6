"""The demo's files brought in through the imports, kind by kind, as a department brings its own.

Each file goes through `app.imports.services.import_file` — what `flask registry import` runs: the
dry run's checks, the steps, all or nothing, one audit event per row with the batch as provenance,
the records' dated history — under the demo's actor. A row refused is a fault of the demo (or of
the kind): the load stops and says which rows and why. With a folder, each file is kept there under
the name it was imported with, to be looked at or imported again by hand (`flask registry import
FILE --kind KIND`); the number in front of each name is the order they go in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update

from app import audit
from app.demo.accounts import DEMO_ACTOR
from app.extensions import db
from app.imports import services as imports
from app.imports.reading import sniff_format
from app.imports.reasons import message
from app.models import Enterprise, ImportBatch

IMPORTED = "import"  # the provenance the registry's import gives a new record


@dataclass(frozen=True)
class Imported:
    kind: str
    file_name: str
    batch_id: int
    rows: int
    new: int
    updated: int


class DemoImportFailed(RuntimeError):
    """A demo file that its kind refused in part: the rows and the reasons, as the batch reports them."""

    def __init__(self, batch: ImportBatch):
        rows = batch.report.get("rejected", [])[:5] + batch.report.get("held", [])[:5]
        said = "; ".join(
            f"row {r['row']}, {r.get('column', 'ma_xa')}: {message(r['reason'], r['value'], r['column'])} [{r['value']}]"
            if "reason" in r
            else f"row {r['row']}: held, {r['commune']}"
            for r in rows
        )
        super().__init__(
            f"The demo's file {batch.file_name} ({batch.kind}) was not imported whole: batch {batch.id} "
            f"{batch.state}, {batch.rejected_count or 0} row(s) rejected, {batch.held_count or 0} held. {said}"
        )


@dataclass
class Files:
    """The files of one load and the batches they became (``folder``: where to keep them, if anywhere)."""

    folder: Path | None = None
    imported: list[Imported] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def bring(self, kind: str, data: bytes) -> ImportBatch:
        """Import one file whole (each row of it taken, none held), or raise DemoImportFailed."""
        name = f"{len(self.imported) + 1}-{kind}.{sniff_format(data)}"
        if self.folder is not None:
            (self.folder / name).write_bytes(data)
        batch = imports.import_file(data, name, DEMO_ACTOR, kind=kind)
        if batch.state != "committed" or batch.rejected_count or batch.held_count:
            raise DemoImportFailed(batch)
        self.imported.append(Imported(kind, name, batch.id, batch.total_rows, batch.new_count, batch.updated_count))
        return batch


@dataclass(frozen=True)
class Record:
    id: int
    public_key: str  # on the site (a household business's is made by the import)
    size_tier: str  # as the import sized it


def records_of(batch: ImportBatch) -> dict[str, Record]:
    """The records a registry batch made, by the key the files name them with (their enterprise code,
    or a household business's personal ID)."""
    query = select(
        Enterprise.id, Enterprise.code, Enterprise.personal_id, Enterprise.public_key, Enterprise.size_tier
    ).where(Enterprise.provenance_ref == str(batch.id))
    return {code or personal: Record(id_, key, tier) for id_, code, personal, key, tier in db.session.execute(query)}


def mark_as_demo(batch: ImportBatch, provenance: str) -> int:
    """The records the batch made say they are made up (``provenance``: the demo's), so that no page
    can take them for the department's; the batch stays their reference and their audit trail's
    provenance. Audited once, on the batch (executes only)."""
    changed = db.session.execute(
        update(Enterprise)
        .where(Enterprise.provenance == IMPORTED, Enterprise.provenance_ref == str(batch.id))
        .values(provenance=provenance)
        .execution_options(synchronize_session=False)
    ).rowcount
    audit.record(
        DEMO_ACTOR, "update", "import_batch", batch.id, {"records": IMPORTED}, {"records": provenance}, provenance
    )
    return changed
