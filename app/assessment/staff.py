"""The department's view of submitted assessments: filters, a page of rows, and exports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.assessment.catalog import instrument_title, instruments
from app.assessment.results import attempt_title
from app.dates import local_day, typed_day
from app.extensions import db
from app.labels import SIZE_TIERS
from app.models import Assessment, Commune, Enterprise
from app.models.assessment import EXTERNAL

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    instrument: str = ""
    version: int | None = None
    commune: str = ""
    sector: str = ""
    size: str = ""
    level: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        def as_int(name):
            value = args.get(name, "")
            return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else None

        def as_date(name):
            try:
                return typed_day(args.get(name, "")[:20])  # dd/mm/yyyy as typed, or yyyy-mm-dd
            except ValueError:
                return None

        return cls(
            args.get("instrument", "")[:40],
            as_int("version"),
            args.get("commune", "")[:5],
            args.get("sector", "")[:1],
            args.get("size", "")[:20],
            as_int("level"),
            as_date("from"),
            as_date("to"),
        )

    def as_args(self) -> dict[str, str]:
        values = {
            "instrument": self.instrument,
            "version": self.version,
            "commune": self.commune,
            "sector": self.sector,
            "size": self.size,
            "level": self.level,
            "from": self.date_from,
            "to": self.date_to,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


OTHER_BODIES = "external"  # the filter's value for every result of another body's instrument


def external_instruments() -> list[tuple[str, str]]:
    """The other bodies' instruments whose results the department imported: (id, name), by name."""
    rows = db.session.execute(
        select(Assessment.instrument_id, func.max(Assessment.instrument_name))
        .where(Assessment.instrument_id.startswith(EXTERNAL), Assessment.status == "submitted")
        .group_by(Assessment.instrument_id)
    )
    return sorted(((i, name or i.removeprefix(EXTERNAL)) for i, name in rows), key=lambda r: r[1])


def submitted_query(filters: Filters) -> Select:
    query = (
        select(Assessment)
        .outerjoin(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .where(Assessment.status == "submitted")
    )
    if filters.instrument == OTHER_BODIES:
        query = query.where(Assessment.instrument_id.startswith(EXTERNAL))
    elif filters.instrument:
        query = query.where(Assessment.instrument_id == filters.instrument)
    if filters.version is not None:
        query = query.where(Assessment.instrument_version == filters.version)
    if filters.commune:
        query = query.where(Enterprise.commune_code == filters.commune)
    if filters.sector:
        query = query.where(Enterprise.vsic_section == filters.sector)
    if filters.size:
        query = query.where(Enterprise.size_tier == filters.size)
    if filters.level is not None:
        query = query.where(Assessment.overall_level == filters.level)
    if filters.date_from:
        query = query.where(Assessment.submitted_at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        query = query.where(Assessment.submitted_at <= datetime.combine(filters.date_to, time.max))
    return query


def page_of(filters: Filters, page: int) -> tuple[list[Assessment], int]:
    query = submitted_query(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(joinedload(Assessment.enterprise))
        .order_by(Assessment.submitted_at.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def export_table(filters: Filters) -> tuple[list[str], list[str], Iterator[list]]:
    """Header in the page's language, a row of column codes, and the rows: one column per question of
    each version present. Questionnaires, communes and sizes by their names; answers as stored."""
    keys = db.session.execute(
        submitted_query(filters)
        .with_only_columns(Assessment.instrument_id, Assessment.instrument_version)
        .distinct()
        .order_by(Assessment.instrument_id, Assessment.instrument_version)
    ).all()
    catalog = instruments()
    versions = [catalog.get(i, v) for i, v in keys if catalog.get(i, v) is not None]
    pillar_names = {p.id: str(p.name) for inst in versions for p in inst.pillars}
    pillar_ids = sorted(pillar_names)
    question_columns = [(inst, q) for inst in versions for q in inst.questions]
    columns = [
        ("attempt", _("Assessment reference")),
        ("submitted_at", _("Submitted")),
        ("instrument", _("Questionnaire")),
        ("enterprise_code", _("Enterprise code")),
        ("enterprise_name", _("Enterprise")),
        ("commune", _("Commune or ward")),
        ("vsic_section", _("Sector (VSIC section)")),
        ("size_tier", _("Size")),
        ("overall_level", _("Level")),
        ("total_share", _("Score (share of the points)")),
    ]
    columns += [(f"share_{pid}", _("Score: %(pillar)s", pillar=pillar_names[pid])) for pid in pillar_ids]
    columns += [(f"level_{pid}", _("Level: %(pillar)s", pillar=pillar_names[pid])) for pid in pillar_ids]
    columns += [
        (f"{inst.id}.v{inst.version}.{q.name}", f"{instrument_title(inst.id, inst.version)}: {q.label}")
        for inst, q in question_columns
    ]
    communes = dict(db.session.execute(select(Commune.code, Commune.name)).all())

    def rows() -> Iterator[list]:
        query = submitted_query(filters).options(joinedload(Assessment.enterprise)).order_by(Assessment.id)
        for attempt in db.session.scalars(query.execution_options(yield_per=1000)):
            enterprise = attempt.enterprise
            pillars = attempt.pillar_results or {}
            answers = attempt.answers or {}
            yield [
                attempt.public_id,
                # an imported past result has a day, not a time
                local_day(attempt.submitted_at) if attempt.is_imported else attempt.submitted_at,
                attempt_title(attempt),
                enterprise.public_key if enterprise else "",
                enterprise.name if enterprise else "",
                communes.get(enterprise.commune_code, enterprise.commune_code) if enterprise else "",
                enterprise.vsic_section if enterprise else "",
                str(SIZE_TIERS.get(enterprise.size_tier, enterprise.size_tier)) if enterprise else "",
                attempt.overall_level,
                attempt.total_share,
                *[pillars.get(pid, {}).get("share", "") for pid in pillar_ids],
                *[pillars.get(pid, {}).get("level", "") for pid in pillar_ids],
                *[
                    answers.get(q.name, "")
                    if (inst.id, inst.version) == (attempt.instrument_id, attempt.instrument_version)
                    else ""
                    for inst, q in question_columns
                ],
            ]

    return [str(label) for _code, label in columns], [code for code, _label in columns], rows()
