"""Review queue: what owners and the public submitted, approved or rejected with a reason."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.auth.permissions import staff_required
from app.domain.startup import startup_window_ends
from app.edge import attempt
from app.extensions import db
from app.i18n import local_today
from app.models import Product, ReviewRequest
from app.models.values import ReviewKind
from app.registry import documents, records, reviews
from app.workspace import setup, workspace_bp
from app.workspace.forms import RejectForm

KINDS = {
    ReviewKind.REGISTRATION: _l("New listings"),
    ReviewKind.CLAIM: _l("Claims"),
    ReviewKind.LEGAL_EDIT: _l("Changes to registered facts"),
    ReviewKind.CERTIFICATION: _l("Certified products"),
    ReviewKind.FLAG: _l("Labels"),
    ReviewKind.REPORT: _l("Reports of incorrect information"),
}
APPROVED = {  # said once a request is approved: what, for which enterprise
    ReviewKind.REGISTRATION: _l("The new listing of %(name)s is approved and published."),
    ReviewKind.CLAIM: _l("The claim to act for %(name)s is approved."),
    ReviewKind.LEGAL_EDIT: _l("The change to the registered facts of %(name)s is approved and applied."),
    ReviewKind.CERTIFICATION: _l("The certified product of %(name)s is verified."),
    ReviewKind.FLAG: _l("The label asked for by %(name)s is granted."),
    ReviewKind.REPORT: _l("The report about %(name)s is closed."),
}


@workspace_bp.get("/")
@staff_required
def home():
    """The department's tools in one place (the menu holds a single entry for them), and the first
    week's checklist while any step of the setup is left."""
    pending = db.session.scalar(select(func.count()).select_from(ReviewRequest).where(ReviewRequest.state == "pending"))
    return render_template("workspace/home.html", pending=pending, steps=setup.checklist())


@workspace_bp.get("/duyet")
@staff_required
def queue():
    kind = request.args.get("kind", "")
    query = (
        select(ReviewRequest)
        .where(ReviewRequest.state == "pending")
        .options(joinedload(ReviewRequest.enterprise), joinedload(ReviewRequest.requested_by))
    )
    if kind in KINDS:
        query = query.where(ReviewRequest.kind == kind)
    items = db.session.scalars(query.order_by(ReviewRequest.created_at).limit(100)).all()
    counts = dict(
        db.session.execute(
            select(ReviewRequest.kind, func.count())
            .where(ReviewRequest.state == "pending")
            .group_by(ReviewRequest.kind)
        ).all()
    )
    products = _products_of(items)
    unchecked, awaiting = reviews.labels_awaiting_check()  # labels no request asks about, also waiting
    counts[ReviewKind.FLAG] = counts.get(ReviewKind.FLAG, 0) + unchecked
    if kind not in ("", ReviewKind.FLAG):
        unchecked, awaiting = 0, []
    return render_template(
        "workspace/queue.html",
        items=items,
        unchecked=unchecked,
        awaiting=awaiting,
        counts=counts,
        kinds=KINDS,
        kind=kind,
        products=products,
        evidence=documents.of_reviews(i.id for i in items),
        names_agree=reviews.names_agree,
        startup_window_ends=startup_window_ends,
        today=local_today(),
        field_label=records.field_label,
        display_value=records.display_value,
    )


def _products_of(items: list[ReviewRequest]) -> dict[int, Product]:
    """The products that requests to verify a certificate name, by id."""
    ids = [i.payload.get("product_id") for i in items if i.kind == "certification"]
    return {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))} if ids else {}


def _pending(review_id: int) -> ReviewRequest:
    return db.session.get(ReviewRequest, review_id) or abort(404)


@workspace_bp.post("/duyet/<int:review_id>")
@staff_required
def decide(review_id: int):
    """Approve at once; a rejection is asked first, with its reason, on a page of its own."""
    review = _pending(review_id)
    kind = request.form.get("kind") or None
    if request.form.get("decision") != "approve":
        return redirect(url_for("workspace.reject", review_id=review.id, kind=kind), 303)
    reason = (request.form.get("reason") or "").strip()[:1000] or None
    with attempt():
        reviews.decide(review, current_user, True, reason)
        told = _("The person who asked is told by e-mail and in their inbox.") if review.requested_by else ""
        flash(f"{str(APPROVED[review.kind]) % {'name': review.enterprise.name}} {told}".strip(), "success")
    return redirect(url_for("workspace.queue", kind=kind))


@workspace_bp.route("/duyet/<int:review_id>/tu-choi", methods=["GET", "POST"])
@staff_required
def reject(review_id: int):
    """Ask before rejecting: what stays as it is, who is told, and the reason they will read."""
    review = _pending(review_id)
    kind = request.values.get("kind") or None
    if review.state != "pending":
        flash(str(reviews.ReviewError("already_decided").message), "error")
        return redirect(url_for("workspace.queue", kind=kind))
    form = RejectForm()
    if form.validate_on_submit():
        with attempt(form):
            reviews.decide(review, current_user, False, form.reason.data.strip())
            if review.requested_by is not None:
                done = _(
                    "The request is not approved. %(name)s is told by e-mail and in their inbox, with your reason. "
                    "A decision cannot be taken back: if it was a mistake, ask them to send the request again.",
                    name=review.requested_by.full_name,
                )
            else:
                done = _("The report is closed. Nobody is told: it was sent without an account.")
            flash(done, "success")
            return redirect(url_for("workspace.queue", kind=kind))
    return render_template(
        "workspace/reject.html",
        r=review,
        form=form,
        kind=kind or "",
        kinds=KINDS,
        products=_products_of([review]),
        evidence=documents.of_reviews([review.id]),
        names_agree=reviews.names_agree,
        startup_window_ends=startup_window_ends,
        today=local_today(),
        field_label=records.field_label,
        display_value=records.display_value,
    ), 422 if form.errors else 200
