"""The department's review of what owners submit: new listings, claims, legal edits, certificates, reports.

Owners' requests go into one queue (ReviewRequest); a decision applies the change in the same
transaction and tells the requester by inbox and e-mail.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app import audit
from app.errors import ServiceError
from app.extensions import db
from app.models import Enterprise, Membership, Product, ReviewRequest, User
from app.models.base import today_local, utcnow
from app.models.values import DocumentPurpose, RecordState, ReviewKind, ReviewState, Role, Verification
from app.notify import notify
from app.registry import documents, history, product_history, services
from app.registry.latest import on_membership_verified
from app.text import fold, normalize

LEGAL_FIELDS = services.REGISTERED_FACTS  # they wait for the department's review
DESCRIPTIVE_FIELDS = ("description", "website", "email", "phone", "stage", "funding_sought_vnd", "is_address_public")


class ReviewError(ServiceError):
    MESSAGES = {
        "already_claimed": _l("You have already asked to act for this enterprise."),
        "managed": _l(
            "People the department verified already act for this enterprise. If something on the listing is "
            "wrong, report it to the department."
        ),
        "not_an_owner": _l("Only a business owner's account can claim an enterprise."),
        "unknown_label": _l("Choose the label to ask for."),
        "already_labelled": _l("This enterprise already has this label."),
        "already_requested": _l("This label was already asked for and waits for the department."),
        "already_decided": _l("This request was already decided."),
        "no_certification_date": _l(
            "This certificate has no certification date: correct the product before verifying it."
        ),
    }
    FIELDS = {"unknown_label": "label", "already_labelled": "label", "already_requested": "label"}

    def __init__(self, code: str):
        super().__init__(self.MESSAGES[code], field=self.FIELDS.get(code), code=code)


def request_review(kind: str, enterprise: Enterprise, user: User | None, payload: dict[str, Any]) -> ReviewRequest:
    review = ReviewRequest(
        kind=kind, enterprise_id=enterprise.id, requested_by_id=user.id if user else None, payload=payload
    )
    db.session.add(review)
    db.session.flush()
    return review


def register_enterprise(user: User, fields: dict[str, Any]) -> Enterprise:
    """A new listing by its owner: kept out of the directory until the department approves it."""
    enterprise = services.create_enterprise(
        audit.Actor.of(user), "registration", str(user.id), record_state="pending", **fields
    )
    db.session.add(
        Membership(
            user_id=user.id, enterprise_id=enterprise.id, claim_state="pending", evidence="registered the enterprise"
        )
    )
    request_review(ReviewKind.REGISTRATION, enterprise, user, {})
    return enterprise


def claim_refusal(user: User | None, enterprise: Enterprise) -> str | None:
    """Why this person may not claim the enterprise (a ReviewError code), or None when they may (a
    visitor who is not signed in may: they sign in or register first)."""
    if user is not None and user.is_authenticated and user.role != Role.OWNER:
        return "not_an_owner"
    if user is not None and user.is_authenticated and any(m.enterprise_id == enterprise.id for m in user.memberships):
        return "already_claimed"
    if enterprise.has_verified_member:
        return "managed"
    return None


def claim(
    user: User,
    enterprise: Enterprise,
    evidence: str,
    representative: str | None = None,
    document: documents.Upload | None = None,
) -> Membership:
    """Ask to act for an existing enterprise, naming its legal representative (the department checks
    the name against the registration) and, if the owner has one at hand, with a document (the
    registration certificate, an authorisation); a verified member counts its assessments. Not
    offered when someone verified already acts for it (a report reaches the department instead)."""
    refusal = claim_refusal(user, enterprise)
    if refusal is not None:
        raise ReviewError(refusal)
    membership = Membership(user_id=user.id, enterprise_id=enterprise.id, claim_state="pending", evidence=evidence)
    db.session.add(membership)
    review = request_review(
        "claim", enterprise, user, {"evidence": evidence, "representative": normalize(representative) or None}
    )
    documents.attach(document, DocumentPurpose.CLAIM, enterprise, user, review=review)
    return membership


def names_agree(claimed: str | None, registered: str | None) -> bool | None:
    """Whether the representative a claim names is the one the registry holds, whatever the case,
    spacing or diacritics ("Le Thi Thu" is "Lê Thị Thu"); None when either is missing."""
    if not claimed or not registered:
        return None
    return fold(claimed) == fold(registered)


LABELS = ("digital_tech", "startup")


def request_label(user: User, enterprise: Enterprise, label: str, evidence: str) -> ReviewRequest:
    """Ask for the digital-technology or startup label, with the evidence the department checks."""
    if label not in LABELS:
        raise ReviewError("unknown_label")
    if getattr(enterprise, f"is_{label}") and getattr(enterprise, f"{label}_verification") == Verification.VERIFIED:
        raise ReviewError("already_labelled")
    pending = db.session.scalars(
        select(ReviewRequest).where(
            ReviewRequest.enterprise_id == enterprise.id,
            ReviewRequest.kind == ReviewKind.FLAG,
            ReviewRequest.state == ReviewState.PENDING,
        )
    )
    if any(r.payload.get("label") == label for r in pending):
        raise ReviewError("already_requested")
    return request_review(ReviewKind.FLAG, enterprise, user, {"label": label, "evidence": evidence})


def edit(user: User, enterprise: Enterprise, changes: dict[str, Any]) -> tuple[bool, ReviewRequest | None]:
    """Descriptive fields publish at once; legal fields wait for the department's review."""
    descriptive = {k: v for k, v in changes.items() if k in DESCRIPTIVE_FIELDS and getattr(enterprise, k) != v}
    legal = {k: v for k, v in changes.items() if k in LEGAL_FIELDS and getattr(enterprise, k) != v}
    changed = (
        services.update_enterprise(enterprise, audit.Actor.of(user), "owner", **descriptive) if descriptive else False
    )
    review = None
    if legal:
        review = request_review(ReviewKind.LEGAL_EDIT, enterprise, user, {k: _plain(v) for k, v in legal.items()})
    return changed, review


def declare_product(
    user: User, enterprise: Enterprise, product: Product, document: documents.Upload | None = None
) -> ReviewRequest:
    """Ask the department to check the certificate the owner just declared (a new product's, or a
    renewal's), with its scan if the owner sent one: the request names both, and approving it
    verifies that certificate."""
    certificate = product_history.awaiting(product)
    payload = {"product_id": product.id, "certificate_id": certificate.id if certificate is not None else None}
    review = request_review(ReviewKind.CERTIFICATION, enterprise, user, payload)
    documents.attach(document, DocumentPurpose.CERTIFICATE, enterprise, user, review=review, certificate=certificate)
    return review


def report(
    enterprise: Enterprise, user: User | None, message: str, contact: str | None, about: str = "information"
) -> ReviewRequest:
    """Anyone may report incorrect information; the department looks into it. `about="contact"`: a
    message for an enterprise nobody manages on the platform, which the department passes on."""
    payload = {"message": message, "contact": contact}
    if about == "contact":
        payload["about"] = "contact"
    return request_review(ReviewKind.REPORT, enterprise, user, payload)


def _plain(value):
    from datetime import date

    return value.isoformat() if isinstance(value, date) else value


def decide(review: ReviewRequest, staff: User, approve: bool, reason: str | None) -> None:
    """Approve (applying the change) or reject, with a reason that reaches the requester."""
    if review.state != ReviewState.PENDING:
        raise ReviewError("already_decided")
    actor = audit.Actor.of(staff)
    enterprise = review.enterprise
    if approve:
        _apply(review, enterprise, actor)
    elif review.kind == ReviewKind.CLAIM or review.kind == ReviewKind.REGISTRATION:
        for membership in db.session.scalars(
            select(Membership).where(
                Membership.enterprise_id == enterprise.id, Membership.user_id == review.requested_by_id
            )
        ):
            membership.claim_state = "rejected"
            membership.decision_reason = reason
        if review.kind == ReviewKind.REGISTRATION:
            services.update_enterprise(enterprise, actor, "staff", record_state="rejected")
    review.state = "approved" if approve else "rejected"
    review.reason = reason
    review.decided_by_id = staff.id
    review.decided_at = utcnow()
    audit.record(
        actor,
        "approve" if approve else "reject",
        "review_request",
        review.id,
        None,
        {"kind": review.kind, "enterprise": enterprise.public_key, "reason": reason},
    )
    if review.requested_by is not None:
        _tell_requester(review, approve)
    db.session.flush()


def _apply(review: ReviewRequest, enterprise: Enterprise, actor: audit.Actor) -> None:
    if review.kind in (ReviewKind.CLAIM, ReviewKind.REGISTRATION):
        for membership in db.session.scalars(
            select(Membership).where(
                Membership.enterprise_id == enterprise.id, Membership.user_id == review.requested_by_id
            )
        ):
            membership.claim_state = "verified"
            membership.decided_by_id = actor.user_id
            membership.decided_at = utcnow()
            db.session.flush()
            on_membership_verified(membership)
        if review.kind == ReviewKind.REGISTRATION:
            # A firm that existed before it listed itself counts from its first registration, like one
            # the department imported: the approval publishes its whole history.
            start = history.existence_start(enterprise, today_local())
            services.update_enterprise(enterprise, actor, "staff", effective_on=start, record_state="published")
            enterprise.verified_at = utcnow()
    elif review.kind == ReviewKind.LEGAL_EDIT:
        from datetime import date

        values = {k: date.fromisoformat(v) if k == "founded_on" and v else v for k, v in review.payload.items()}
        services.update_enterprise(enterprise, actor, f"review:{review.id}", **values)
    elif review.kind == ReviewKind.FLAG:
        label = review.payload["label"]
        services.update_enterprise(
            enterprise,
            actor,
            f"review:{review.id}",
            **{
                f"is_{label}": True,
                f"{label}_basis": review.payload.get("evidence"),
                f"{label}_verification": "verified",
            },
        )
    elif review.kind == ReviewKind.CERTIFICATION:
        product = db.session.get(Product, review.payload.get("product_id"))
        if product is not None:
            certificate = product_history.awaiting(product, review.payload.get("certificate_id"))
            if certificate is None and not product.certificates:  # no date, no certificate: nothing to verify
                raise ReviewError("no_certification_date")
            if certificate is not None:  # counted from the day of the check (one verified already keeps its day)
                product_history.verify(certificate, actor, today_local(), f"review:{review.id}")


def _tell_requester(review: ReviewRequest, approve: bool) -> None:
    """The decision in the requester's inbox and by e-mail: what was decided (naming the product or
    the label), why, and what they can do next."""
    from flask import url_for

    name = review.enterprise.name
    product = (
        db.session.get(Product, review.payload.get("product_id")) if review.kind == ReviewKind.CERTIFICATION else None
    )
    label = review.payload.get("label") if review.kind == ReviewKind.FLAG else None
    kinds = {
        "registration": lambda: _("the new listing of %(name)s", name=name),
        "claim": lambda: _("your claim to act for %(name)s", name=name),
        "legal_edit": lambda: _("your changes to %(name)s", name=name),
        "certification": lambda: (
            _("the certified product %(product)s of %(name)s", product=product.name, name=name)
            if product is not None
            else _("the certified product of %(name)s", name=name)
        ),
        "report": lambda: (
            _("your message for %(name)s", name=name)
            if review.payload.get("about") == "contact"
            else _("your report about %(name)s", name=name)
        ),
        "flag": lambda: (
            _("the digital-technology label of %(name)s", name=name)
            if label == "digital_tech"
            else _("the innovative-startup label of %(name)s", name=name)
        ),
    }
    what = kinds.get(review.kind, kinds["report"])
    owner_kind = review.kind != ReviewKind.REPORT  # a report may come from anyone; the rest from an owner

    def subject() -> str:
        return _("Approved: %(what)s", what=what()) if approve else _("Not approved: %(what)s", what=what())

    def next_step() -> str:
        if approve and review.kind in (ReviewKind.REGISTRATION, ReviewKind.CLAIM):
            return _(
                "You can now keep the listing up to date, add certified products and where they sell, and take "
                "the assessment for the enterprise."
            )
        if approve and review.kind == ReviewKind.CERTIFICATION:
            return _("The product now shows as certified on the enterprise's profile.")
        if approve:
            return _("The change is on the enterprise's profile.")
        if owner_kind:
            return _("You can correct what the reason names and send the request again from My enterprises.")
        return _("If you have more to tell the department, reply to this e-mail.")

    def body() -> str:
        outcome = (
            _("The department has approved %(what)s.", what=what())
            if approve
            else _("The department has not approved %(what)s.", what=what())
        )
        reason = "\n\n" + _("Reason: %(reason)s", reason=review.reason) if review.reason else ""
        return outcome + reason + "\n\n" + next_step()

    if owner_kind and (not approve or review.kind in (ReviewKind.REGISTRATION, ReviewKind.CLAIM)):
        link, action = url_for("directory.mine"), (lambda: _("Open My enterprises"))
    elif services.is_public_record(review.enterprise):
        link, action = url_for("directory.profile", key=review.enterprise.public_key), (lambda: _("See the listing"))
    else:
        link, action = None, None
    notify(review.requested_by, subject, body, link, action)


def labels_awaiting_check(limit: int = 50) -> tuple[int, list[Enterprise]]:
    """Records in the directory with a label declared and not verified, that no pending request asks
    about (an import or a record made before requests were): how many, and the first by name. The
    review queue lists them beside the requests, so that every label waiting for the department is
    in one place; a label counts and is shown as the department's only once verified."""
    asked = select(ReviewRequest.enterprise_id).where(
        ReviewRequest.state == ReviewState.PENDING, ReviewRequest.kind == ReviewKind.FLAG
    )
    declared = or_(
        and_(Enterprise.is_digital_tech.is_(True), Enterprise.digital_tech_verification != Verification.VERIFIED),
        and_(Enterprise.is_startup.is_(True), Enterprise.startup_verification != Verification.VERIFIED),
    )
    where = (Enterprise.record_state == RecordState.PUBLISHED, declared, Enterprise.id.not_in(asked))
    total = db.session.scalar(select(func.count()).select_from(Enterprise).where(*where))
    first = db.session.scalars(select(Enterprise).where(*where).order_by(Enterprise.name_folded).limit(limit)).all()
    return total, list(first)
