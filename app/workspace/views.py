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
from app.registry import records, reviews
from app.workspace import workspace_bp

KINDS = {
    "registration": _l("New listings"),
    "claim": _l("Claims"),
    "legal_edit": _l("Changes to registered facts"),
    "certification": _l("Certified products"),
    "flag": _l("Labels"),
    "report": _l("Reports of incorrect information"),
}


@workspace_bp.get("/")
@staff_required
def home():
    """The department's tools in one place (the menu holds a single entry for them)."""
    pending = db.session.scalar(select(func.count()).select_from(ReviewRequest).where(ReviewRequest.state == "pending"))
    return render_template("workspace/home.html", pending=pending)


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
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(
                Product.id.in_([i.payload.get("product_id") for i in items if i.kind == "certification"])
            )
        )
    }
    return render_template(
        "workspace/queue.html",
        items=items,
        counts=counts,
        kinds=KINDS,
        kind=kind,
        products=products,
        startup_window_ends=startup_window_ends,
        today=local_today(),
        field_label=records.field_label,
        display_value=records.display_value,
    )


@workspace_bp.post("/duyet/<int:review_id>")
@staff_required
def decide(review_id: int):
    review = db.session.get(ReviewRequest, review_id) or abort(404)
    approve = request.form.get("decision") == "approve"
    reason = (request.form.get("reason") or "").strip()[:1000] or None
    if not approve and not reason:
        flash(_("Give a reason when you reject: it is sent to the person who asked."), "error")
        return redirect(url_for("workspace.queue", kind=request.form.get("kind", "")))
    with attempt():
        reviews.decide(review, current_user, approve, reason)
        flash(_("Decision saved and sent."), "success")
    return redirect(url_for("workspace.queue", kind=request.form.get("kind", "")))
