"""The records behind a number: enterprises (or products) selected by the indicator's own rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.indicator_settings import Settings
from app.labels import CERTIFICATIONS, SIZE_TIERS, legal_form_label
from app.models import Enterprise, Product
from app.progress import dimensions as dims
from app.progress import indicators
from app.progress.display import DIMENSION_LABELS, LEVEL_NAMES
from app.progress.indicators import Definition

PER_PAGE = 50


@dataclass
class Listing:
    total: int
    page: int
    pages: int
    enterprises: list[Enterprise]
    products: list[Product]


def part_label(definition: Definition, part: str) -> str:
    if part.startswith("level:"):
        return _("SMEs at level %(level)s", level=str(LEVEL_NAMES.get(part.split(":", 1)[1], part)))
    return str(definition.parts.get(part, part))


def filter_labels(filters: dict[str, str]) -> list[tuple[str, str]]:
    return [(str(DIMENSION_LABELS[d]), dims.labels(d).get(k, k)) for d, k in filters.items()]


def _ids(definition: Definition, as_of: date, s: Settings, part: str, filters: dict[str, str]):
    return indicators.records(definition.code, as_of, s, part, filters).subquery()


def page(definition: Definition, as_of: date, s: Settings, part: str, filters: dict[str, str], number: int) -> Listing:
    ids = _ids(definition, as_of, s, part, filters)
    total = db.session.scalar(select(func.count()).select_from(ids))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    number = min(number, pages)
    model = Product if definition.unit_kind == "product" else Enterprise
    query = (
        select(model)
        .where(model.id.in_(select(ids.c.id)))
        .order_by(model.name_folded, model.id)
        .limit(PER_PAGE)
        .offset((number - 1) * PER_PAGE)
    )
    if model is Product:
        items = list(db.session.scalars(query.options(joinedload(Product.enterprise))))
        return Listing(total, number, pages, [], items)
    return Listing(total, number, pages, list(db.session.scalars(query)), [])


def table(definition: Definition, as_of: date, s: Settings, part: str, filters: dict[str, str]):
    """Header and rows of the records behind the number, for CSV and XLSX, in the page's language."""
    ids = _ids(definition, as_of, s, part, filters)
    communes = dims.labels("commune")
    if definition.unit_kind == "product":
        header = [
            _("Product"),
            _("Certification"),
            _("OCOP stars"),
            _("Certified on"),
            _("Enterprise code"),
            _("Enterprise"),
            _("Commune or ward"),
        ]
        query = (
            select(
                Product.name,
                Product.certification,
                Product.ocop_stars,
                Product.certified_on,
                Enterprise.public_key,
                Enterprise.name,
                Enterprise.commune_code,
            )
            .join(Enterprise, Enterprise.id == Product.enterprise_id)
            .where(Product.id.in_(select(ids.c.id)))
            .order_by(Product.name_folded)
        )
        rows = (
            (r[0], str(CERTIFICATIONS.get(r[1], r[1])), r[2], r[3], r[4], r[5], communes.get(r[6], r[6]))
            for r in db.session.execute(query)
        )
        return header, rows
    header = [
        _("Enterprise code"),
        _("Registered name"),
        _("Legal form"),
        _("Size"),
        _("Main line of business (VSIC)"),
        _("Commune or ward"),
        _("In the registry since"),
        _("Date of first registration"),
    ]
    query = (
        select(
            Enterprise.public_key,
            Enterprise.name,
            Enterprise.legal_form,
            Enterprise.size_tier,
            Enterprise.main_vsic,
            Enterprise.commune_code,
            Enterprise.registered_on,
            Enterprise.founded_on,
        )
        .where(Enterprise.id.in_(select(ids.c.id)))
        .order_by(Enterprise.name_folded)
    )
    rows = (
        (
            r[0],
            r[1],
            str(legal_form_label(r[2])),
            str(SIZE_TIERS.get(r[3], r[3])),
            r[4] or "",
            communes.get(r[5], r[5]),
            r[6],
            r[7],
        )
        for r in db.session.execute(query)
    )
    return header, rows
