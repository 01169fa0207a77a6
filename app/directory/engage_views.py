"""Startups for investors, contact requests, follows, the inbox, providers' solution categories."""

from __future__ import annotations

from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import audit
from app.directory import contact, directory_bp, forms, owner, profiles, search
from app.directory.owner_views import managed_enterprise
from app.edge import attempt, writes
from app.extensions import db, limiter
from app.i18n import localized
from app.models import ContactRequest, VsicSection
from app.registry import reviews
from app.routing import add_alias, safe_next
from app.solutions import solution_categories


@directory_bp.get("/khoi-nghiep")
def startups():
    query = replace(search.Query.from_args(request.args), tech_or_startup=True)
    results = search.run(query)
    sections = {s.code: s for s in db.session.scalars(select(VsicSection))}
    followed = set()
    if current_user.is_authenticated:
        followed = {f.enterprise_id for f in contact.inbox_of(current_user)["follows"]}
    return render_template(
        "directory/startups.html",
        results=results,
        query=results.query,
        sections=sections,
        followed=followed,
        stages=dict(forms.STAGES),
    )


@directory_bp.post("/doanh-nghiep/<key>/theo-doi")
@login_required
def follow(key: str):
    enterprise = profiles.get_public(key) or abort(404)
    now_following = contact.toggle_follow(current_user, enterprise)
    flash(
        _("You follow %(name)s.", name=enterprise.name)
        if now_following
        else _("You no longer follow %(name)s.", name=enterprise.name),
        "success",
    )
    return redirect(safe_next(request.form.get("next"), url_for("directory.profile", key=key)))


@directory_bp.route("/doanh-nghiep/<key>/lien-he", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def contact_enterprise(key: str):
    """Write to an enterprise. When nobody manages its listing, the page says so before anything is
    sent and offers to send the message to the department instead, which passes it on."""
    enterprise = profiles.get_public(key) or abort(404)
    form = forms.ContactForm()
    managed = bool(contact.managers_of(enterprise))
    if form.validate_on_submit():
        with attempt(form):
            if not managed and request.form.get("to") == "department":
                reviews.report(
                    enterprise,
                    current_user,
                    f"{form.subject.data}\n\n{form.message.data}",
                    current_user.email,
                    about="contact",
                )
                flash(
                    _(
                        "Your message is sent to the department. It will try to reach %(name)s and answer you in "
                        "your inbox and by e-mail.",
                        name=enterprise.name,
                    ),
                    "success",
                )
                return redirect(url_for("directory.profile", key=key))
            contact.send_request(current_user, enterprise, form.subject.data, form.message.data)
            if managed:
                flash(_("Your message is sent. The enterprise will reply in your inbox."), "success")
            else:
                flash(
                    _(
                        "Your message is kept for the enterprise; nobody manages its listing yet, so a reply may take time."
                    ),
                    "warning",
                )
            return redirect(url_for("directory.profile", key=key))
    return render_template("directory/contact.html", form=form, e=enterprise, managed=managed)


@directory_bp.get("/tai-khoan/hop-thu")
@login_required
@writes
def inbox():
    contact.mark_read(current_user)
    boxes = contact.inbox_of(current_user)
    return render_template("directory/inbox.html", boxes=boxes, reply_form=forms.ReplyForm())


@directory_bp.post("/lien-he/<int:request_id>/tra-loi")
@login_required
def reply(request_id: int):
    found = db.session.get(ContactRequest, request_id) or abort(404)
    form = forms.ReplyForm()
    if not form.validate_on_submit():
        flash(_("Write your reply."), "error")
        return redirect(url_for("directory.inbox"))
    contact.reply(found, current_user, form.reply.data, form.reveal_email.data == "1")  # refusals: app/edge.py
    flash(_("Your reply is sent."), "success")
    return redirect(url_for("directory.inbox"))


@directory_bp.route("/doanh-nghiep/<key>/giai-phap", methods=["GET", "POST"])
@login_required
def solutions(key: str):
    """A digital-technology firm declares what it offers; assessment results point owners to it."""
    enterprise = managed_enterprise(key)
    if not enterprise.is_digital_tech:
        abort(404)
    categories = solution_categories()
    form = forms.SolutionsForm()
    form.categories.choices = [(code, localized(c["vi"], c["en"])) for code, c in categories.items()]
    if request.method == "GET":
        form.categories.data = sorted(owner.solutions_of(enterprise))
    if form.validate_on_submit():
        owner.set_solutions(enterprise, audit.Actor.of(current_user), set(form.categories.data or []) & set(categories))
        flash(_("Your solutions are saved."), "success")
        return redirect(url_for("directory.profile", key=key))
    return render_template("directory/solutions.html", form=form, e=enterprise)


add_alias(directory_bp, "/startups", "directory.startups")
