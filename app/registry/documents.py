"""Owners' documents: the evidence they send with a claim or a product's certificate.

A document is optional beside what the form asks (the representative's name, the certificate's
facts) and helps the department check them. What is accepted is read from the content, never from
the file's name: a PDF, or a photo or scan as JPEG, PNG or WebP, up to DOCUMENT_MAX_MB. It is kept
in the database in the transaction of the claim or certificate it supports (app/models/engagement
.Document), and shown only to department staff, to the person who sent it and to the people the
department verified as acting for the enterprise — never to the public.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.permissions import is_staff, is_verified_member
from app.errors import FieldErrors
from app.extensions import db
from app.models import Document, Enterprise, ProductCertificate, ReviewRequest, User
from app.models.values import DocumentPurpose
from app.text import normalize

# The first bytes of each kind of file accepted, and its media type.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class Upload:
    """A file read from a form and found acceptable, not yet stored."""

    file_name: str
    media_type: str
    content: bytes


def media_type_of(content: bytes) -> str | None:
    """The accepted media type the content is, by its first bytes; None for anything else."""
    for signature, media_type in SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def max_bytes() -> int:
    return int(current_app.config["DOCUMENT_MAX_MB"]) * 1024 * 1024


def read_upload(storage, field: str = "document") -> Upload | None:
    """The file a form's field carries, checked; None when none was chosen. A refusal names the field
    (the form shows it there; what else was typed stays on the form)."""
    if storage is None or not getattr(storage, "filename", None):
        return None
    limit = max_bytes()
    content = storage.read(limit + 1)
    if not content:
        raise FieldErrors({field: _l("The file is empty: choose it again.")})
    if len(content) > limit:
        raise FieldErrors(
            {field: _l("The file is larger than %(n)s MB: send a smaller scan or photo.", n=limit // (1024 * 1024))}
        )
    media_type = media_type_of(content)
    if media_type is None:
        raise FieldErrors({field: _l("Send a PDF, or a photo or scan as JPEG, PNG or WebP.")})
    return Upload(file_name_of(storage.filename), media_type, content)


def file_name_of(raw: str) -> str:
    """The name to keep and to offer on download: the last part of what the device sent, as the
    site keeps every text (app/text.normalize: NFC, no control characters), at most 200 characters."""
    return (normalize(PurePath(raw.replace("\\", "/")).name) or "document")[-200:]


def attach(
    upload: Upload | None,
    purpose: DocumentPurpose,
    enterprise: Enterprise,
    user: User | None,
    review: ReviewRequest | None = None,
    certificate: ProductCertificate | None = None,
) -> Document | None:
    """Keep the upload as evidence for a review (and the certificate it is about), in the caller's
    transaction; None when there is no upload."""
    if upload is None:
        return None
    document = Document(
        enterprise_id=enterprise.id,
        review_id=review.id if review is not None else None,
        certificate_id=certificate.id if certificate is not None else None,
        purpose=purpose,
        file_name=upload.file_name,
        media_type=upload.media_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
        uploaded_by_id=user.id if user is not None else None,
    )
    db.session.add(document)
    db.session.flush()
    return document


def may_see(user, document: Document) -> bool:
    """Staff, the person who sent it, and those verified as acting for the enterprise."""
    if user is None or not user.is_authenticated:
        return False
    return is_staff(user) or document.uploaded_by_id == user.id or is_verified_member(user, document.enterprise_id)


def of_reviews(review_ids: Iterable[int]) -> dict[int, list[Document]]:
    """The documents sent with each review (their content not read)."""
    ids = list(review_ids)
    return _grouped(select(Document.review_id, Document).where(Document.review_id.in_(ids))) if ids else {}


def of_products(product_ids: Iterable[int]) -> dict[int, list[Document]]:
    """The documents sent for each product's certificates (their content not read)."""
    ids = list(product_ids)
    if not ids:
        return {}
    return _grouped(
        select(ProductCertificate.product_id, Document)
        .join(Document, Document.certificate_id == ProductCertificate.id)
        .where(ProductCertificate.product_id.in_(ids))
    )


def _grouped(query) -> dict[int, list[Document]]:
    """(key, document) rows as each key's documents, in the order they were sent."""
    found: dict[int, list[Document]] = {}
    for key, document in db.session.execute(query.order_by(Document.id)):
        found.setdefault(key, []).append(document)
    return found
