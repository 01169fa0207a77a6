"""What a results page shows: level, pillars, strengths, next steps, providers, change, peers."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.assessment import services
from app.assessment.instruments import Instrument, Level, Pillar, Recommendation
from app.models import Assessment, Enterprise


@dataclass
class PillarRow:
    pillar: Pillar
    share: float
    level: int
    level_name: str
    change: float | None = None          # share points since the previous attempt
    peer_median: float | None = None


@dataclass
class NextStep:
    row: PillarRow
    recommendations: list[Recommendation]
    providers: list[Enterprise] = field(default_factory=list)


@dataclass
class ResultView:
    instrument: Instrument
    level: Level
    total_share: float
    rows: list[PillarRow]
    strengths: list[PillarRow]
    next_steps: list[NextStep]
    previous: Assessment | None
    peers: services.PeerComparison | None
    invites: Instrument | None


def build_view(attempt: Assessment, peer_minimum: int) -> ResultView:
    instrument = services.instrument_of(attempt)
    stored = attempt.pillar_results or {}
    previous = services.previous_attempt(attempt)
    before = (previous.pillar_results or {}) if previous else {}
    peers = services.peer_comparison(attempt, peer_minimum)
    rows = []
    for pillar in instrument.pillars:
        record = stored[pillar.id]
        row = PillarRow(pillar, record["share"], record["level"], str(instrument.levels[record["level"]].name))
        if pillar.id in before:
            row.change = record["share"] - before[pillar.id]["share"]
        if peers and pillar.id in peers.pillar_medians:
            row.peer_median = peers.pillar_medians[pillar.id]
        rows.append(row)
    ranked = sorted(rows, key=lambda r: (r.share, r.pillar.order))
    weakest = ranked[:3]
    strengths = [r for r in sorted(rows, key=lambda r: -r.share) if r not in weakest and r.level >= 1][:3]
    steps = []
    for row in weakest:
        recommendations = instrument.recommendations_for(row.pillar.id, row.level)
        categories = {c for r in recommendations for c in r.categories}
        steps.append(NextStep(row, recommendations, services.providers_for(categories)))
    from app.assessment.registry import instruments

    invites = instruments().current(instrument.invites) if instrument.invites else None
    return ResultView(instrument, instrument.levels[attempt.overall_level], attempt.total_share, rows, strengths,
                      steps, previous, peers, invites)


@dataclass
class TrendPoint:
    attempt: Assessment
    x: float
    y: float


def trend(attempts: list[Assessment]) -> list[TrendPoint]:
    """Submitted counted-instrument attempts in time order, placed on a 0–100 × 0–100 grid."""
    done = sorted((a for a in attempts if a.is_submitted and a.total_share is not None), key=lambda a: a.submitted_at)
    if len(done) < 2:
        return []
    step = 100 / (len(done) - 1)
    return [TrendPoint(a, i * step, 100 - a.total_share * 100) for i, a in enumerate(done)]
