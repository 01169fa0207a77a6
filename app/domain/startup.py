"""Innovative-startup eligibility (Law 04/2017/QH14 Art. 3(2)): a time window from founding, which
the review queue shows beside a request for the startup label (rules/startup.yaml)."""

from __future__ import annotations

from datetime import date

from app import rules


def startup_window_ends(founded_on: date) -> date:
    """The last day of the eligibility window (the `max_years` anniversary of registration)."""
    years = int(rules.load("startup")["max_years"])
    try:
        return founded_on.replace(year=founded_on.year + years)
    except ValueError:  # founded on 29 February
        return founded_on.replace(year=founded_on.year + years, day=28)
