"""A computed figure and its breakdowns, as plain data; and the suppression of small public cells.

A ``Cell`` counts a numerator, a denominator (None for a plain count) and the number of enterprises
it describes, which is what the suppression rule reads. A ``Figure`` is an indicator as of a day:
the value, the total cell, the counts kept apart from the denominator, extra counts (levels, the
split, years) and a cell per key of each dimension. Figures are stored as JSON in snapshots.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass
class Cell:
    numerator: int = 0
    denominator: int | None = 0
    enterprises: int = 0
    hidden: bool = False

    @property
    def share(self) -> float | None:
        """numerator ÷ denominator as a percentage, or None when there is no denominator."""
        if self.hidden or not self.denominator:
            return None
        return 100.0 * self.numerator / self.denominator

    def add(self, numerator: int, denominator: int | None, enterprises: int) -> None:
        self.numerator += numerator
        self.denominator = None if denominator is None else (self.denominator or 0) + denominator
        self.enterprises += enterprises


@dataclass
class Figure:
    code: str
    as_of: date
    unit: str  # percent | count
    settings: dict[str, str]
    total: Cell
    apart: dict[str, int] = field(default_factory=dict)  # counted apart, never in the denominator
    extra: dict[str, Any] = field(default_factory=dict)  # levels, split, years …
    by: dict[str, dict[str, Cell]] = field(default_factory=dict)

    @property
    def value(self) -> float | None:
        if self.unit == "count":
            return float(self.total.numerator)
        return self.total.share

    @property
    def numerator(self) -> int:
        return self.total.numerator

    @property
    def denominator(self) -> int | None:
        return self.total.denominator

    def summary(self) -> dict[str, Any]:
        """What a series point and a card need: small, stored apart from the breakdowns."""
        return {
            "code": self.code,
            "as_of": self.as_of.isoformat(),
            "unit": self.unit,
            "value": self.value,
            "total": asdict(self.total),
            "apart": self.apart,
            "extra": self.extra,
            "settings": self.settings,
        }

    def breakdowns(self) -> dict[str, Any]:
        return {dim: {key: asdict(cell) for key, cell in cells.items()} for dim, cells in self.by.items()}

    @classmethod
    def restore(cls, summary: dict[str, Any], breakdowns: dict[str, Any] | None = None) -> Figure:
        return cls(
            code=summary["code"],
            as_of=date.fromisoformat(summary["as_of"]),
            unit=summary["unit"],
            settings=summary["settings"],
            total=Cell(**summary["total"]),
            apart=summary["apart"],
            extra=summary["extra"],
            by={dim: {key: Cell(**c) for key, c in cells.items()} for dim, cells in (breakdowns or {}).items()},
        )


def grouped(rows, dimensions, keys_of, measure) -> dict[str, dict[str, Cell]]:
    """Cells per key of each dimension from grouped rows; ``measure(row)`` gives (n, d, enterprises)."""
    by: dict[str, dict[str, Cell]] = {dim: defaultdict(Cell) for dim in dimensions}
    for row in rows:
        n, d, e = measure(row)
        if not (n or d or e):
            continue
        for dim in dimensions:
            for key in keys_of(dim, getattr(row, dim)):
                by[dim][key].add(n, d, e)
    return {dim: dict(cells) for dim, cells in by.items()}


def suppress(cells: dict[str, Cell], minimum: int) -> dict[str, Cell]:
    """Hide the cells that describe 1 to ``minimum``−1 enterprises, and what would reveal them.

    Primary suppression hides each small cell. Secondary suppression: a dimension's cells add up to a
    published total, so the hidden cells together can be recovered by subtraction; they are therefore
    completed with the next smallest cells until at least two are hidden and together they describe
    at least ``minimum`` enterprises. Empty cells (no enterprise) reveal nobody and stay.
    """
    out = {key: Cell(c.numerator, c.denominator, c.enterprises, c.hidden) for key, c in cells.items()}
    hidden = {key for key, c in out.items() if 0 < c.enterprises < minimum}
    shown = sorted((c.enterprises, key) for key, c in out.items() if key not in hidden and c.enterprises > 0)
    while hidden and (len(hidden) < 2 or sum(out[k].enterprises for k in hidden) < minimum) and shown:
        hidden.add(shown.pop(0)[1])
    for key in hidden:
        cell = out[key]
        cell.hidden, cell.numerator, cell.denominator, cell.enterprises = True, 0, None, 0
    return out


def suppress_counts(counts: dict[str, int], minimum: int) -> dict[str, int | None]:
    """The same rule for a plain distribution of enterprises (split, years): None for a hidden count."""
    cells = suppress({k: Cell(v, None, v) for k, v in counts.items()}, minimum)
    return {k: None if c.hidden else counts[k] for k, c in cells.items()}


def _suppress_levels(extra: dict[str, Any], threshold: int, minimum: int) -> dict[str, Any]:
    """Levels below and from the threshold add up to published counts (coverage − numerator, the
    numerator): each side is suppressed as a distribution of its own; a hidden "no valid assessment"
    (denominator − coverage) hides the coverage too."""
    levels = extra["levels"]
    below = {k: v for k, v in levels.items() if k != "none" and int(k) < threshold}
    above = {k: v for k, v in levels.items() if k != "none" and int(k) >= threshold}
    shown: dict[str, int | None] = {}
    exposed = False  # a side whose hidden counts can still be recovered from its published sum
    for side in (below, above):
        side_shown = suppress_counts(side, minimum)
        hidden = [k for k, v in side_shown.items() if v is None]
        exposed |= bool(hidden) and (len(hidden) < 2 or sum(side[k] for k in hidden) < minimum)
        shown.update(side_shown)
    none = levels.get("none", 0)
    none_hidden = 0 < none < minimum or exposed  # then coverage goes too: the sums no longer close
    shown["none"] = None if none_hidden else none
    return {**extra, "levels": {k: shown[k] for k in levels}, "assessed": None if none_hidden else extra["assessed"]}


def public(figure: Figure, minimum: int) -> Figure:
    """The figure as the public sees it: every breakdown and distribution suppressed."""
    extra = dict(figure.extra)
    if "levels" in extra:
        extra = _suppress_levels(extra, int(figure.settings.get("t5_threshold_level", 1)), minimum)
    for key in ("split", "founded_by_year", "labelled_by_year"):
        if key in extra:
            extra[key] = suppress_counts(extra[key], minimum)
    apart = suppress_counts(figure.apart, minimum) if figure.apart else {}
    return Figure(
        figure.code,
        figure.as_of,
        figure.unit,
        figure.settings,
        figure.total,
        apart,
        extra,
        {dim: suppress(cells, minimum) for dim, cells in figure.by.items()},
    )
