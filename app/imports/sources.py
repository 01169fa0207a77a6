"""Uploaded files in columns of their own: kept while staff map their columns, read with the mapping,
and the mapping saved under the name of where the file comes from, to be offered for the next one.

Each kind of file (app/imports/kinds: the registry, certified products, …) is mapped to its own
template, and a source maps files of one kind: it is offered, and recognised, for files of that kind
only. A file whose header row is its kind's template is checked as before. Any other is stored as a batch that
waits for its mapping (state failed, error AWAITS_MAPPING, its file kept: nothing can commit it, and it
can be given up like any batch that failed), with its columns and a few values of each in its report,
so that the mapping page never reads the file again. Once mapped, the batch keeps the mapping
(`ImportBatch.mapping`) and the check, its background job and the commit read the file with it. A file
whose headers are all known to a saved source skips the page: it is checked at once, with that source.
Like the import services, each write is a unit of work of its own (app/imports/steps.py `writing`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import audit
from app.audit import Actor
from app.extensions import db
from app.imports import jobs, services
from app.imports.kinds import REGISTRY, kind_of
from app.imports.mapping import FileColumn, examine, problems, suggest
from app.imports.reading import FileError, sniff_format, stored_name
from app.imports.steps import writing
from app.models import ImportBatch, ImportSource
from app.models.base import utcnow
from app.models.imports import COUNTS
from app.text import fold, normalize

AWAITS_MAPPING = "awaits_mapping"  # the error of a batch whose columns are still to be mapped
NAME_LENGTH = 100
SOURCE_OF_ANOTHER_KIND = _l("A saved source of this name reads another kind of file: give these choices another name.")


def saved(kind: str = REGISTRY) -> list[ImportSource]:
    """The saved sources of files of a kind, by name."""
    return list(db.session.scalars(select(ImportSource).where(ImportSource.kind == kind).order_by(ImportSource.name)))


def named(name: str) -> ImportSource | None:
    """The saved source of that name, of any kind (names are matched folded, and unique)."""
    wanted = fold(normalize(name)[:NAME_LENGTH])
    return next((s for s in db.session.scalars(select(ImportSource)) if fold(s.name) == wanted), None)


def taken_by_another_kind(name: str, kind: str) -> bool:
    """The name is a saved source's that maps files of another kind: these choices cannot go under it."""
    source = named(name) if normalize(name) else None
    return source is not None and source.kind != kind


def known_by(source: ImportSource | None, columns: list[FileColumn]) -> dict[int, str | None]:
    """The choices `source` saved for the columns whose headers it knows."""
    if source is None:
        return {}
    return {c.index: source.mapping[c.key] for c in columns if c.key in source.mapping}


def recognise(columns: list[FileColumn], kind: str = REGISTRY) -> ImportSource | None:
    """The saved source of files of the kind that knows the most headers of the file, at least half of
    them (of two that know as many, the one that knows the fewest others): a file of the same source
    that gained or lost a column is still recognised. A file in the template's columns needs none."""
    keys = {c.key for c in columns}
    fits = [(len(keys & set(s.mapping)), -len(s.mapping), s.name, s) for s in saved(kind)]
    best = max(((known, rest, name, s) for known, rest, name, s in fits if 2 * known >= len(keys) > 0), default=None)
    return best[3] if best else None


@dataclass(frozen=True)
class Proposal:
    """What the mapping page shows selected: a field (or None) for each column, and where from."""

    chosen: dict[int, str | None]
    source: ImportSource | None  # the saved source whose choices are selected, if any
    recognised: bool  # that source knows every header of the file


def propose(batch: ImportBatch, columns: list[FileColumn]) -> Proposal:
    """The batch's own mapping when it has one; else the choices of the source picked at upload, or
    of the saved source that knows the headers, and suggestions for the columns it does not know."""
    if batch.mapping is not None:
        mapped = {int(index): field for index, field in batch.mapping.items()}
        return Proposal({c.index: mapped.get(c.index) for c in columns}, batch.source, False)
    source = batch.source or recognise(columns, batch.kind)
    taken = known_by(source, columns)
    chosen = suggest(columns, taken, kind_of(batch.kind))
    return Proposal(chosen, source, source is not None and len(taken) == len(columns))


def awaits_mapping(batch: ImportBatch) -> bool:
    """Stored, its columns not mapped yet (giving it up drops its file and changes its error)."""
    return batch.state == "failed" and batch.error == AWAITS_MAPPING


def can_map(batch: ImportBatch) -> bool:
    """A batch waiting for its mapping, or one read with a mapping and not committed: its mapping can change."""
    return (awaits_mapping(batch) or batch.mapping is not None and batch.state in ("checked", "failed")) and (
        batch.content is not None
    )


def columns_of(batch: ImportBatch) -> list[FileColumn]:
    """The batch's columns, as kept in its report; read again from its file once a check replaced it."""
    kept = (batch.report or {}).get("columns")
    if kept is None:
        return examine(batch.content or b"", kind_of(batch.kind))[1]
    return [FileColumn(c["index"], c["header"], tuple(c["samples"])) for c in kept]


def _kept(columns: list[FileColumn]) -> list[dict]:
    return [{"index": c.index, "header": c.header, "samples": list(c.samples)} for c in columns]


def receive(
    data: bytes, file_name: str, actor: Actor, source_id: int | None = None, kind: str = REGISTRY
) -> ImportBatch:
    """An uploaded file of a kind (the registry's records, certified products, …). In its template's
    columns, it is checked as before (in the background when large); in columns of its own, it waits for
    its mapping, unless the source picked (or the one saved for its headers), of the same kind, reads
    every column, and then it is checked at once. A file that cannot be read is refused with FileError,
    nothing stored (a large one is stored and its check fails, as before)."""
    file_name = stored_name(file_name)
    of_kind = kind_of(kind)
    background = jobs.needs_background(len(data))
    try:
        template, columns = examine(data, of_kind)
    except FileError:
        if not background:
            raise
        template, columns = True, []  # its check, in the background, fails the batch with the reason
    if template:
        if not background:
            return services.check_file(data, file_name, actor, kind=of_kind.key)
        batch = services.upload(data, file_name, actor, kind=of_kind.key)
        jobs.start(batch, "check", actor)
        return batch
    picked = db.session.get(ImportSource, source_id) if source_id else None
    source = (picked if picked is not None and picked.kind == of_kind.key else None) or recognise(columns, of_kind.key)
    batch = _hold(data, file_name, actor, columns, source, of_kind.key)
    taken = known_by(source, columns)
    if len(taken) == len(columns) and not problems(taken, of_kind):
        with writing():
            _take(batch, columns, taken, source)
        _check(batch, actor)
    return batch


def _hold(
    data: bytes, file_name: str, actor: Actor, columns: list[FileColumn], source: ImportSource | None, kind: str
) -> ImportBatch:
    """The file stored as a batch waiting for its mapping (see the module's docstring)."""
    return services.new_batch(
        data,
        file_name,
        sniff_format(data),
        actor,
        keep=True,
        state="failed",
        kind=kind,
        error=AWAITS_MAPPING,
        report={"columns": _kept(columns)},
        source_id=source.id if source else None,
    )


def map_columns(
    batch: ImportBatch, columns: list[FileColumn], chosen: dict[int, str | None], actor: Actor, source_name: str = ""
) -> ImportBatch:
    """Read the batch's file with `chosen` {column index → field or None} (which `problems` accepts),
    save the choices under `source_name` when one is given, as a source of files of the batch's kind,
    and check the file (FileError, Failed)."""
    with writing():
        name = normalize(source_name)[:NAME_LENGTH]
        source = _save(name, columns, chosen, actor, batch.kind) if name else None
        _take(batch, columns, chosen, source)
    _check(batch, actor)
    return batch


def _save(name: str, columns: list[FileColumn], chosen: dict[int, str | None], actor: Actor, kind: str) -> ImportSource:
    """The source named `name` (its name matched folded), of files of `kind`, knows these headers from
    now on; audited. A source of that name that maps another kind refuses them (FileError)."""
    choices = {c.key: chosen.get(c.index) for c in columns}
    source = named(name)
    if source is not None and source.kind != kind:
        raise FileError("source_kind", SOURCE_OF_ANOTHER_KIND)
    if source is None:
        source = ImportSource(
            name=name, kind=kind, mapping=choices, created_by_id=actor.user_id, updated_by_id=actor.user_id
        )
        db.session.add(source)
        db.session.flush()
        audit.record(
            actor, "create", "import_source", source.id, None, {"name": name, "kind": kind, "mapping": choices}
        )
    elif {**source.mapping, **choices} != source.mapping:
        before = {"mapping": source.mapping}
        source.mapping = {**source.mapping, **choices}
        source.updated_by_id = actor.user_id
        db.session.flush()
        audit.record(actor, "update", "import_source", source.id, before, {"mapping": source.mapping})
    return source


def _take(
    batch: ImportBatch, columns: list[FileColumn], chosen: dict[int, str | None], source: ImportSource | None
) -> None:
    """Give the batch its mapping and make it wait for its check: one conditional UPDATE, so that a
    batch a job works on, or one committed meanwhile, is left alone (FileError)."""
    taken = db.session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.id == batch.id,
            ImportBatch.state.in_(("checked", "failed")),
            ImportBatch.content.is_not(None),
        )
        .values(
            state="uploaded",
            error=None,
            mapping={str(index): field for index, field in sorted(chosen.items())},
            source_id=source.id if source else None,
            report={"columns": _kept(columns)},
            **{f"{name}_count": 0 for name in COUNTS},
            total_rows=0,
            progress_done=0,
            heartbeat_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise FileError("state", _l("This batch is being checked, or was committed: its columns cannot change now."))


def _check(batch: ImportBatch, actor: Actor) -> None:
    db.session.refresh(batch)
    if jobs.needs_background(len(batch.content or b"")):
        jobs.start(batch, "check", actor)
    else:
        services.run_check(batch)
