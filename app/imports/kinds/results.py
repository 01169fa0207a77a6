"""Import of past assessment results: what the department's records say about an enterprise's digital
readiness before this site, each with its day.

A row is one result: the enterprise, the day, the instrument — one of ours (by its id, in the version
the row gives or the current one) or an external one (another body's index, kept by its name) — the
overall level and, where known, the overall score and the pillars' levels or scores. It is written
as a submitted attempt without answers, marked as imported (``Assessment.is_imported``). The
department vouches for it: a result of one of our counting instruments counts from its day; an
external one counts toward T5 only when the indicator setting ``t5_counts_external`` says so. A row
is named by its enterprise, its instrument and its day: a second run of the same file changes
nothing, a corrected file updates the result. The enterprises' latest results follow.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, date, datetime, time
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.assessment.catalog import Catalog, instruments
from app.assessment.instruments import Instrument
from app.assessment.scoring import pillar_level
from app.dates import local_day, zone
from app.extensions import db
from app.imports import cells as cell
from app.imports.kinds.common import ENTERPRISE_COLUMN, enterprise_guide, enterprises_named, read_enterprise
from app.imports.kinds.engine import Row
from app.models import Assessment, Enterprise
from app.models.assessment import EXTERNAL
from app.models.base import utcnow
from app.registry.latest import recompute_latest
from app.text import fold, normalize

COLUMNS: dict[str, tuple[str, str]] = dict(
    [
        ENTERPRISE_COLUMN,
        ("ngay_danh_gia", ("submitted_on", "assessed_on")),
        ("bo_cong_cu", ("instrument", "instrument")),
        ("phien_ban", ("instrument_version", "version")),
        ("ten_cong_cu", ("instrument_name", "instrument_name")),
        ("muc_tong_the", ("overall_level", "overall_level")),
        ("diem", ("score", "score")),
        ("cac_tru_cot", ("pillars", "pillars")),
    ]
)
NEEDED = (("code",), ("submitted_on",), ("instrument", "instrument_name"), ("overall_level",))
GUIDE: dict[str, tuple[bool, Any, Any, str]] = {
    "ma_so_doanh_nghiep": enterprise_guide(),
    "ngay_danh_gia": (
        True,
        _l("Date of the assessment"),
        _l("dd/mm/yyyy, not in the future: the result counts from this day."),
        "15/09/2024",
    ),
    "bo_cong_cu": (
        True,
        _l("Instrument"),
        _l(
            "One of ours by its id (dbi-sme: the full self-assessment; quick-check: the quick check). "
            "Anything else is an external instrument: write its name here, or write “ngoài” (external) "
            "and its name in ten_cong_cu."
        ),
        "dbi-sme",
    ),
    "phien_ban": (
        False,
        _l("Version of our instrument"),
        _l("A published version of the instrument (1, 2 …). Blank: its current version. Not read for an external one."),
        "2",
    ),
    "ten_cong_cu": (
        False,
        _l("Name of the external instrument"),
        _l("Who made it and which edition, as the department's records name it. Blank for one of ours."),
        "Bộ chỉ số DBI 2023 của Bộ KH&CN",
    ),
    "muc_tong_the": (True, _l("Overall level"), _l("A whole number from 0 to 5."), "2"),
    "diem": (
        False,
        _l("Overall score"),
        _l("A share of the maximum from 0 to 1 (0,45) or a percent (45 or 45%). Blank if unknown."),
        "45%",
    ),
    "cac_tru_cot": (
        False,
        _l("Pillars"),
        _l(
            "Our instruments only, where known: each pillar by its name (or a word of it) and its level "
            "from 0 to 5, or its score with a % sign, separated by semicolons. The pillars: khách hàng "
            "(customer), chiến lược (strategy), hạ tầng và công nghệ (infrastructure), vận hành "
            "(operations), văn hóa (culture), dữ liệu (data)."
        ),
        "chiến lược: 2; khách hàng: 45%; dữ liệu: 1",
    ),
}
EXTERNAL_WORDS = {"external", "ngoai", "ben ngoai", "khac", "other"}  # folded
# Read folded: punctuation is a space there ("3.0" → "3 0").
_LEVEL = re.compile(r"^(?:muc|level)?\s*([0-9]+)(?: 0+)?$")
_VERSION = re.compile(r"^(?:v|phien ban|version)?\s*([0-9]+)(?: 0+)?$")
_NUMBER = re.compile(r"^[0-9]+(?:[.,][0-9]+)?$")
_SHARE = re.compile(r"^(?:0?[.,][0-9]+|1[.,]0+)$")  # a pillar's score without a % sign


def noon(day: date) -> datetime:
    """Noon of the day in the province, in UTC: the moment an imported result was submitted."""
    return datetime.combine(day, time(12), tzinfo=zone()).astimezone(UTC)


def external_id(name: str) -> str:
    """The instrument id of an external instrument: "external:" and its folded name (within 40
    characters; a long name keeps a short hash of the whole, so two long names stay apart)."""
    slug = "-".join(fold(name).split())
    room = 40 - len(EXTERNAL)
    if len(slug) > room:
        slug = f"{slug[: room - 9].rstrip('-')}-{hashlib.sha1(slug.encode()).hexdigest()[:8]}"
    return EXTERNAL + slug


def parse_level(value: Any) -> int | None:
    raw = fold(cell.text(value))
    if not raw:
        return None
    found = _LEVEL.match(raw)
    if found is None or int(found[1]) > 5:
        raise cell.CellError("bad_level")
    return int(found[1])


def parse_share(value: Any) -> float | None:
    """A score as a share of the maximum: 0,45 or 0.45, 45 or 45% (a number above 1 is a percent)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, percent = float(value), value > 1
    else:
        raw = cell.text(value).replace(" ", "")
        if not raw:
            return None
        if not _NUMBER.match(raw.removesuffix("%")):
            raise cell.CellError("bad_score")
        number = float(raw.removesuffix("%").replace(",", "."))
        percent = raw.endswith("%") or number > 1
    share = number / 100 if percent else number
    if not 0 <= share <= 1:
        raise cell.CellError("bad_score")
    return round(share, 6)


def _pillar_keys(instrument: Instrument) -> dict[str, str]:
    """Every name a pillar may be written by (folded): its id, its names, and each phrase of a name
    that no other pillar's name holds."""
    names = {p.id: {fold(p.id), fold(p.name.vi), fold(p.name.en)} for p in instrument.pillars}
    keys = {name: pid for pid, folded in names.items() for name in folded}
    phrases: dict[str, set[str]] = {}
    for pid, folded in names.items():
        for name in folded:
            words = name.split()
            for i in range(len(words)):
                for j in range(i + 1, len(words) + 1):
                    phrases.setdefault(" ".join(words[i:j]), set()).add(pid)
    return {**{p: next(iter(ids)) for p, ids in phrases.items() if len(ids) == 1}, **keys}


def parse_pillars(instrument: Instrument, value: Any) -> dict[str, dict] | None:
    """{pillar id: {"level"} or {"share", "points", "level"}} from "chiến lược: 2; khách hàng: 45%"."""
    raw = cell.text(value)
    if not raw:
        return None
    keys = _pillar_keys(instrument)
    found: dict[str, dict] = {}
    for item in filter(None, (part.strip() for part in re.split(r"[;\n]", raw))):
        name, sep, amount = item.partition(":") if ":" in item else item.partition("=")
        amount = amount.strip()
        if not sep or not amount:
            raise cell.CellError("bad_pillars")
        pid = keys.get(fold(name))
        if pid is None or pid in found:
            raise cell.CellError("unknown_pillar")
        if amount.isdigit():
            level = int(amount)
            if level not in instrument.levels:
                raise cell.CellError("bad_level")
            found[pid] = {"level": level}
            continue
        if not amount.endswith("%") and not _SHARE.match(amount):
            raise cell.CellError("bad_pillars")
        share = parse_share(amount)
        weight = instrument.pillar(pid).weight
        found[pid] = {
            "share": share,
            "points": round(float(Fraction(str(share)) * weight), 4),
            "level": pillar_level(instrument, Fraction(str(share))),
        }
    return found or None


def _total_from_pillars(instrument: Instrument, pillars: dict[str, dict] | None) -> float | None:
    """The overall score when every pillar's score is known (as our scoring adds them up)."""
    if not pillars or any("share" not in pillars.get(p.id, {}) for p in instrument.pillars):
        return None
    weights = sum((p.weight for p in instrument.pillars), Fraction(0))
    points = sum((Fraction(str(pillars[p.id]["share"])) * p.weight for p in instrument.pillars), Fraction(0))
    return round(float(points / weights), 6) if weights else None


def _required(parse):
    def read(raw: Any) -> Any:
        value = parse(raw)
        if value is None:
            raise cell.CellError("required")
        return value

    return read


def _ours(catalog: Catalog, typed: str) -> str | None:
    """The id of our instrument a cell names, by its id or its title."""
    key = fold(typed)
    for instrument in catalog.all():
        if key in (fold(instrument.id), fold(instrument.title.vi), fold(instrument.title.en)):
            return instrument.id
    return None


def _version(catalog: Catalog, instrument_id: str, raw: Any) -> Instrument:
    typed = fold(cell.text(raw))
    if not typed:
        current = catalog.current(instrument_id)
        if current is None:
            raise cell.CellError("unknown_version")
        return current
    found = _VERSION.match(typed)
    instrument = catalog.get(instrument_id, int(found[1])) if found else None
    if instrument is None or instrument.status != "published":
        raise cell.CellError("unknown_version")
    return instrument


class ResultRules:
    entity_type = "assessment"
    table = Assessment.__table__
    compared = ("instrument_version", "instrument_name", "overall_level", "total_share", "pillar_results")

    def prepare(self, rows: list[dict[str, Any]]) -> tuple[dict[str, int], Catalog]:
        return enterprises_named(rows), instruments()

    def check(self, row: Row, cells: dict[str, Any], context: tuple[dict[str, int], Catalog], today: date) -> None:
        known, catalog = context
        v = row.values
        v["enterprise_id"] = read_enterprise(row, cells, known)
        day = row.read("submitted_on", _required(lambda x: cell.parse_date(x, today)), cells.get("submitted_on"))
        v["submitted_at"] = noon(day) if day else None
        instrument = self._instrument(row, cells, catalog)
        level = row.read("overall_level", _required(parse_level), cells.get("overall_level"))
        if instrument is not None and level is not None and level not in instrument.levels:
            row.fail("overall_level", "bad_level", cells.get("overall_level"))
        v["total_share"] = row.read("score", parse_share, cells.get("score"))
        v["pillar_results"] = None
        if cell.text(cells.get("pillars")) and v["instrument_id"] and instrument is None:
            row.fail("pillars", "pillars_of_external", cells.get("pillars"))
        elif instrument is not None:
            v["pillar_results"] = row.read("pillars", lambda x: parse_pillars(instrument, x), cells.get("pillars"))
            if v["total_share"] is None:
                v["total_share"] = _total_from_pillars(instrument, v["pillar_results"])

    def _instrument(self, row: Row, cells: dict[str, Any], catalog: Catalog) -> Instrument | None:
        """Our instrument the row names (its version checked), or None for an external one (named)."""
        v = row.values
        typed = cell.text(cells.get("instrument"))
        name = normalize(cell.text(cells.get("instrument_name")))[:200]
        v["instrument_id"] = None
        ours = _ours(catalog, typed) if typed else None
        if ours is not None:
            instrument = row.read(
                "instrument_version", lambda x: _version(catalog, ours, x), cells.get("instrument_version")
            )
            if instrument is not None:
                v.update(
                    instrument_id=ours,
                    instrument_version=instrument.version,
                    instrument_name=None,
                    counts_toward_indicators=instrument.counts_toward_indicators,
                )
            return instrument
        if not typed and not name:
            row.fail("instrument", "required", "")
            return None
        if fold(typed) in EXTERNAL_WORDS and not name:
            row.fail("instrument_name", "external_needs_name", "")
            return None
        if fold(typed) not in EXTERNAL_WORDS:
            name = name or typed[:200]
        v.update(instrument_id=external_id(name), instrument_version=1, instrument_name=name)
        v["counts_toward_indicators"] = True  # toward T5 only as its setting says
        return None

    def identity(self, values: dict[str, Any]) -> tuple:
        return (values["enterprise_id"], values["instrument_id"], local_day(values["submitted_at"]))

    def existing(self, identities: list[tuple]) -> dict[tuple, dict[str, Any]]:
        found: dict[tuple, dict[str, Any]] = {}
        owners = sorted({i[0] for i in identities})
        wanted = set(identities)
        columns = [Assessment.__table__.c[c] for c in self.compared]
        query = select(
            Assessment.id, Assessment.enterprise_id, Assessment.instrument_id, Assessment.submitted_at, *columns
        )
        for start in range(0, len(owners), 2000):
            part = owners[start : start + 2000]
            rows = db.session.execute(query.where(Assessment.enterprise_id.in_(part), Assessment.is_imported.is_(True)))
            for r in rows.mappings():
                key = (r["enterprise_id"], r["instrument_id"], local_day(r["submitted_at"]))
                if key in wanted:
                    found[key] = dict(r)
        return found

    def new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        moment = values["submitted_at"]
        counts = values["counts_toward_indicators"]
        return {
            "public_id": secrets.token_urlsafe(9),
            # no one holds a token for it: the result is reached from the enterprise's history
            "resume_token_hash": hashlib.sha256(secrets.token_urlsafe(24).encode()).hexdigest(),
            "instrument_id": values["instrument_id"],
            "instrument_version": values["instrument_version"],
            "instrument_name": values["instrument_name"],
            "user_id": None,
            "enterprise_id": values["enterprise_id"],
            "status": "submitted",
            "page": 0,
            "answers": {},
            "locale": "vi",
            "started_at": moment,
            "updated_at": utcnow(),
            "submitted_at": moment,
            "counts_toward_indicators": counts,
            "total_share": values["total_share"],
            "overall_level": values["overall_level"],
            "pillar_results": values["pillar_results"],
            # the department vouches for it: it counts from its day
            "counted_at": moment if counts else None,
            "is_imported": True,
        }

    def owners(self, ids: list[int]) -> set[int]:
        return set(db.session.scalars(select(Assessment.enterprise_id).where(Assessment.id.in_(ids)))) if ids else set()

    def refresh(self, owners: set[int]) -> None:
        recompute_latest(owners)

    def describe(self, ids: list[int]) -> list[str]:
        query = (
            select(
                Enterprise.public_key,
                Assessment.instrument_id,
                Assessment.instrument_version,
                Assessment.instrument_name,
                Assessment.submitted_at,
            )
            .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
            .where(Assessment.id.in_(ids[:20]))
        )
        return [
            f"{key} · {name or f'{instrument} v{version}'} · {local_day(at).strftime('%d/%m/%Y')}"
            for key, instrument, version, name, at in db.session.execute(query)
        ]


RULES = ResultRules()
