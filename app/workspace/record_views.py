"""The department's records: look one up in any state, correct it, take it out of the directory and
back, read its history; suggested duplicates and merges."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.assessment.results import attempt_title
from app.auth.permissions import staff_required
from app.dates import typed_day, typed_day_problem
from app.directory import owner
from app.directory.forms import fill_choices
from app.edge import attempt
from app.errors import FieldErrors
from app.extensions import db
from app.models import Enterprise
from app.reference.services import communes_in_order
from app.registry import duplicates, merge_undo, merges, record_history, records
from app.registry.services import get_by_public_key
from app.workspace import workspace_bp
from app.workspace.forms import StaffEditForm, WithdrawForm

SHOWN_PAIRS = 25  # the most certain first; each merge or dismissal brings the next one up
STAFF_FIELDS = (
    "status",
    "is_digital_tech",
    "digital_tech_basis",
    "is_startup",
    "startup_basis",
    "status_since",
    "resumes_on",
    "effective_on",
)


def _record(key: str) -> Enterprise:
    return get_by_public_key(key) or abort(404)


def _one_change(change, done: str) -> None:
    """Make one change; say that it is done, or why it was refused."""
    with attempt() as outcome:
        change()
    if not outcome.failed:
        flash(done, "success")


@workspace_bp.get("/ho-so")
@staff_required
def records_index():
    q, state = request.args.get("q", "")[:200], request.args.get("state", "")
    found = records.find(q, state) if (q or state) else []
    return render_template("workspace/records.html", q=q, state=state, found=found, states=records.RECORD_STATES)


@workspace_bp.get("/ho-so/<key>")
@staff_required
def record(key: str):
    enterprise = _record(key)
    merged_into = db.session.get(Enterprise, enterprise.merged_into_id) if enterprise.merged_into_id else None
    merge = merge_undo.last_merge(enterprise)
    return render_template(
        "workspace/record.html",
        e=enterprise,
        history=record_history.history(enterprise, attempt_title),
        spans=records.counted_spans(enterprise),
        states=records.RECORD_STATES,
        merged_into=merged_into,
        withdraw_form=WithdrawForm(),
        merge=merge,
        merge_blocker=merge_undo.undo_blocker(merge) if merge else None,
        merge_other=_other_side(merge, enterprise),
    )


def _other_side(merge, enterprise: Enterprise) -> Enterprise | None:
    if merge is None:
        return None
    return db.session.get(Enterprise, merge.duplicate_id if merge.kept_id == enterprise.id else merge.kept_id)


@workspace_bp.route("/ho-so/<key>/sua", methods=["GET", "POST"])
@staff_required
def record_edit(key: str):
    enterprise = _record(key)
    form = StaffEditForm(obj=enterprise if request.method == "GET" else None)
    fill_choices(form)
    del form.personal_id  # never shown, not even to staff, on this page
    if enterprise.code is None:
        del form.code  # a household business keeps its opaque public id
    if request.method == "GET":
        for name in ("revenue_vnd", "capital_vnd", "funding_sought_vnd"):
            getattr(form, name).data = getattr(enterprise, name)
    if form.validate_on_submit():
        with attempt(form):
            fields = owner.read_enterprise_form(form.data, existing=enterprise)
            fields.update({name: form.data[name] for name in STAFF_FIELDS})
            changed = records.staff_update(enterprise, audit.Actor.of(current_user), fields, form.note.data)
            if note := owner.commune_note(form.data):
                flash(note, "info")
            flash(_("The record is corrected.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("workspace.record", key=enterprise.public_key))
    return render_template("workspace/record_edit.html", form=form, e=enterprise), 422 if form.errors else 200


@workspace_bp.post("/ho-so/<key>/rut")
@staff_required
def record_withdraw(key: str):
    enterprise = _record(key)
    form = WithdrawForm()

    def withdraw():
        if not form.validate():
            raise records.RecordError(form.reason.errors[0])
        records.withdraw(enterprise, audit.Actor.of(current_user), form.reason.data)

    _one_change(withdraw, _("The record is out of the directory and the counts. It is kept and can be put back."))
    return redirect(url_for("workspace.record", key=key))


@workspace_bp.post("/ho-so/<key>/khoi-phuc")
@staff_required
def record_reinstate(key: str):
    enterprise = _record(key)
    _one_change(
        lambda: records.reinstate(enterprise, audit.Actor.of(current_user), request.form.get("reason")),
        _("The record is back in the directory."),
    )
    return redirect(url_for("workspace.record", key=key))


@workspace_bp.get("/trung-lap")
@staff_required
def duplicates_index():
    commune = request.args.get("commune", "")
    communes = communes_in_order()
    if commune not in {c.code for c in communes}:
        commune = ""
    choose = duplicates.needs_commune(commune or None)
    pairs, total = ([], 0) if choose else duplicates.suggested(commune or None, SHOWN_PAIRS)
    return render_template(
        "workspace/duplicates.html", pairs=pairs, total=total, communes=communes, commune=commune, choose=choose
    )


def _pair_from_form() -> tuple[Enterprise, Enterprise]:
    values = request.form if request.method == "POST" else request.args
    keep = db.session.get(Enterprise, values.get("keep", type=int) or 0)
    other = db.session.get(Enterprise, values.get("other", type=int) or 0)
    if keep is None or other is None:
        abort(404)
    return keep, other


@workspace_bp.route("/trung-lap/gop", methods=["GET", "POST"])
@staff_required
def duplicates_merge():
    """Ask before merging: what moves, which blanks are filled and from when the firm counts once,
    with a required note; then merge."""
    keep, other = _pair_from_form()
    commune = (request.form if request.method == "POST" else request.args).get("commune", "")
    try:
        preview = merges.preview(keep, other)
    except records.RecordError as e:
        flash(str(e.message), "error")
        return redirect(url_for("workspace.duplicates_index", commune=commune))
    note, errors = (request.form.get("note") or "").strip(), {}
    merge_from = "day" if request.form.get("merge_from") == "day" else "start"
    typed_day = (request.form.get("one_from") or "").strip()
    if request.method == "POST":
        with attempt(shown=False) as outcome:  # each refusal is shown beside its field
            merges.merge(keep, other, audit.Actor.of(current_user), note, _one_from(merge_from, typed_day, note))
            flash(
                _(
                    "%(other)s is merged into %(keep)s; both histories are kept. Until either record changes, "
                    "the merge can be undone from this page.",
                    other=other.public_key,
                    keep=keep.public_key,
                ),
                "success",
            )
            return redirect(url_for("workspace.record", key=keep.public_key))
        errors = {field or "": str(why) for field, why in outcome.error.errors.items()}  # "": the form's
    return render_template(
        "workspace/merge.html",
        keep=keep,
        other=other,
        preview=preview,
        note=note,
        errors=errors,
        merge_from=merge_from,
        typed_day=typed_day,
        commune=commune,
        field_label=records.field_label,
        display_value=records.display_value,
    ), (422 if errors else 200)


def _one_from(merge_from: str, typed: str, note: str) -> date | None:
    """The day staff gave from which the two records are one (None: from the start); a day that cannot
    be read is refused with the note's own refusal, if any, so that the form says both at once."""
    if merge_from != "day":
        return None
    try:
        return typed_day(typed)
    except ValueError:
        unreadable = {
            "one_from": (
                typed_day_problem(typed) or _("Give the date as dd/mm/yyyy (or yyyy-mm-dd), for example 31/12/2025.")
            )
            if typed.strip()
            else _("Give the day from which the duplicate stops counting.")
        }
        refused = merges.note_refusal(note)
        raise FieldErrors({"note": refused, **unreadable} if refused else unreadable) from None


@workspace_bp.post("/ho-so/<key>/tach")
@staff_required
def record_unmerge(key: str):
    """Undo the record's last merge: the duplicate comes back with what was moved from it."""
    enterprise = _record(key)
    merge = merge_undo.last_merge(enterprise) or abort(404)
    note = (request.form.get("note") or "").strip()
    with attempt() as outcome:
        duplicate = merge_undo.undo_merge(merge, audit.Actor.of(current_user), note)
    if outcome.failed:
        return redirect(url_for("workspace.record", key=key, note=note[:500]) + "#undo-merge")
    flash(
        _(
            "The merge is undone: %(key)s is a record of its own again, with what was moved from it.",
            key=duplicate.public_key,
        ),
        "success",
    )
    return redirect(url_for("workspace.record", key=key))


@workspace_bp.post("/trung-lap/khac-nhau")
@staff_required
def duplicates_dismiss():
    keep, other = _pair_from_form()
    duplicates.dismiss(keep, other, current_user.id)
    flash(_("Noted: these two will not be suggested again."), "success")
    return redirect(url_for("workspace.duplicates_index", commune=request.form.get("commune", "")))
