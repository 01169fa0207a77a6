"""Owners' pages: register a listing, claim one, edit it, add certified products and where they sell."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from app import audit
from app.auth.permissions import can_manage
from app.directory import directory_bp, forms, owner, profiles
from app.edge import attempt
from app.extensions import db, limiter
from app.i18n import fmt_date
from app.models import Document, Enterprise, Listing, Platform, Product
from app.registry import documents, reviews
from app.registry.services import is_public_record


def managed_enterprise(key: str) -> Enterprise:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.public_key == key))
    if enterprise is None or enterprise.merged_into_id is not None:
        abort(404)  # a merged duplicate lives on in the record kept: its owners act there
    if not can_manage(current_user, enterprise):
        abort(403)
    return enterprise


@directory_bp.route("/doanh-nghiep/dang-ky", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form = forms.EnterpriseForm()
    forms.fill_choices(form)
    if form.validate_on_submit():
        with attempt(form):
            fields = owner.read_enterprise_form(form.data)
            enterprise = reviews.register_enterprise(current_user, fields)
            _say_what_the_commune_became(form)
            flash(_("Thank you. The department will check the listing and tell you by e-mail."), "success")
            return redirect(url_for("directory.mine", created=enterprise.public_key))
    return render_template("directory/register.html", form=form), 422 if form.errors else 200


def _say_what_the_commune_became(form) -> None:
    note = owner.commune_note(form.data)
    if note:
        flash(note, "info")


@directory_bp.get("/doanh-nghiep/cua-toi")
@login_required
def mine():
    return render_template("directory/mine.html", memberships=owner.memberships(current_user))


@directory_bp.route("/doanh-nghiep/<key>/nhan", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def claim(key: str):
    enterprise = profiles.get_public(key) or abort(404)
    refusal = reviews.claim_refusal(current_user, enterprise) if request.method == "GET" else None
    if refusal is not None:  # not offered on the profile either: the way back says why (a POST: the form)
        flash(str(reviews.ReviewError(refusal).message), "error")
        return redirect(url_for("directory.mine" if refusal == "already_claimed" else "directory.profile", key=key))
    form = forms.ClaimForm()
    if form.validate_on_submit():
        with attempt(form):
            document = documents.read_upload(form.document.data)
            reviews.claim(current_user, enterprise, form.evidence.data, form.representative.data, document)
            flash(_("Your claim is sent. The department will check it and tell you by e-mail."), "success")
            return redirect(url_for("directory.mine"))
    return render_template("directory/claim.html", form=form, e=enterprise)


@directory_bp.route("/doanh-nghiep/<key>/sua", methods=["GET", "POST"])
@login_required
def edit(key: str):
    enterprise = managed_enterprise(key)
    form = forms.OwnerEditForm(obj=enterprise if request.method == "GET" else None)
    forms.fill_choices(form)
    del form.code, form.personal_id
    if not enterprise.is_household:  # a company's address is public: nothing to choose
        del form.is_address_public
    if request.method == "GET":
        form.revenue_vnd.data = enterprise.revenue_vnd
        form.capital_vnd.data = enterprise.capital_vnd
        form.funding_sought_vnd.data = enterprise.funding_sought_vnd
    if form.validate_on_submit():
        with attempt(form):
            fields = owner.read_enterprise_form(form.data, existing=enterprise)
            changed, review = reviews.edit(current_user, enterprise, fields)
            _say_what_the_commune_became(form)
            if review:
                flash(
                    _(
                        "Descriptive changes are published. Changes to registered facts wait for the department's check."
                    ),
                    "success",
                )
            else:
                flash(_("Your changes are published."), "success")
            return redirect(
                url_for("directory.profile", key=enterprise.public_key)
                if is_public_record(enterprise)
                else url_for("directory.mine")
            )
    return render_template("directory/edit.html", form=form, e=enterprise), 422 if form.errors else 200


@directory_bp.route("/doanh-nghiep/<key>/danh-hieu", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def request_label(key: str):
    """Ask the department for the digital-technology or startup label, with evidence."""
    enterprise = managed_enterprise(key)
    form = forms.LabelForm()
    if form.validate_on_submit():
        with attempt(form):
            reviews.request_label(current_user, enterprise, form.label.data, form.evidence.data)
            flash(_("Your request is sent. The department will check the evidence and tell you by e-mail."), "success")
            return redirect(url_for("directory.mine"))
    return render_template("directory/label.html", form=form, e=enterprise), 422 if form.errors else 200


def _listing_form() -> forms.ListingForm:
    listing_form = forms.ListingForm(prefix="listing")
    listing_form.platform_code.choices = [
        (p.code, p.name) for p in db.session.scalars(select(Platform).order_by(Platform.name))
    ]
    return listing_form


def _products_page(enterprise: Enterprise, form, listing_form, withdrawal: dict | None = None):
    """The products page; ``withdrawal`` is a refused withdraw form (its product, what was typed, why)."""
    failed = form.errors or listing_form.errors or withdrawal
    return render_template(
        "directory/products.html",
        e=enterprise,
        form=form,
        listing_form=listing_form,
        check_form=forms.ListingCheckForm(),
        withdrawal=withdrawal or {},
        evidence=documents.of_products(p.id for p in enterprise.products),
    ), 422 if failed else 200


@directory_bp.route("/doanh-nghiep/<key>/san-pham", methods=["GET", "POST"])
@login_required
def products(key: str):
    enterprise = managed_enterprise(key)
    form = forms.ProductForm(prefix="product")
    listing_form = _listing_form()
    if request.method == "POST" and "product-name" in request.form and form.validate():
        with attempt(form):
            document = documents.read_upload(form.document.data)
            product = owner.add_product(enterprise, audit.Actor.of(current_user), form.data)
            reviews.declare_product(current_user, enterprise, product, document)
            flash(_("The product is added; the department will check its certificate."), "success")
            return redirect(url_for("directory.products", key=key))
    if request.method == "POST" and "listing-url" in request.form and listing_form.validate():
        product = db.session.get(Product, request.form.get("product_id", type=int))
        if product is None or product.enterprise_id != enterprise.id:
            abort(404)
        with attempt(listing_form):
            owner.add_listing(
                product, audit.Actor.of(current_user), listing_form.platform_code.data, listing_form.url.data
            )
            flash(_("The listing is added."), "success")
            return redirect(url_for("directory.products", key=key))
        listing_form.product_id = product.id
    return _products_page(enterprise, form, listing_form)


@directory_bp.post("/doanh-nghiep/<key>/san-pham/<int:product_id>/rut")
@login_required
def withdraw_product(key: str, product_id: int):
    """An owner (or staff) takes a product off the list from a day they give (today if blank), or puts
    a withdrawn one back. A refused day shows the page again with what was typed."""
    enterprise = managed_enterprise(key)
    product = db.session.get(Product, product_id)
    if product is None or product.enterprise_id != enterprise.id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    back = request.form.get("action") == "reinstate"
    typed = (request.form.get("on") or "").strip()
    day = None
    with attempt(shown=back) as outcome:  # putting back: a refusal is flashed
        if back:
            owner.reinstate_product(product, audit.Actor.of(current_user))
        else:
            day = owner.withdrawal_day(typed)
            owner.withdraw_product(product, audit.Actor.of(current_user), day)
    if outcome.failed and not back:
        refused = {"product_id": product.id, "typed": typed, "errors": [str(m) for m in outcome.error.errors.values()]}
        return _products_page(enterprise, forms.ProductForm(prefix="product"), _listing_form(), refused)
    if not outcome.failed:
        flash(
            _("%(name)s is back on the list.", name=product.name)
            if back
            else _("%(name)s is withdrawn: it no longer counts from %(day)s.", name=product.name, day=fmt_date(day))
            if day
            else _("%(name)s is withdrawn: it no longer counts from today.", name=product.name),
            "success",
        )
    return redirect(url_for("directory.products", key=key))


@directory_bp.post("/doanh-nghiep/<key>/gian-hang/<int:listing_id>/kiem-tra")
@login_required
def check_listing(key: str, listing_id: int):
    """An owner (or staff) confirms today that a listing still sells the product, or no longer does."""
    enterprise = managed_enterprise(key)
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.product.enterprise_id != enterprise.id:
        abort(404)
    form = forms.ListingCheckForm()
    if not form.validate_on_submit():
        abort(400)
    available = form.available.data == "yes"
    with attempt() as outcome:  # a refusal is flashed
        owner.check_listing(listing, audit.Actor.of(current_user), available)
    if outcome.failed:
        return redirect(url_for("directory.products", key=key))
    flash(
        _("Checked today: %(url)s is still selling the product.", url=listing.url)
        if available
        else _("Recorded: %(url)s no longer sells the product; it no longer counts as on e-commerce.", url=listing.url),
        "success",
    )
    return redirect(url_for("directory.products", key=key))


@directory_bp.route("/doanh-nghiep/<key>/bao-sai", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def report(key: str):
    enterprise = profiles.get_public(key) or abort(404)
    form = forms.ReportForm()
    if form.validate_on_submit():
        reviews.report(
            enterprise,
            current_user if current_user.is_authenticated else None,
            form.message.data,
            form.contact.data or None,
        )
        flash(_("Thank you. The department will look into it."), "success")
        return redirect(url_for("directory.profile", key=key))
    return render_template("directory/report.html", form=form, e=enterprise)


@directory_bp.get("/tai-lieu/<int:document_id>")
@login_required
def document(document_id: int):
    """A document an owner sent as evidence: to staff, to its sender and to those acting for the
    enterprise; not found for anyone else. Downloaded, never shown inside the site's pages."""
    found = db.session.get(Document, document_id)
    if found is None or not documents.may_see(current_user, found):
        abort(404)
    response = send_file(
        io.BytesIO(found.content), mimetype=found.media_type, as_attachment=True, download_name=found.file_name
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
