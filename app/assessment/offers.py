"""An attempt in progress offered before a fresh start, at /danh-gia and on the account page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session, url_for

from app.assessment import services
from app.assessment.instruments import Instrument
from app.models import Assessment

GRANTED = "assessments"  # the attempts whose private link this browser session holds


def granted() -> list[str]:
    return session.get(GRANTED, [])


@dataclass(frozen=True)
class Offer:
    attempt: Assessment
    instrument: Instrument
    number: int | None  # the page to continue from; None once every page is done
    url: str


def continue_offers(user) -> list[Offer]:
    """The person's attempts in progress (and those of the links this browser holds), newest first."""
    offers = []
    for attempt in services.in_progress_for(user, granted()):
        try:
            instrument = services.instrument_of(attempt)
        except services.AssessmentError:
            continue
        if attempt.page >= len(instrument.pillars):
            number, url = None, url_for("assessment.review", public_id=attempt.public_id)
        else:
            number = attempt.page + 1
            url = url_for("assessment.page", public_id=attempt.public_id, number=number)
        offers.append(Offer(attempt, instrument, number, url))
    return offers
