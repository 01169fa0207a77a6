"""A record's history as the staff record page lists it: every recorded change of the record, of its
products, their listings and listing checks, of its assessment results, and of the records merged
into it, each with who made it and through which channel (an import batch links to its page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from app import indicator_settings
from app.dates import local_day
from app.extensions import db
from app.i18n import fmt_date
from app.models import Assessment, AuditEvent, Enterprise, Listing, ListingCheck, Product, ProductCertificate
from app.registry.records import display_value, field_label

ACTIONS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "submit": _l("Assessment submitted"),
    "check": _l("Listing checked"),
    "merge": _l("Merged"),
    "unmerge": _l("Merge undone"),
    "withdraw": _l("Taken out of the directory"),
    "reinstate": _l("Put back in the directory"),
}
# What a person reads of an assessment's or a listing check's event (the rest is the trail's own:
# tokens, owners' ids, the attempt's technical state).
SHOWN = {
    "assessment": (
        "instrument",
        "instrument_name",
        "instrument_version",
        "submitted_at",
        "overall_level",
        "level",
        "total_share",
        "pillar_results",
        "counts_toward_indicators",
    ),
    "listing_check": ("checked_on", "is_available", "note"),
    "listing": ("platform_code", "url"),  # its product is the entry's subject
}
# What a field or an action of a product's event means (the record's own say it of the enterprise).
PRODUCT_LABELS = {"name": _l("Product name"), "description": _l("What the product is")}
PRODUCT_ACTIONS = {
    "withdraw": _l("Product withdrawn: no longer counted"),
    "reinstate": _l("Product counted again"),
}
CERTIFICATE_ACTIONS = {"create": _l("Certificate recorded"), "update": _l("Certificate changed")}


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    event: AuditEvent
    action: str
    subject: str  # what the event is about: the record, one of its products, a listing, a merged record
    source: str  # through which channel: import batch, owner, department, review …
    batch_id: int | None  # the import batch, to link to it
    changes: list[Change]


def _source(provenance: str | None) -> tuple[str, int | None]:
    """Say through which channel a change came, and the import batch if there was one."""
    if not provenance:
        return str(_l("Department")), None
    channel, _sep, rest = provenance.partition(":")
    rest = rest.strip()
    if channel in ("import", "undo") and rest.isdigit():
        text = _l("Import %(id)s", id=rest) if channel == "import" else _l("Undo of import %(id)s", id=rest)
        return str(text), int(rest)
    labels = {
        "staff": _l("Department"),
        "owner": _l("The enterprise's own edit"),
        "registration": _l("Self-registration"),
        "review": _l("Approved request"),
        "demo": _l("Demonstration data"),
        "generated": _l("Generated test data"),
        "merge": _l("Merge of duplicates"),
        "unmerge": _l("Undo of a merge"),
    }
    label = str(labels.get(channel, channel))
    if channel in ("staff", "merge", "unmerge") and rest:
        label += f" — {rest}"
    return label, None


def _ids(query) -> list[str]:
    return [str(i) for i in db.session.scalars(query)]


def history(
    enterprise: Enterprise, name_result: Callable[[Assessment], str] | None = None, limit: int = 200
) -> list[HistoryEntry]:
    """The record's changes, newest first: its own, its products', their listings' and listing checks',
    its assessment results', and those of the records merged into it (their histories are kept under
    their own ids). ``name_result`` names an assessment result as people know it (the assessment
    package's ``attempt_title``, which this package cannot import); its instrument's id otherwise."""
    merged = list(db.session.scalars(select(Enterprise).where(Enterprise.merged_into_id == enterprise.id)))
    ids = [enterprise.id] + [m.id for m in merged]
    names = {str(m.id): m for m in merged}
    products = {str(p.id): p.name for p in db.session.scalars(select(Product).where(Product.enterprise_id.in_(ids)))}
    listings = {
        str(i): (url, str(product))
        for i, url, product in db.session.execute(
            select(Listing.id, Listing.url, Listing.product_id).where(
                Listing.product_id.in_([int(p) for p in products])
            )
        )
    }
    checks = {
        str(i): listings[str(listing)]
        for i, listing in db.session.execute(
            select(ListingCheck.id, ListingCheck.listing_id).where(
                ListingCheck.listing_id.in_([int(i) for i in listings])
            )
        )
    }
    certificates = {  # a certificate's events say its product (a renewal is a certificate of its own)
        str(i): str(product)
        for i, product in db.session.execute(
            select(ProductCertificate.id, ProductCertificate.product_id).where(
                ProductCertificate.product_id.in_([int(p) for p in products])
            )
        )
    }
    results = {str(a.id): a for a in db.session.scalars(select(Assessment).where(Assessment.enterprise_id.in_(ids)))}
    concerned = {
        "enterprise": [str(i) for i in ids],
        "product": list(products),
        "product_certificate": list(certificates),
        "listing": list(listings),
        "listing_check": list(checks),
        "assessment": list(results),
    }
    conditions = [
        and_(AuditEvent.entity_type == kind, AuditEvent.entity_id.in_(entity_ids))
        for kind, entity_ids in concerned.items()
        if entity_ids
    ]
    events = db.session.scalars(
        select(AuditEvent)
        .where(or_(*conditions))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    entries = []
    external_counts = indicator_settings.current().t5_counts_external
    for event in events:
        action = ACTIONS.get(event.action, event.action)
        shown = {}  # values said otherwise than display_value says them
        if event.entity_type in ("product", "product_certificate"):
            product = certificates[event.entity_id] if event.entity_type == "product_certificate" else event.entity_id
            subject = str(_l("Product: %(name)s", name=products.get(product, product)))
            actions = PRODUCT_ACTIONS if event.entity_type == "product" else CERTIFICATE_ACTIONS
            action = actions.get(event.action, action)
        elif event.entity_type == "listing":
            url, product = listings[event.entity_id]
            subject = str(_l("Listing of %(product)s", product=products.get(product, product)))
        elif event.entity_type == "listing_check":
            url, product = checks[event.entity_id]
            subject = str(_l("Listing check of %(product)s: %(url)s", product=products.get(product, product), url=url))
        elif event.entity_type == "assessment":
            result = results[event.entity_id]
            title = name_result(result) if name_result else result.instrument_id
            day = fmt_date(local_day(result.submitted_at)) if result.submitted_at else ""
            subject = str(_l("Assessment result: %(title)s", title=" · ".join(filter(None, (title, day)))))
            if result.is_external:  # another body's instrument: no version of ours; counted only by the setting
                shown = {"instrument_version": None}
                if not external_counts:
                    shown["counts_toward_indicators"] = str(
                        _l("No: the indicator settings do not count other bodies' results toward T5")
                    )
        elif event.entity_id in names:
            other = names[event.entity_id]
            subject = str(_l("Merged record %(key)s (%(name)s)", key=other.public_key, name=other.name))
        else:
            subject = ""
        source, batch_id = _source(event.provenance)
        entries.append(HistoryEntry(event, str(action), subject, source, batch_id, _changes(event, shown)))
    return entries


def _changes(event: AuditEvent, shown: dict[str, str | None]) -> list[Change]:
    """The event's changes as a person reads them; ``shown`` says some values otherwise (None: not shown)."""
    before, after = event.before or {}, event.after or {}
    # keys starting with "_" are the trail's own (an import keeps the record's history for its undo)
    fields = [f for f in (*after.keys(), *(k for k in before if k not in after)) if not f.startswith("_")]
    kept = SHOWN.get(event.entity_type)
    fields = [f for f in fields if (kept is None or f in kept) and shown.get(f, "") is not None]
    labels = PRODUCT_LABELS if event.entity_type == "product" else {}

    def said(field: str, value: object) -> str:
        return shown[field] if field in shown else display_value(field, value)

    return [
        Change(
            f,
            str(labels.get(f, field_label(f))),
            said(f, before.get(f)) if event.before is not None else "",
            said(f, after.get(f)),
        )
        for f in fields
    ]
