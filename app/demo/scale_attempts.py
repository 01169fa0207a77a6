"""Counted DBI attempts for the scale data (`flask demo generate --assessments M`).

Generated attempts are stamped as counted (``counted_at`` = ``submitted_at``) as if a verified
member had linked them, but carry no user (``user_id`` NULL): no accounts are made for benchmark
data. About a third of the generated SMEs are assessed and the attempts asked for are shared among
them, so each assessed firm has one attempt or several retakes, spread over 2023 to the as-of day
and more of them lately, usually improving. Answers come from a pool of a few hundred answer sets
scored once by the instrument's own rules, so levels, shares and pillar results agree with answers.
Rows get their ids here (the generator is the only writer while it runs), which lets each chunk
write its attempts and the latest attempt of each firm without reading anything back.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from sqlalchemy import JSON, Text, column, func, select, table, text

from app.assessment.instruments import Instrument
from app.demo import bulk
from app.demo.answers import Pool
from app.demo.attempts import FIRST_LEVELS, SMES
from app.demo.history import PLAN_START, at_office_hours
from app.extensions import db
from app.models import Assessment, LatestAssessment

ASSESSED_SHARE = 0.35  # of the generated SMEs
IMPROVES = 0.35  # chance that a retake is a level higher than the attempt before


def _as_text(model_table):
    """The table with its JSON columns as text: the pooled answers are JSON already."""
    return table(
        model_table.name,
        *(column(c.name, Text if isinstance(c.type, JSON) else c.type) for c in model_table.columns),
    )


class AttemptMaker:
    def __init__(self, rng: random.Random, instrument: Instrument, as_of: date):
        self.rng = rng
        self.instrument = instrument
        self.as_of = as_of
        self.pool = Pool(random.Random(rng.random()), instrument)
        self.next_id = (db.session.scalar(select(func.max(Assessment.id))) or 0) + 1
        self.table = _as_text(Assessment.__table__)
        self.owed = 0  # attempts a chunk could not place (no SME in it), passed to the next

    def add(self, rows: list[dict], wanted: int) -> int:
        """Add ``wanted`` attempts (plus any owed) among the SMEs of ``rows`` (inserted already);
        returns how many were added."""
        wanted += self.owed
        if wanted <= 0:
            return 0
        rng = self.rng
        windows = {}
        for row in rows:
            if row["size_tier"] in SMES and row["record_state"] == "published":
                window = self._window(row)
                if window:
                    windows[row["public_key"]] = window
        firms = [key for key in windows if rng.random() < ASSESSED_SHARE] or list(windows)[:1]
        firms = firms[:wanted]
        if not firms:
            self.owed = wanted
            return 0
        ids = bulk.ids_by_public_key(firms)
        counts = [1] * len(firms)
        for _ in range(wanted - len(firms)):
            counts[rng.randrange(len(firms))] += 1
        attempts, latest = [], []
        for key, count in zip(firms, counts, strict=True):
            made = self._attempts(ids[key], windows[key], count)
            attempts += made
            latest.append(made[-1])
        bulk.insert_rows(self.table, attempts)
        bulk.insert_rows(LatestAssessment.__table__, [_latest(row) for row in latest])
        self._advance_sequence()
        self.owed = 0
        return len(attempts)

    def _window(self, row: dict) -> tuple[date, date] | None:
        earliest = max(PLAN_START, row["registered_on"] + timedelta(days=14))
        latest = min(self.as_of, row["ceased_on"] - timedelta(days=1)) if row["ceased_on"] else self.as_of
        return (earliest, latest) if earliest <= latest else None

    def _attempts(self, enterprise_id: int, window: tuple[date, date], count: int) -> list[dict]:
        rng = self.rng
        first, last = window
        span = (last - first).days
        # More attempts lately: the later of two draws is three times likelier at the end.
        days = sorted(first + timedelta(days=round(span * (1 - rng.random()) ** 0.8)) for _ in range(count))
        level = FIRST_LEVELS.pick(rng)
        made = []
        submitted = None
        for index, day in enumerate(days):
            if index and rng.random() < IMPROVES:
                level = min(5, level + 1)
            held, answers, share, pillars = self.pool.pick(rng, level)
            moment = at_office_hours(rng, day)  # two attempts the same day: the later one later
            submitted = moment if submitted is None else max(moment, submitted + timedelta(minutes=20))
            made.append(
                {
                    "id": self.next_id,
                    # Both unique: the id first keeps their indexes growing at the end (millions
                    # of random keys would split pages all over), random after it. The second is
                    # not the hash of any token: a generated attempt can never be resumed.
                    "public_id": f"g{self.next_id:011d}{secrets.token_urlsafe(6)}",
                    "resume_token_hash": f"{self.next_id:016x}{secrets.token_hex(24)}",
                    "instrument_id": self.instrument.id,
                    "instrument_version": self.instrument.version,
                    "user_id": None,
                    "enterprise_id": enterprise_id,
                    "status": "submitted",
                    "page": len(self.instrument.pillars),
                    "answers": answers,
                    "locale": "vi",
                    "started_at": submitted - timedelta(minutes=rng.randint(6, 45)),
                    "updated_at": submitted,
                    "submitted_at": submitted,
                    "counts_toward_indicators": True,
                    "total_share": share,
                    "overall_level": held,
                    "pillar_results": pillars,
                    "counted_at": submitted,
                }
            )
            self.next_id += 1
        return made

    def _advance_sequence(self) -> None:
        # PostgreSQL hands out ids from a sequence: move it past the ids given here.
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence('assessment', 'id'), (SELECT max(id) FROM assessment))")
            )


def _latest(row: dict) -> dict:
    return {
        "enterprise_id": row["enterprise_id"],
        "assessment_id": row["id"],
        "instrument_id": row["instrument_id"],
        "instrument_version": row["instrument_version"],
        "overall_level": row["overall_level"],
        "total_share": row["total_share"],
        "submitted_at": row["submitted_at"],
    }
