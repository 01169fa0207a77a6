"""The computed indicators of the plan: one documented function each, evaluated as of any day.

Each indicator is defined once, as a select of its units (enterprises or products) as of a day with
the columns its rule reads. Its function groups that select into a ``Figure`` (value, numerator,
denominator, counts kept apart, breakdowns); ``records`` filters the same select for the drill-down.
The page, the API, the XLSX report and the drill-down all go through here. T4's functions live in
products_online.py; T5 and T6 are below.

Only dated facts are read (the day a record entered the registry or ceased, a submission, the day
an attempt began to count, certification and expiry days, listing checks, label decisions), so a
figure as of a past day is what the registry said then: records added later do not change it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, extract, func, literal, or_, select

from app.domain.legal_forms import DEPENDENT_UNITS, SME_ELIGIBLE
from app.domain.size import COUNTED_AS_SME
from app.extensions import db
from app.indicator_settings import Settings
from app.models import Assessment, Enterprise
from app.models import EnterprisePeriod as Span
from app.models.assessment import EXTERNAL
from app.progress import dimensions as dims
from app.progress.figures import Cell, Figure, grouped
from app.progress.owners import owner_on
from app.progress.products_online import certified_products_online, product_units, t4_part, t4_rule

LEVEL_KEYS = ("none", "0", "1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Definition:
    code: str  # the indicator code in targets.yaml
    unit: str
    rule: Callable[[Settings], tuple[str, str]]  # (Vietnamese, English) plain words, with the settings in force
    units: Callable[[date, Settings], Select]  # the units as of a day, with the columns the rule reads
    compute: Callable[[date, Settings], Figure]
    part: Callable  # (units, part, settings) -> the condition selecting one part of the figure
    parts: dict[str, object]  # the drill-down's parts: what each count of the figure is
    reads: tuple[str, ...] = ()  # the settings the rule reads: they key its snapshots
    unit_kind: str = "enterprise"  # enterprise | product

    def key(self, s: Settings) -> str:
        return s.key_for(self.reads)


# --- T5: SMEs doing digital transformation --------------------------------------------------------


def _latest_counted_attempts(as_of: date, s: Settings):
    """Each enterprise's newest counted attempt submitted within the validity window, as of the day
    (one of an external instrument only when ``t5_counts_external`` says so), and whether the
    department imported it.

    One row per enterprise, read from the covering index ix_assessment_counted_latest: on SQLite a
    max() with the level as a bare column (SQLite takes it from the row holding the max), on
    PostgreSQL DISTINCT ON — the same rows, without sorting every attempt of the window.
    """
    end, start = dims.end_of(as_of), dims.end_of(dims.months_before(as_of, s.t5_validity_months))
    postgresql = db.engine.dialect.name == "postgresql"
    # The window's range on submitted_at must not lead SQLite to its own index (then a row lookup per
    # attempt): "+column" keeps the covering index, read in enterprise order with no sort.
    submitted = Assessment.submitted_at if postgresql else dims.not_an_index_key(Assessment.submitted_at)
    window = [
        Assessment.counted_at.is_not(None),
        Assessment.counted_at < end,
        submitted < end,
        submitted >= start,
        Assessment.enterprise_id.is_not(None),
    ]
    if not s.t5_counts_external:
        window.append(Assessment.instrument_id.not_like(f"{EXTERNAL}%"))
    owner = owner_on("assessment", Assessment.id, Assessment.enterprise_id, as_of)  # a merge moved it later
    if postgresql:
        from sqlalchemy.dialects.postgresql import distinct_on  # PostgreSQL's own clause

        query = (
            select(owner.label("enterprise_id"), Assessment.overall_level, Assessment.is_imported)
            .where(*window)
            .ext(distinct_on(owner))
            .order_by(owner, Assessment.submitted_at.desc(), Assessment.id.desc())
        )
    else:
        query = (
            select(
                owner.label("enterprise_id"),
                func.max(Assessment.submitted_at).label("submitted_at"),
                Assessment.overall_level,
                Assessment.is_imported,
            )
            .where(*window)
            .group_by(owner)
        )
    return query.subquery()


def sme_category():
    """sme, large, unknown (size), household or branch, as the record stood on the day: only "sme" is
    in the SME denominator."""
    return case(
        (Span.legal_form == "hkd", "household"),
        (Span.legal_form.in_(DEPENDENT_UNITS), "branch"),
        (Span.legal_form.not_in(tuple(SME_ELIGIBLE)), "other"),
        (Span.size_tier.in_(COUNTED_AS_SME), "sme"),
        (Span.size_tier == "large", "large"),
        else_="unknown",
    )


def sme_units(as_of: date, s: Settings) -> Select:
    latest = _latest_counted_attempts(as_of, s)
    level = func.coalesce(latest.c.overall_level, -1)
    imported = case((latest.c.is_imported.is_(True), 1), else_=0)
    return (
        select(
            Span.enterprise_id.label("id"),
            *dims.columns().values(),
            sme_category().label("category"),
            level.label("level"),
            imported.label("imported"),
        )
        .outerjoin(latest, latest.c.enterprise_id == Span.enterprise_id)
        .where(dims.counted_record(), dims.active_on(as_of))
    )


def smes_transformed(as_of: date, s: Settings) -> Figure:
    """T5: the share of active SMEs doing digital transformation, as of ``as_of``.

    Numerator: active SMEs (micro, small, medium under Decree 80/2021; cooperatives sized like
    enterprises) whose latest counted assessment — a counting instrument, linked to the enterprise
    by a verified member, submitted within ``t5_validity_months`` before the day — is at level
    ``t5_threshold_level`` or above. Denominator: all active SMEs. Household businesses, branches and
    representative offices, large firms and firms of unknown size are counted apart. A result the
    department imported counts from its day; one of an external instrument only when
    ``t5_counts_external`` says so. Also returned: coverage (SMEs with a valid assessment), how many
    of them have an imported result, and the distribution of SMEs by level ("none" for no valid
    assessment).
    """
    units = sme_units(as_of, s).subquery()
    keys = [units.c[d] for d in dims.DIMENSIONS]
    rows = db.session.execute(
        select(*keys, units.c.category, units.c.level, units.c.imported, func.count().label("n")).group_by(
            *keys, units.c.category, units.c.level, units.c.imported
        )
    ).all()
    threshold = s.t5_threshold_level
    smes = [r for r in rows if r.category == "sme"]
    total, apart, levels = Cell(), Counter(), Counter()
    assessed = imported = 0
    for r in rows:
        if r.category != "sme":
            apart[r.category] += r.n
            continue
        total.add(r.n if r.level >= threshold else 0, r.n, r.n)
        levels["none" if r.level < 0 else str(r.level)] += r.n
        assessed += r.n if r.level >= 0 else 0
        imported += r.n if r.level >= 0 and r.imported else 0
    by = grouped(smes, dims.DIMENSIONS, dims.keys_of, lambda r: (r.n if r.level >= threshold else 0, r.n, r.n))
    extra = {"assessed": assessed, "imported": imported, "levels": {k: levels.get(k, 0) for k in LEVEL_KEYS}}
    return Figure(
        "T5",
        as_of,
        "percent",
        s.plain(),
        total,
        {k: apart.get(k, 0) for k in ("household", "branch", "large", "unknown")},
        extra,
        by,
    )


def _t5_rule(s: Settings) -> tuple[str, str]:
    external = s.t5_counts_external
    return (
        f"Số doanh nghiệp nhỏ và vừa đang hoạt động (siêu nhỏ, nhỏ, vừa theo Nghị định 80/2021; hợp tác xã tính như "
        f"doanh nghiệp) có lượt tự đánh giá được tính gần nhất — của một bộ câu hỏi được tính, do thành viên đã được "
        f"Sở xác minh gắn với doanh nghiệp, nộp trong vòng {s.t5_validity_months} tháng tính đến ngày số liệu — đạt "
        f"mức {s.t5_threshold_level} trở lên, chia cho tổng số doanh nghiệp nhỏ và vừa đang hoạt động. Hộ kinh doanh, "
        f"chi nhánh, văn phòng đại diện, doanh nghiệp lớn và doanh nghiệp chưa rõ quy mô được đếm riêng, không nằm "
        f"trong mẫu số. Kết quả đánh giá trước đây do Sở nhập từ hồ sơ được tính từ ngày đánh giá ghi trong hồ sơ; "
        f"kết quả theo bộ công cụ bên ngoài (không phải bộ câu hỏi của tỉnh) "
        f"{'cũng được tính' if external else 'không được tính'}.",
        f"Active small and medium-sized enterprises (micro, small and medium under Decree 80/2021; cooperatives sized "
        f"like enterprises) whose latest counted assessment — of a counting instrument, linked to the enterprise by a "
        f"member the department verified, submitted within {s.t5_validity_months} months before the day — is at "
        f"level {s.t5_threshold_level} or above, divided by all active SMEs. Household businesses, branches and "
        f"representative offices, large enterprises and enterprises of unknown size are counted apart, never in the "
        f"denominator. Past results the department imported from its records count from the day of the assessment "
        f"they record; results of an external instrument (not one of the province's questionnaires) "
        f"{'count too' if external else 'do not count'}.",
    )


def _t5_part(units, part: str, s: Settings):
    is_sme = units.c.category == "sme"
    if part == "numerator":
        return is_sme & (units.c.level >= s.t5_threshold_level)
    if part == "denominator":
        return is_sme
    if part == "assessed":
        return is_sme & (units.c.level >= 0)
    if part.startswith("level:"):
        level = part.split(":", 1)[1]
        return (
            is_sme & (units.c.level == (-1 if level == "none" else int(level)))
            if level in LEVEL_KEYS
            else literal(False)
        )
    return units.c.category == part


# --- T6: digital-technology enterprises and startups -------------------------------------------


def tech_units(as_of: date, s: Settings) -> Select:
    # The label held on the day (the span says whether a verified label held then); the year it was
    # first verified comes from the record. The earlier of the two verification days of the labels
    # it holds (one value per row: SQLite's min() with two arguments is PostgreSQL's least()).
    tech, startup = Span.tech.is_(True), Span.startup.is_(True)
    earliest = func.min if db.engine.dialect.name == "sqlite" else func.least
    first_label = earliest(
        case((tech, Enterprise.digital_tech_verified_on), else_=Enterprise.startup_verified_on),
        case((startup, Enterprise.startup_verified_on), else_=Enterprise.digital_tech_verified_on),
    )
    kind = case((tech & startup, "both"), (tech, "tech"), else_="startup")
    query = (
        select(
            Span.enterprise_id.label("id"),
            *dims.columns().values(),
            kind.label("kind"),
            extract("year", Enterprise.founded_on).label("founded_year"),
            extract("year", first_label).label("labelled_year"),
        )
        .join(Enterprise, Enterprise.id == Span.enterprise_id)
        .where(
            dims.counted_record(),
            dims.active_on(as_of),
            tech | startup,
            Span.legal_form.in_(tuple(SME_ELIGIBLE)),  # a branch is part of its parent; a household no enterprise
        )
    )
    if s.t6_formed_reading == "since_plan_start":
        query = query.where(or_(Enterprise.founded_on >= s.plan_start, first_label >= s.plan_start))
    return query


def tech_and_startups(as_of: date, s: Settings) -> Figure:
    """T6: the number of active enterprises with a verified digital-technology or startup label.

    Enterprises and cooperatives only: a branch or representative office is part of its parent, and a
    household business is not an enterprise under the Law on Enterprises.

    A label counts from the day the department verified it (Law 71/2025 Art. 3(5) for digital
    technology, Law 04/2017 Art. 3(2) for innovative startups). With the reading
    ``since_plan_start`` only enterprises founded or labelled since the plan began count. Also
    returned: the split (technology only, startup only, both) and the counts by year of founding
    and by year of the first verified label.
    """
    units = tech_units(as_of, s).subquery()
    keys = [units.c[d] for d in dims.DIMENSIONS]
    rows = db.session.execute(
        select(*keys, units.c.kind, units.c.founded_year, units.c.labelled_year, func.count().label("n")).group_by(
            *keys, units.c.kind, units.c.founded_year, units.c.labelled_year
        )
    ).all()
    total, split, founded, labelled = Cell(0, None, 0), Counter(), Counter(), Counter()
    for r in rows:
        total.add(r.n, None, r.n)
        split[r.kind] += r.n
        founded[str(int(r.founded_year)) if r.founded_year else "unknown"] += r.n
        labelled[str(int(r.labelled_year)) if r.labelled_year else "unknown"] += r.n  # a label revoked since
    by = grouped(rows, dims.DIMENSIONS, dims.keys_of, lambda r: (r.n, None, r.n))
    extra = {
        "split": {k: split.get(k, 0) for k in ("tech", "startup", "both")},
        "founded_by_year": dict(sorted(founded.items())),
        "labelled_by_year": dict(sorted(labelled.items())),
    }
    return Figure("T6", as_of, "count", s.plain(), total, {}, extra, by)


def _t6_rule(s: Settings) -> tuple[str, str]:
    since = s.t6_formed_reading == "since_plan_start"
    start = s.plan_start.strftime("%d/%m/%Y")
    return (
        "Số doanh nghiệp đang hoạt động có nhãn doanh nghiệp công nghệ số (Luật Công nghiệp công nghệ số 71/2025, "
        "Điều 3 khoản 5) hoặc doanh nghiệp khởi nghiệp sáng tạo (Luật 04/2017, Điều 3 khoản 2) đã được Sở xác minh "
        "tính đến ngày số liệu"
        + (
            f", chỉ tính doanh nghiệp thành lập hoặc được gắn nhãn từ {start}."
            if since
            else "; mọi doanh nghiệp đang hoạt động có nhãn đều được tính."
        ),
        "Active enterprises with a digital-technology label (Law 71/2025 on the Digital Technology Industry, "
        "Art. 3(5)) or an innovative-startup label (Law 04/2017, Art. 3(2)) verified by the department by the day"
        + (
            f", counting only those founded or labelled since {s.plan_start.isoformat()}."
            if since
            else "; every active enterprise with a verified label counts."
        ),
    )


def _t6_part(units, part: str, s: Settings):
    if part in ("tech", "startup", "both"):
        return units.c.kind == part
    return literal(True)


# --- the registry of definitions and the drill-down --------------------------------------------------

DEFINITIONS: dict[str, Definition] = {
    d.code: d
    for d in (
        Definition(
            "T4",
            "percent",
            t4_rule,
            product_units,
            certified_products_online,
            t4_part,
            {
                "numerator": _l("certified products on e-commerce"),
                "denominator": _l("certified products"),
                "tourism": _l("OCOP tourism services (counted apart)"),
                "expired": _l("expired certificates (counted apart)"),
                "unverified": _l("awaiting verification (counted apart)"),
            },
            ("ocop_validity_months", "t4_freshness_months"),
            "product",
        ),
        Definition(
            "T5",
            "percent",
            _t5_rule,
            sme_units,
            smes_transformed,
            _t5_part,
            {
                "numerator": _l("SMEs doing digital transformation"),
                "denominator": _l("active SMEs"),
                "assessed": _l("SMEs with a valid assessment"),
                "household": _l("household businesses (counted apart)"),
                "branch": _l("branches and representative offices (counted apart)"),
                "large": _l("large enterprises (counted apart)"),
                "unknown": _l("enterprises of unknown size (counted apart)"),
            },
            ("t5_threshold_level", "t5_validity_months", "t5_counts_external"),
        ),
        Definition(
            "T6",
            "count",
            _t6_rule,
            tech_units,
            tech_and_startups,
            _t6_part,
            {
                "numerator": _l("digital-technology firms and startups"),
                "tech": _l("digital technology only"),
                "startup": _l("startups only"),
                "both": _l("both labels"),
            },
            ("t6_formed_reading", "plan_start"),
        ),
    )
}


def compute(code: str, as_of: date, s: Settings) -> Figure:
    return DEFINITIONS[code].compute(as_of, s)


def rule(code: str, s: Settings) -> tuple[str, str]:
    return DEFINITIONS[code].rule(s)


def records(
    code: str, as_of: date, s: Settings, part: str = "numerator", filters: dict[str, str] | None = None
) -> Select:
    """The ids of the units behind one count of a figure (one part, optionally one cell of a breakdown).

    Built on the same select as the figure, so the list has exactly as many rows as the count.
    """
    definition = DEFINITIONS[code]
    units = definition.units(as_of, s).subquery()
    condition = definition.part(units, part, s)
    conditions = [condition]
    for dim, key in (filters or {}).items():
        if dim in dims.DIMENSIONS:
            conditions.append(dims.condition(dim, key, units.c[dim]))
    return select(units.c.id).where(and_(*conditions))
