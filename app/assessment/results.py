"""What a results page shows: level, pillars, strengths, next steps, providers, change, peers; for a
past result the department imported, what its records say."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import to_user_timezone
from markupsafe import Markup

from app import charts
from app.assessment import scoring, services
from app.assessment.catalog import instrument_title, instruments
from app.assessment.instruments import Instrument, Level, Pillar, Question, Recommendation
from app.i18n import fmt_date, fmt_percent
from app.models import Assessment, Enterprise
from app.models.assessment import EXTERNAL


@dataclass
class PillarRow:
    pillar: Pillar
    share: float | None  # None: an imported result that gives the pillar's level only
    level: int
    level_name: str
    change: float | None = None  # share points since the previous attempt
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
    unanswered: list[tuple[Question, str]]  # questions left blank or hidden, and how each counted
    reason: scoring.LevelReason | None = None  # the rule that gave the level, and what the next takes

    def pillars_to_raise(self) -> str:
        """The pillars nearest to the next level's pillar level, as many as it still needs, by name."""
        reason = self.reason
        if reason is None or reason.next_rule is None:
            return ""
        more = max(reason.next_rule.min_pillars - reason.next_reached, 0)
        names = {r.pillar.id: str(r.pillar.name) for r in self.rows}
        return ", ".join(names[pid] for pid in reason.below[:more])


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
    step_level = max((r.level for r in weakest), default=0)  # a strength stands above every next step
    strengths = [r for r in sorted(rows, key=lambda r: -r.share) if r not in weakest and r.level > step_level][:3]
    steps = []
    for row in weakest:
        recommendations = instrument.recommendations_for(row.pillar.id, row.level)
        categories = {c for r in recommendations for c in r.categories}
        steps.append(NextStep(row, recommendations, services.providers_for(categories)))

    invites = instruments().current(instrument.invites) if instrument.invites else None
    scored = scoring.score(instrument, attempt.answers or {})
    unanswered = [
        (instrument.questions_by_name[name], rule)
        for rule, names in (("not_counted", scored.not_counted), ("zero", scored.scored_zero))
        for name in names
    ]
    unanswered.sort(key=lambda item: instrument.questions.index(item[0]))
    return ResultView(
        instrument,
        instrument.levels[attempt.overall_level],
        attempt.total_share,
        rows,
        strengths,
        steps,
        previous,
        peers,
        invites,
        unanswered,
        scoring.level_reason(
            instrument, attempt.overall_level, attempt.total_share, {r.pillar.id: r.level for r in rows}
        ),
    )


@dataclass
class ImportedView:
    """A result the department imported: no answers behind it, so no change, peers or unanswered
    questions; its pillars where the records give them."""

    instrument: Instrument | None  # None: an external instrument
    title: str
    level: Level | None  # the level's name and meaning (our instruments only)
    rows: list[PillarRow]  # a share of None: only the pillar's level is known
    next_steps: list[NextStep]
    invites: Instrument | None  # our instrument to take now, with one's own answers


def imported_view(attempt: Assessment) -> ImportedView:
    instrument = None if attempt.is_external else services.instrument_of(attempt)
    rows = []
    for pillar in instrument.pillars if instrument else ():
        record = (attempt.pillar_results or {}).get(pillar.id)
        if record is not None:
            name = str(instrument.levels[record["level"]].name)
            rows.append(PillarRow(pillar, record.get("share"), record["level"], name))
    steps = []
    for row in sorted(rows, key=lambda r: (r.level, r.pillar.order))[:3]:
        recommendations = instrument.recommendations_for(row.pillar.id, row.level)
        categories = {c for r in recommendations for c in r.categories}
        steps.append(NextStep(row, recommendations, services.providers_for(categories)))
    offered = [i for i in instruments().offered() if i.counts_toward_indicators]
    invites = instruments().current(instrument.id) if instrument else None
    return ImportedView(
        instrument,
        attempt_title(attempt),
        instrument.levels.get(attempt.overall_level) if instrument else None,
        rows,
        steps,
        invites or (offered[0] if offered else None),
    )


def attempt_title(attempt: Assessment) -> str:
    """The instrument an attempt answers, as people know it: ours by its title and version, an
    external one by the name the department's records give."""
    if attempt.is_external:
        return attempt.instrument_name or attempt.instrument_id.removeprefix(EXTERNAL)
    return instrument_title(attempt.instrument_id, attempt.instrument_version)


def level_name(attempt: Assessment) -> str:
    """The name of a submitted attempt's overall level, in the page's language ("" for an external
    instrument's, whose scale is its own)."""
    if attempt.is_external:
        return ""
    return str(services.instrument_of(attempt).levels[attempt.overall_level].name)


def trend_chart(attempts: list[Assessment]) -> Markup:
    """The overall score of each submitted attempt by date, as a line chart; empty under two attempts."""
    done = sorted((a for a in attempts if a.is_submitted and a.total_share is not None), key=lambda a: a.submitted_at)
    if len(done) < 2:
        return Markup("")
    return charts.line_chart(
        [(to_user_timezone(a.submitted_at).date(), a.total_share * 100) for a in done],  # the day the table shows
        point_labels=[" · ".join(filter(None, (_("Level %(n)s", n=a.overall_level), level_name(a)))) for a in done],
        title=_("Overall score over time"),
        chart_id="trend",
        y_max=100,
        value_format=lambda v: fmt_percent(v / 100),
        date_format=fmt_date,
    )
