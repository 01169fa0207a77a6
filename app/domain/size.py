"""SME size tier by Decree 80/2021/NĐ-CP Article 5; the thresholds live in size_tiers.yaml."""

from __future__ import annotations

from app import rules

MICRO, SMALL, MEDIUM, LARGE = "micro", "small", "medium", "large"
UNKNOWN = "unknown"  # a figure needed for the decision is missing
NOT_APPLICABLE = "not_applicable"  # household businesses and branches are not SMEs
SME_TIERS = (MICRO, SMALL, MEDIUM)
ALL_TIERS = (MICRO, SMALL, MEDIUM, LARGE, UNKNOWN, NOT_APPLICABLE)


def classify_size(
    group: str | None,
    employees: int | None,
    revenue_vnd: int | None,
    capital_vnd: int | None,
    thresholds: list[dict] | None = None,
) -> str:
    """Return the tier of an enterprise: in a tier when employees fit AND (revenue OR capital) fits.

    Missing figures give ``unknown`` unless the known ones already decide the tier.
    """
    if group is None or employees is None:
        return UNKNOWN
    tiers = thresholds if thresholds is not None else rules.load("size_tiers")["tiers"]
    for tier in tiers:
        caps = tier[group]
        if employees > caps["employees"]:
            continue
        known = [
            value <= cap
            for value, cap in ((revenue_vnd, caps["revenue"]), (capital_vnd, caps["capital"]))
            if value is not None
        ]
        if any(known):
            return tier["tier"]
        if len(known) < 2:
            # One figure missing: it could have placed the firm here; we do not guess.
            return UNKNOWN
    return LARGE
