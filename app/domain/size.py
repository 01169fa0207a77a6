"""SME size tier by Decree 80/2021/NĐ-CP Article 5; the thresholds live in size_tiers.yaml.

A firm is in a tier when its employees fit the tier's cap AND (its revenue OR its total capital)
fits; otherwise the next tier is tried, and beyond the last one the firm is large. When a figure is
missing, the tiers the firm could be in — over every value the missing figure could take — are
worked out: one tier is that tier; several tiers that are all SME tiers give a range
(``small_medium``: small or medium …), so that a firm whose known figures prove it is an SME counts
as one; a firm that could be large is ``unknown``.
"""

from __future__ import annotations

from itertools import product

from app import rules

MICRO, SMALL, MEDIUM, LARGE = "micro", "small", "medium", "large"
# The tier is not decided (a figure is missing) but every tier the firm could be in is an SME tier.
MICRO_SMALL, SMALL_MEDIUM, SME = "micro_small", "small_medium", "sme"
UNKNOWN = "unknown"  # a missing figure (or sector group) leaves open whether the firm is an SME
NOT_APPLICABLE = "not_applicable"  # household businesses and branches are not SMEs
SME_TIERS = (MICRO, SMALL, MEDIUM)  # the tiers of size_tiers.yaml (app/checks.py holds the file to them)
SME_RANGES = (MICRO_SMALL, SMALL_MEDIUM, SME)
COUNTED_AS_SME = (*SME_TIERS, *SME_RANGES)
ALL_TIERS = (MICRO, MICRO_SMALL, SMALL, SMALL_MEDIUM, MEDIUM, SME, LARGE, UNKNOWN, NOT_APPLICABLE)

# The figures of the decision, in the order of classify_size's arguments.
FIGURES = ("employees", "revenue", "capital")
_RANGES = {frozenset((MICRO, SMALL)): MICRO_SMALL, frozenset((SMALL, MEDIUM)): SMALL_MEDIUM}


def classify_size(
    group: str | None,
    employees: int | None,
    revenue_vnd: int | None,
    capital_vnd: int | None,
    thresholds: list[dict] | None = None,
) -> str:
    """Return the tier of an enterprise: in a tier when employees fit AND (revenue OR capital) fits.

    With a figure missing: the one tier the firm can be in whatever that figure is; else the range of
    SME tiers it can be in (``micro_small``, ``small_medium``, ``sme``); ``unknown`` when it could be
    large, or when its sector group is not known.
    """
    if group is None:
        return UNKNOWN
    tiers = thresholds if thresholds is not None else rules.load("size_tiers")["tiers"]
    if employees is not None and revenue_vnd is not None and capital_vnd is not None:
        return _tier(tiers, group, employees, revenue_vnd, capital_vnd)  # the usual case, decided
    if employees is not None and (decided := _fits_first(tiers, group, employees, revenue_vnd, capital_vnd)):
        return decided  # the figure known already places it: the missing one cannot change that
    possible = possible_tiers(group, employees, revenue_vnd, capital_vnd, tiers)
    if len(possible) == 1:
        return next(iter(possible))
    if LARGE in possible:
        return UNKNOWN
    # Contiguous with caps that rise tier by tier (as in the Decree); any other set of SME tiers
    # (thresholds that do not rise) is said as the whole range.
    return _RANGES.get(frozenset(possible), SME)


def possible_tiers(
    group: str,
    employees: int | None,
    revenue_vnd: int | None,
    capital_vnd: int | None,
    thresholds: list[dict] | None = None,
) -> set[str]:
    """Every tier the firm can be in, a missing figure taking any value from 0 up.

    The decision only compares each figure with the caps, so a missing figure is tried at 0, at each
    of its caps and one above each: one value in every stretch the caps cut the figures into.
    """
    tiers = thresholds if thresholds is not None else rules.load("size_tiers")["tiers"]
    values = []
    for figure, value in zip(FIGURES, (employees, revenue_vnd, capital_vnd), strict=True):
        if value is not None:
            values.append((value,))
        else:
            caps = {tier[group][figure] for tier in tiers}
            values.append(sorted({0, *(c for c in caps if c >= 0), *(c + 1 for c in caps if c + 1 >= 0)}))
    return {_tier(tiers, group, *figures) for figures in product(*values)}


def _fits_first(
    tiers: list[dict], group: str, employees: int, revenue_vnd: int | None, capital_vnd: int | None
) -> str | None:
    """The tier when the first tier the employees fit is also met by a known money figure (the other
    one, whatever it is, cannot undo an "or"); None when that takes the missing figure."""
    for tier in tiers:
        caps = tier[group]
        if employees <= caps["employees"]:
            met = (revenue_vnd is not None and revenue_vnd <= caps["revenue"]) or (
                capital_vnd is not None and capital_vnd <= caps["capital"]
            )
            return tier["tier"] if met else None
    return None


def _tier(tiers: list[dict], group: str, employees: int, revenue_vnd: int, capital_vnd: int) -> str:
    for tier in tiers:
        caps = tier[group]
        if employees <= caps["employees"] and (revenue_vnd <= caps["revenue"] or capital_vnd <= caps["capital"]):
            return tier["tier"]
    return LARGE


def missing_figures(employees: int | None, revenue_vnd: int | None, capital_vnd: int | None) -> list[str]:
    """The figures of the decision that are not known, among FIGURES ("employees", "revenue", "capital")."""
    return [
        figure for figure, value in zip(FIGURES, (employees, revenue_vnd, capital_vnd), strict=True) if value is None
    ]
