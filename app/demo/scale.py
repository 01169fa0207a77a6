"""Scale data for benchmarks: many made-up enterprises, inserted in chunks with SQLAlchemy Core.

Same composer as the demo province, so the sector, size and place mix match; codes continue after
the highest code already used from prefix 45 up (the demo province uses 44), so runs never collide.
Records are dated as the demo province's are (history.py), products carry their verification and
listings their checks, and ``assessments`` counted DBI attempts are shared among the generated
SMEs (scale_attempts.py). Each chunk is a unit of work of its own: this is benchmark data, not a user's write.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, text

from app import audit, rules
from app.assessment.catalog import instruments
from app.demo import bulk, history
from app.demo.accounts import DEMO_ACTOR
from app.demo.codes import codes_after, household_key, personal_id, split_code
from app.demo.composer import Composer, Draft
from app.demo.products import ProductMaker
from app.demo.scale_attempts import AttemptMaker
from app.demo.scale_products import add_products, product_chance
from app.demo.tech import tech_firm
from app.domain import sectors
from app.domain.legal_forms import SME_ELIGIBLE
from app.domain.size import NOT_APPLICABLE, classify_size
from app.edge import unit_of_work
from app.extensions import db
from app.models import Enterprise
from app.models.base import today_local, utcnow
from app.reference.services import load_reference_data
from app.registry.services import commune_name, name_fields

PROVENANCE = "generated"
FIRST_PREFIX = 45
HOUSEHOLD_SHARE = 0.15
BRANCH_SHARE = 0.005
TECH_SHARE = 0.005


@dataclass(frozen=True)
class GenerateResult:
    enterprises: int
    products: int
    listings: int
    checks: int
    assessments: int
    first_code: str | None
    last_code: str | None
    seconds: float


# Generated names repeat often at a million rows: the stored name forms, remembered.
_name_fields = functools.lru_cache(maxsize=1 << 17)(name_fields)


@functools.cache
def _commune_name(code: str) -> str:
    return commune_name(code)


@functools.cache
def _sector(vsic: str) -> tuple[str | None, str | None]:
    section = sectors.section_for_vsic(vsic)
    return section, sectors.sector_group(section)


def _derive(fields: dict, tiers: list[dict]) -> dict:
    """What registry.services.derive() computes, from the same domain functions, at a million rows' pace.

    The section and group are memoized per VSIC code and the size thresholds read once; the NFC pass
    is left out because composed text is NFC already. tests/test_demo.py checks both agree.
    """
    section, group = _sector(fields["main_vsic"])
    fields.update(_name_fields(fields["name"], _commune_name(fields["commune_code"]), (), fields.get("description")))
    fields["vsic_section"] = section
    fields["size_tier"] = (
        classify_size(group, fields["employees"], fields["revenue_vnd"], fields["capital_vnd"], tiers)
        if fields["legal_form"] in SME_ELIGIBLE
        else NOT_APPLICABLE
    )
    return fields


def next_code_position() -> tuple[int, int]:
    """(prefix, sequence) of the highest code from FIRST_PREFIX up; generation continues after it."""
    top = db.session.scalar(select(func.max(Enterprise.code)).where(Enterprise.code >= f"{FIRST_PREFIX}00000000"))
    return split_code(top) if top else (FIRST_PREFIX, 0)


def _tune_sqlite() -> None:
    # A large page cache keeps the growing indexes in memory between chunks (per connection).
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA cache_size = -262144"))


class _Chunk:
    """One chunk of drafts: companies with codes, branches of some of them, household businesses."""

    def __init__(self, composer: Composer, codes, size: int, households: float = HOUSEHOLD_SHARE):
        rng = composer.rng
        self.drafts: list[Draft] = []
        parents: list[Draft] = []
        for _ in range(size):
            roll = rng.random()
            if roll < households:
                draft = composer.draft(household=True)
                draft.fields.update(code=None, public_key=household_key(rng), personal_id=personal_id(rng))
            elif roll < households + BRANCH_SHARE and parents:
                draft = self._branch(composer, parents.pop())
            else:
                draft = tech_firm(composer) if roll > 1 - TECH_SHARE else composer.draft()
                code = next(codes)
                draft.fields.update(code=code, public_key=code, personal_id=None)
                if draft.fields["legal_form"] in ("tnhh2", "cp"):
                    parents.append(draft)
            self.drafts.append(draft)

    @staticmethod
    def _branch(composer: Composer, parent: Draft) -> Draft:
        commune = composer.commune()
        code = f"{parent.fields['code']}-001"
        fields = {
            **parent.fields,
            "code": code,
            "public_key": code,
            "legal_form": "branch",
            "commune_code": commune.code,
            "name": f"Chi nhánh {parent.fields['name']} tại {commune.name}",
            "revenue_vnd": None,
            "capital_vnd": None,
            "address": composer.address(parent.trade, commune, "branch"),
            "employees": composer.rng.randint(2, 15),
        }
        return Draft(fields, parent.trade, parent.brand)

    def date(self, rng: random.Random, as_of: date) -> None:
        """Registration, cessation and label days, as the demo province's records have them."""
        for draft in self.drafts:
            history.date_record(rng, draft.fields, as_of)
            if draft.fields.get("is_digital_tech"):
                early = rng.random() < history.EARLY_LABELS
                history.date_labels(rng, draft.fields, as_of, early=early)

    def renumber_taken_households(self, rng: random.Random) -> None:
        """Household keys are random: draw again the rare one already in the database."""
        households = [d for d in self.drafts if d.fields["code"] is None]
        clash = bulk.taken_keys(d.fields["public_key"] for d in households)
        while clash:
            for draft in households:
                if draft.fields["public_key"] in clash:
                    draft.fields["public_key"] = household_key(rng)
            clash = bulk.taken_keys(d.fields["public_key"] for d in households if d.fields["public_key"] in clash)


def generate(
    count: int,
    seed: int = 1,
    chunk_size: int = 20_000,
    progress: Callable[[int, int, float], None] | None = None,
    assessments: int = 0,
    households: float = HOUSEHOLD_SHARE,
) -> GenerateResult:
    """Add ``count`` enterprises with products, listings and ``assessments`` counted attempts,
    committing chunk by chunk; ``households`` of them household businesses. ``progress`` is told
    (enterprises, attempts, seconds) after each."""
    started = time.perf_counter()
    with unit_of_work():
        load_reference_data()
    prefix, sequence = next_code_position()
    # The start position enters the seed so that a second run does not repeat the first one's draws.
    rng = random.Random(f"{seed}:{prefix}:{sequence}")
    as_of = today_local()
    composer = Composer(rng, bulk.region(), as_of, curated_brands=0.35)
    maker = ProductMaker(rng, as_of)
    chance = product_chance(households)
    attempts = AttemptMaker(rng, instruments().current("dbi-sme"), as_of) if assessments else None
    codes = codes_after(prefix, sequence)
    tiers = rules.load("size_tiers")["tiers"]
    done = attempted = 0
    made = [0, 0, 0]  # products, listings, checks
    first_code = last_code = None
    while done < count:
        with unit_of_work():
            rows, chunk_made, chunk_attempted = _add_chunk(
                composer,
                codes,
                maker,
                chance,
                attempts,
                tiers,
                rng,
                as_of,
                min(chunk_size, count - done),
                assessments * (done + min(chunk_size, count - done)) // count - assessments * done // count,
                households,
            )
        made = [a + b for a, b in zip(made, chunk_made, strict=True)]
        attempted += chunk_attempted
        company_codes = [r["code"] for r in rows if r["code"] and len(r["code"]) == 10]
        first_code = first_code or (company_codes[0] if company_codes else None)
        last_code = company_codes[-1] if company_codes else last_code
        done += len(rows)
        if progress:
            progress(done, attempted, time.perf_counter() - started)
    with unit_of_work():
        bulk.forget_progress_snapshots()
        audit.record(
            DEMO_ACTOR,
            "generate",
            "enterprise",
            None,
            None,
            {
                "enterprises": count,
                "assessments": attempted,
                "seed": seed,
                "first_code": first_code,
                "last_code": last_code,
            },
            provenance=PROVENANCE,
        )
    return GenerateResult(done, *made, attempted, first_code, last_code, time.perf_counter() - started)


def _add_chunk(composer, codes, maker, chance, attempts, tiers, rng, as_of, size: int, share: int, households: float):
    """Insert one chunk of enterprises with their products, listings and attempts; returns the rows,
    the (products, listings, checks) made and the attempts added."""
    _tune_sqlite()
    chunk = _Chunk(composer, codes, size, households)
    chunk.renumber_taken_households(rng)
    chunk.date(rng, as_of)
    now = utcnow()
    rows = [_row(d, tiers, now) for d in chunk.drafts]
    bulk.insert_rows(Enterprise.__table__, rows)
    ids = bulk.ids_by_public_key(row["public_key"] for row in rows)
    bulk.insert_history(rows, [ids[row["public_key"]] for row in rows], as_of)
    made = add_products(maker, chunk.drafts, chance, now)
    attempted = attempts.add(rows, share) if attempts else 0
    return rows, made, attempted


def _row(draft: Draft, tiers: list[dict], now: datetime) -> dict:
    row = bulk.enterprise_row(_derive(draft.fields, tiers), PROVENANCE, now)
    row["created_at"] = history.morning_of(row["registered_on"])
    return row
