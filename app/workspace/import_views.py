"""Bulk import pages: upload, the mapping of a file's columns, dry run, commit, history, error report,
undo, template download; for every kind of file (app/imports/kinds), the registry's by default."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.auth.permissions import staff_required
from app.exports import csv_response, xlsx_response
from app.extensions import db
from app.imports import failures, jobs, services, sources
from app.imports.kinds import KINDS, REGISTRY, kind_of
from app.imports.mapping import needed, problems
from app.imports.reasons import message
from app.models import ImportBatch
from app.models.values import RUNNING_IMPORT_STATES
from app.workspace import workspace_bp
from app.workspace.forms import MappingForm

SHOWN_ROWS = 500
REFRESH_SECONDS = 2  # how often the page of a running job reloads itself
STATE_LABELS = {
    "uploaded": _l("Waiting for its check"),
    "checking": _l("Being checked"),
    "checked": _l("Checked, not committed"),
    "committing": _l("Being committed"),
    "committed": _l("Committed"),
    "undoing": _l("Being undone"),
    "undone": _l("Undone"),
    "failed": _l("Failed"),
}
AWAITING_LABEL = _l("Waiting for its columns to be mapped")
GIVEN_UP_LABEL = _l("Given up")


def state_label(batch: ImportBatch) -> str:
    if sources.awaits_mapping(batch):
        return AWAITING_LABEL
    if batch.state == "failed" and failures.is_given_up(batch.error):
        return GIVEN_UP_LABEL
    return STATE_LABELS[batch.state]


def _batch(batch_id: int) -> ImportBatch:
    return db.session.get(ImportBatch, batch_id) or abort(404)


def _upload_page(kind_key: str) -> str:
    """The upload page of a kind (the registry's without `?kind=`)."""
    return url_for("workspace.import_upload", kind=None if kind_key == REGISTRY else kind_key)


@workspace_bp.get("/nhap")
@staff_required
def import_upload():
    """Choose what the file holds (one page per kind: its guide, template and saved sources), then upload it."""
    kind = kind_of(request.args.get("kind"))
    return render_template(
        "workspace/import_upload.html",
        kind=kind,
        kinds=KINDS.values(),
        columns=kind.guide,
        needed=needed(kind),
        sources=sources.saved(kind.key),
        page_of=_upload_page,
    )


@workspace_bp.post("/nhap")
@staff_required
def import_check():
    kind = kind_of(request.form.get("kind"))
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    if not data:
        flash(_("Choose a CSV or XLSX file."), "error")
        return redirect(_upload_page(kind.key))
    source = request.form.get("source", "")
    try:
        batch = sources.receive(
            data,
            upload.filename or "",
            audit.Actor.of(current_user),
            int(source) if source.isdigit() else None,
            kind.key,
        )
    except services.FileError as e:
        flash(str(e.message), "error")
        if isinstance(e, services.Failed):  # stored, then failed for a reason of its own: its page offers it again
            return redirect(url_for("workspace.import_batch", batch_id=e.batch_id))
        return redirect(_upload_page(kind.key))
    if sources.awaits_mapping(batch):
        return redirect(url_for("workspace.import_mapping", batch_id=batch.id))
    return redirect(url_for("workspace.import_batch", batch_id=batch.id))


@workspace_bp.route("/nhap/<int:batch_id>/ghep-cot", methods=["GET", "POST"])
@staff_required
def import_mapping(batch_id: int):
    """Say which template field each column of a file in columns of its own holds, then check it."""
    batch = _batch(batch_id)
    if not sources.can_map(batch):
        flash(_("The columns of this batch cannot change now: it is being checked, or was committed."), "error")
        return redirect(url_for("workspace.import_batch", batch_id=batch_id))
    try:
        columns = sources.columns_of(batch)
    except services.FileError as e:
        flash(str(e.message), "error")
        return redirect(url_for("workspace.import_batch", batch_id=batch_id))
    kind = kind_of(batch.kind)
    proposal = sources.propose(batch, columns)
    form = MappingForm.for_columns(columns, proposal.chosen, kind, proposal.source.name if proposal.source else "")
    if form.validate_on_submit():
        chosen = form.chosen(columns)
        found = problems(chosen, kind)
        name_taken = sources.taken_by_another_kind(form.source_name.data or "", kind.key)
        if not found and not name_taken:
            actor = audit.Actor.of(current_user)
            try:
                sources.map_columns(batch, columns, chosen, actor, form.source_name.data or "")
            except services.FileError as e:
                flash(str(e.message), "error")
            return redirect(url_for("workspace.import_batch", batch_id=batch_id))
        form.show(found, columns, kind, name_taken)
    return render_template(
        "workspace/import_mapping.html",
        batch=batch,
        kind=kind,
        needed=needed(kind),
        rows=[(c, form[f"column_{c.index}"]) for c in columns],
        form=form,
        proposal=proposal,
        awaiting=sources.awaits_mapping(batch),
    ), (422 if form.errors else 200)


@workspace_bp.get("/nhap/<int:batch_id>")
@staff_required
def import_batch(batch_id: int):
    batch = _batch(batch_id)
    if sources.awaits_mapping(batch):
        return redirect(url_for("workspace.import_mapping", batch_id=batch_id))
    rejected = batch.report.get("rejected", [])
    return render_template(
        "workspace/import_batch.html",
        batch=batch,
        kind=kind_of(batch.kind),
        state_label=state_label(batch),
        can_map=sources.can_map(batch),
        rejected=rejected[:SHOWN_ROWS],
        more=max(len(rejected) - SHOWN_ROWS, 0),
        held=batch.report.get("held", []),
        message=message,
        states=STATE_LABELS,
        stalled=services.is_stalled(batch),
        running=batch.state in RUNNING_IMPORT_STATES,
        can_commit=services.can_commit(batch),
        check_again=services.can_check_again(batch),
        failure=failures.message(batch.error),
        refresh=REFRESH_SECONDS,
    )


@workspace_bp.get("/nhap/<int:batch_id>/tien-do.json")
@staff_required
def import_progress(batch_id: int):
    """The job's state for scripts and monitors (the page itself reloads without JavaScript)."""
    batch = _batch(batch_id)
    return {
        "id": batch.id,
        "state": batch.state,
        "done": batch.progress_done,
        "total": batch.progress_total,
        "percent": batch.progress_percent,
        "stalled": services.is_stalled(batch),
        "counts": batch.counts(),
    }


@workspace_bp.post("/nhap/<int:batch_id>/chay-lai")
@staff_required
def import_restart(batch_id: int):
    """Start again a check or an undo whose process stopped before it finished, or a check that failed
    for a reason of its own (the connection lost: `failures`); a commit is started again by committing
    the batch. The job first takes back whatever the stopped one had written."""
    batch = _batch(batch_id)
    check = batch.state in ("uploaded", "checking") or services.can_check_again(batch)
    if check and services.take_on(batch, "uploaded"):
        jobs.start(batch, "check", audit.Actor.of(current_user))
    elif batch.state == "undoing" and services.take_on(batch, "undoing"):
        jobs.start(batch, "undo", audit.Actor.of(current_user))
    return redirect(url_for("workspace.import_batch", batch_id=batch_id))


@workspace_bp.post("/nhap/<int:batch_id>/bo")
@staff_required
def import_abandon(batch_id: int):
    """Give up a batch that will not be committed (its job stopped, or staff decided against it)."""
    batch = _batch(batch_id)
    actor = audit.Actor.of(current_user)
    if batch.state == "committing" and services.can_abandon(batch):
        # a commit stopped half-way: what it wrote is taken back by a job, then the batch is given up
        if services.take_on(batch, "committing"):
            jobs.start(batch, "abandon", actor)
            flash(_("The batch is being given up: what the stopped commit had written is taken back."), "success")
            return redirect(url_for("workspace.import_batch", batch_id=batch_id))
    elif services.abandon(batch, actor):
        flash(_("The batch is given up; nothing of it was written."), "success")
    else:
        flash(_("This batch cannot be given up now: a job is working on it, or it was committed."), "error")
    return redirect(url_for("workspace.import_batch", batch_id=batch_id))


@workspace_bp.post("/nhap/<int:batch_id>/ghi")
@staff_required
def import_commit(batch_id: int):
    batch = _batch(batch_id)
    resolutions = {}
    for key, value in request.form.items():
        if key.startswith("commune-") and key[8:].isdigit() and value:
            resolutions[int(key[8:])] = value
    actor = audit.Actor.of(current_user)
    if jobs.needs_background(len(batch.content or b"")):
        if services.take_on(batch, "committing"):
            jobs.start(batch, "commit", actor, resolutions)
        else:
            flash(_("This batch was already committed or undone."), "error")
        return redirect(url_for("workspace.import_batch", batch_id=batch_id))
    try:
        services.commit_batch(batch, actor, resolutions)
        flash(
            _(
                "Import committed: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.",
                new=batch.new_count,
                updated=batch.updated_count,
                unchanged=batch.unchanged_count,
            ),
            "success",
        )
    except services.FileError as e:
        flash(str(e.message), "error")
    except Exception:  # noqa: BLE001 — the batch records the error; the registry is unchanged
        flash(_("The import failed and nothing was changed. The error is recorded with the batch."), "error")
    return redirect(url_for("workspace.import_batch", batch_id=batch_id))


@workspace_bp.get("/nhap/<int:batch_id>/hoan-tac")
@staff_required
def import_undo_confirm(batch_id: int):
    """Ask before undoing: what the undo takes back, and whether a record changed since refuses it."""
    batch = _batch(batch_id)
    if batch.state != "committed":
        flash(_("Only a committed batch can be undone."), "error")
        return redirect(url_for("workspace.import_batch", batch_id=batch_id))
    return render_template(
        "workspace/import_undo.html",
        batch=batch,
        touched=services.changed_since_import(batch),
        background=batch.new_count + batch.updated_count > current_app.config["IMPORT_UNDO_BACKGROUND_ROWS"],
    )


@workspace_bp.post("/nhap/<int:batch_id>/hoan-tac")
@staff_required
def import_undo(batch_id: int):
    batch = _batch(batch_id)
    actor = audit.Actor.of(current_user)
    if batch.new_count + batch.updated_count > current_app.config["IMPORT_UNDO_BACKGROUND_ROWS"]:
        if services.take_on(batch, "undoing"):
            jobs.start(batch, "undo", actor)
        else:
            flash(_("Only a committed batch can be undone."), "error")
        return redirect(url_for("workspace.import_batch", batch_id=batch_id))
    try:
        count = services.undo(batch, actor)
        flash(
            _(
                "Import undone: %(count)s records restored or withdrawn. To bring them back, import the same file "
                "again.",
                count=count,
            ),
            "success",
        )
    except services.UndoRefused as e:
        flash(
            _("This import cannot be undone: these records were changed since: %(keys)s.", keys=", ".join(e.touched)),
            "error",
        )
    except services.FileError as e:
        flash(str(e.message), "error")
    except Exception:  # noqa: BLE001 — the batch records the error; what the undo did is taken back
        flash(_("The last undo failed and changed nothing. The error is recorded with the batch."), "error")
    return redirect(url_for("workspace.import_batch", batch_id=batch_id))


@workspace_bp.get("/nhap/<int:batch_id>/loi.csv")
@staff_required
def import_errors(batch_id: int):
    batch = _batch(batch_id)
    header = [_("Row"), _("Column"), _("Reason"), _("Explanation"), _("Value"), _("Registered name")]
    rows = (
        [r["row"], r["column"], r["reason"], message(r["reason"], r["value"], r["column"]), r["value"], r["name"]]
        for r in batch.report.get("rejected", [])
    )
    return csv_response(f"nhap-{batch.id}-loi.csv", header, rows)


@workspace_bp.get("/nhap/mau.<fmt>")
@staff_required
def import_template(fmt: str):
    """The template of a kind of file (`?kind=`, the registry's by default): its headers and an example row."""
    kind = kind_of(request.args.get("kind"))
    header, example = [c.header for c in kind.guide], [c.example for c in kind.guide]
    name = "mau-nhap-" + ("doanh-nghiep" if kind.key == REGISTRY else kind.key)
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, [example])
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, [example])
    abort(404)


@workspace_bp.get("/nhap/lich-su")
@staff_required
def import_history():
    """The last imports, of every kind or of the one `?kind=` names."""
    chosen = request.args.get("kind")
    kind = KINDS[chosen] if chosen in KINDS else None
    query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(200)
    if kind is not None:
        query = query.where(ImportBatch.kind == kind.key)
    return render_template(
        "workspace/import_history.html",
        batches=db.session.scalars(query).all(),
        state_label=state_label,
        kinds=KINDS.values(),
        kind=kind,
        kind_of=kind_of,
    )
