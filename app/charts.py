"""Charts drawn on the server as SVG, with no JavaScript: a line over time and horizontal bars.

Each chart is an ``<svg role="img">`` named by its ``<title>`` (through ``aria-labelledby``), with a
fixed viewBox and ``width="100%"``: it scales proportionally, so round markers stay round, and its
text sizes are chosen in viewBox units to stay readable when the chart is only 330 px wide (site.css
makes them smaller on wide screens, where the chart is drawn larger). The page puts a table of the
same figures beside every chart (``data_table`` in macros/charts.html): that is what screen readers
read, the ``<title>`` of each point being a tooltip for pointer users.

The caller formats values and dates (``value_format``, ``date_format``) so that they follow the
page's language. Both functions return an empty ``Markup`` when there is nothing to draw, so that a
template can write ``{% if chart %}{{ chart }}{% else %}…{% endif %}``. Styles: the "Charts (SVG)"
section of site.css.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext
from markupsafe import Markup, escape

WIDTH = 600  # viewBox width; heights follow from the content
FONT = 22  # text size in viewBox units: about 12 px on a 360 px phone
CHAR_WIDTH = 0.6  # average glyph width as a share of the font size, on the generous side
LINE = FONT + 8  # height of one line of text
MAX_Y_TICKS = 6  # labels on the value axis, the bottom one included
MAX_X_TICKS = 7  # labels on the date axis
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)

Target = tuple[date, float, str]


def line_chart(
    points: Sequence[tuple[date, float | None]],
    *,
    title: str,
    chart_id: str,
    value_format: Callable[[float], str],
    date_format: Callable[[date], str],
    target: Target | Sequence[Target] | None = None,
    projection: Sequence[tuple[date, float]] | None = None,
    y_min: float | None = 0,
    y_max: float | None = None,
    unit_suffix: str = "",
    series_label: str | None = None,
    target_legend: str | None = None,
    projection_label: str | None = None,
    point_labels: Sequence[str | None] | None = None,
) -> Markup:
    """A series over time: solid line and round markers, gaps where a value is None.

    ``target`` is one ``(deadline, value, label)`` or a list of them, each drawn as a dashed line at
    its value that ends in a diamond at its deadline, with its label; ``projection`` is a dotted
    line from the last value onwards. The date axis reaches the last deadline and projected date;
    the value axis runs from ``y_min`` (None: the lowest value) to ``y_max`` (None: the highest of
    the values, targets and projection, rounded up with some headroom). ``unit_suffix`` follows
    every formatted value. The legend appears when there is a target or a projection; its words
    default to "Achieved", "Target" and "Projection". ``point_labels``, one per point of
    ``points`` (None for none), are written beside the markers that are drawn (the level reached at
    each attempt, say) and added to their tooltips. Returns an empty Markup if no point has a value.
    """
    measured = sorted((d, v) for d, v in points if v is not None)
    if not measured:
        return Markup("")
    targets = _targets(target)
    projected = list(projection or [])
    if projected and projected[0][0] > measured[-1][0]:
        projected.insert(0, measured[-1])

    def fmt(value: float) -> str:
        return value_format(value) + unit_suffix

    values = [v for _, v in measured] + [t[1] for t in targets] + [v for _, v in projected]
    low = min(values) if y_min is None else y_min
    y_ticks, top = _value_ticks(low, max(values), y_max)
    first = min(d for d, _ in points)
    last = max([d for d, _ in points] + [t[0] for t in targets] + [d for d, _ in projected])
    if first == last:
        first, last = first - timedelta(days=45), last + timedelta(days=45)
    frame = _Frame(left=max(_text_width(fmt(t)) for t in y_ticks) + 18, first=first, last=last, low=low, top=top)

    legend = []
    if targets or projected:
        legend.append(("chart-series", series_label or gettext("Achieved")))
        if targets:
            legend.append(("chart-target", target_legend or gettext("Target")))
        if projected:
            legend.append(("chart-projection", projection_label or gettext("Projection")))
    legend_rows = _legend_rows([text for _, text in legend])
    height = frame.bottom + LINE + 14 + len(legend_rows) * LINE + 10
    out = [_open("line-chart", chart_id, title, height)]
    out += _axes(frame, [(t, fmt(t)) for t in y_ticks], _date_ticks(frame, date_format, measured[0][0]))
    out += _target_lines(frame, targets)
    if projected:
        out.append(f'<polyline class="chart-projection" fill="none" points="{frame.path(projected)}"/>')
    labels = dict(zip(points, point_labels, strict=True)) if point_labels else {}
    marked: list[tuple[date, float, str]] = []
    runs = _runs(points)
    out += [f'<polyline class="chart-series" fill="none" points="{frame.path(run)}"/>' for run in runs if len(run) > 1]
    # Markers closer than this would turn the solid line into a dotted one: they stay as invisible
    # tooltip targets, and only the latest value and the values standing alone are drawn.
    is_dense = len(measured) > 1 and frame.x(measured[-1][0]) - frame.x(measured[0][0]) < 16 * (len(measured) - 1)
    for run in runs:
        for d, v in run:
            shown = not is_dense or len(run) == 1 or (d, v) == measured[-1]
            label = labels.get((d, v))
            tooltip = f"{date_format(d)}: {fmt(v)}" + (f" · {label}" if label else "")
            out.append(
                f'<circle class="chart-point{"" if shown else " is-quiet"}" cx="{frame.x(d):.1f}" '
                f'cy="{frame.y(v):.1f}" r="6"><title>{escape(tooltip)}</title></circle>'
            )
            if label and shown:
                marked.append((d, v, label))
    out += _point_labels(frame, marked)
    out += _legend(legend, legend_rows, frame.bottom + LINE + 14)
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(
    rows: Sequence[tuple[str, float | None]],
    *,
    title: str,
    chart_id: str,
    value_format: Callable[[float], str],
    max_value: float | None = None,
    target_value: float | None = None,
    target_label: str | None = None,
    hidden_text: str = "—",
) -> Markup:
    """Horizontal bars, one per ``(label, value)``, the label above its bar and the value at its end.

    A value of None is hidden (too few to show without identifying anyone): no bar, and
    ``hidden_text`` where the value would be. Bars are scaled to ``max_value`` (None: the highest of
    the values and the target); a bar beyond it stops at the edge with its true value written. A
    ``target_value`` is a dashed vertical line, with ``target_label`` above it. Labels too long for
    one line wrap. Returns an empty Markup if there are no rows.
    """
    if not rows:
        return Markup("")
    known = [v for _, v in rows if v is not None]
    top = max_value or max(known + [target_value or 0]) or 1
    texts = [value_format(v) if v is not None else hidden_text for _, v in rows]
    bar_room = WIDTH - max(_text_width(t) for t in texts) - 16
    bar_height, gap = 26, 18
    y = LINE + 6 if target_value is not None and target_label else 6
    bars, words = [], []  # drawn apart, so that the target line passes under the words only
    for (label, value), text in zip(rows, texts, strict=True):
        hidden = value is None
        tooltip = f"<title>{escape(label)}: {escape(text)}</title>"
        words.append(f'<g class="chart-bar-row{" is-hidden" if hidden else ""}">{tooltip}')
        for line in _wrap(label, WIDTH):
            y += LINE
            words.append(_text("chart-bar-label", 0, y - 8, line))
        y += 2
        width = 0.0 if hidden else min(max(value, 0) / top, 1) * bar_room
        if max_value is not None and not hidden:
            bars.append(
                f'<rect class="chart-bar-track" x="0" y="{y:.1f}" width="{bar_room:.1f}" height="{bar_height}"/>'
            )
        if width > 0:
            bars.append(
                f'<rect class="chart-bar" x="0" y="{y:.1f}" width="{width:.1f}" height="{bar_height}">{tooltip}</rect>'
            )
        css = "chart-bar-hidden" if hidden else "chart-bar-value"
        words.append(_text(css, width + 8 if width else 0, y + bar_height / 2 + FONT * 0.35, text) + "</g>")
        y += bar_height + gap
    height = y - gap + 8
    out = [_open("bar-chart", chart_id, title, height), *bars]
    if target_value is not None:
        x = min(max(target_value, 0) / top, 1) * bar_room
        out.append(
            f'<line class="chart-target" x1="{x:.1f}" x2="{x:.1f}" y1="{LINE if target_label else 0}" '
            f'y2="{height:.1f}"/>'
        )
        if target_label:
            width = _text_width(target_label)
            out.append(_text("chart-target-label", min(max(x - width / 2, 0), WIDTH - width), LINE - 6, target_label))
    out.extend(words)
    out.append("</svg>")
    return Markup("".join(out))


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the viewBox, and how dates and values map onto it."""

    left: float
    first: date
    last: date
    low: float
    top: float
    right: float = WIDTH - 18
    plot_top: float = 34
    bottom: float = 264

    def x(self, d: date) -> float:
        return self.left + (d - self.first).days / (self.last - self.first).days * (self.right - self.left)

    def y(self, v: float) -> float:
        share = min(max((v - self.low) / (self.top - self.low), 0), 1)
        return self.bottom - share * (self.bottom - self.plot_top)

    def path(self, points: Sequence[tuple[date, float]]) -> str:
        return " ".join(f"{self.x(d):.1f},{self.y(v):.1f}" for d, v in points)


def _axes(frame: _Frame, y_ticks: list[tuple[float, str]], x_ticks: list[tuple[date, str]]) -> list[str]:
    out = []
    for value, label in y_ticks:
        y = frame.y(value)
        out.append(f'<line class="chart-grid" x1="{frame.left:.1f}" x2="{frame.right:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(_text("chart-axis chart-axis-y", frame.left - 10, y + FONT * 0.35, label, anchor="end"))
    out.append(
        f'<line class="chart-baseline" x1="{frame.left:.1f}" x2="{frame.right:.1f}" '
        f'y1="{frame.bottom}" y2="{frame.bottom}"/>'
    )
    for tick, label in x_ticks:
        x = frame.x(tick)
        half = _text_width(label) / 2
        out.append(f'<line class="chart-tick" x1="{x:.1f}" x2="{x:.1f}" y1="{frame.bottom}" y2="{frame.bottom + 6}"/>')
        out.append(
            _text(
                "chart-axis chart-axis-x",
                min(max(x, half + 2), WIDTH - half - 2),
                frame.bottom + LINE,
                label,
                anchor="middle",
            )
        )
    return out


def _target_lines(frame: _Frame, targets: list[Target]) -> list[str]:
    """Each target a dashed line from the previous deadline to its own, ending in a diamond."""
    out, start = [], frame.left
    for deadline, value, label in targets:
        x, y = frame.x(deadline), frame.y(value)
        width = _text_width(label)
        label_x = min(max(x - width, frame.left + 4), frame.right - width)
        label_y = y - 10 if y - FONT - 10 > 0 else y + FONT + 6
        out.append(
            f'<g class="chart-target"><title>{escape(label)}</title>'
            f'<line x1="{start:.1f}" x2="{x:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<path class="chart-target-marker" d="M{x:.1f} {y - 8:.1f}l8 8l-8 8l-8 -8z"/>'
            + _text("chart-target-label", label_x, label_y, label)
            + "</g>"
        )
        start = x
    return out


def _point_labels(frame: _Frame, marked: list[tuple[date, float, str]]) -> list[str]:
    """Each marker's words above it (below it near the top), inside the chart; from the latest
    back, a label that would overlap one already written is left to the tooltip."""
    out: list[str] = []
    taken: list[tuple[float, float]] = []
    for d, v, label in sorted(marked, reverse=True):
        half = _text_width(label) / 2
        x = min(max(frame.x(d), frame.left + half), WIDTH - 2 - half)
        if any(x - half < right + 8 and x + half > left - 8 for left, right in taken):
            continue
        taken.append((x - half, x + half))
        y = frame.y(v) - 14 if frame.y(v) - 14 - FONT > frame.plot_top - LINE else frame.y(v) + FONT + 12
        out.append(_text("chart-point-label", x, y, label, anchor="middle"))
    return out


def _legend(entries: list[tuple[str, str]], rows: list[list[int]], y: float) -> list[str]:
    """A line sample and its words for each entry, wrapped onto as many rows as needed."""
    out = []
    for row in rows:
        y += LINE
        x = 0.0
        for index in row:
            kind, text = entries[index]
            middle = y - FONT * 0.35
            out.append(
                f'<line class="{kind} chart-legend-line" x1="{x + 2:.1f}" x2="{x + 38:.1f}" '
                f'y1="{middle:.1f}" y2="{middle:.1f}"/>'
            )
            out.append(_text("chart-legend", x + 46, y, text))
            x += _legend_width(text)
    return out


def _open(kind: str, chart_id: str, title: str, height: float) -> str:
    ident = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" id="{ident}" '
        f'viewBox="0 0 {WIDTH} {math.ceil(height)}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title" font-size="{FONT}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
    )


def _text(css: str, x: float, y: float, text: str, anchor: str = "start") -> str:
    placed = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}"{placed}>{escape(text)}</text>'


def _text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR_WIDTH


def _targets(target: Target | Sequence[Target] | None) -> list[Target]:
    if not target:
        return []
    if isinstance(target[0], date):
        return [target]
    return sorted(target, key=lambda t: t[0])


def _value_ticks(low: float, highest: float, y_max: float | None) -> tuple[list[float], float]:
    """Round tick values from ``low``, and the top of the axis: ``y_max`` or a tick above the data."""
    high = y_max if y_max is not None else low + (highest - low) * 1.08
    if high <= low:
        high = low + 10
    raw = (high - low) / (MAX_Y_TICKS - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    count = math.floor((high - low) / step + 1e-9) if y_max is not None else math.ceil((high - low) / step - 1e-9)
    ticks = [round(low + i * step, 10) for i in range(count + 1)]
    return ticks, (y_max if y_max is not None and y_max > low else ticks[-1])


def _date_ticks(frame: _Frame, date_format: Callable[[date], str], fallback: date) -> list[tuple[date, str]]:
    """Month starts at the smallest interval whose labels fit side by side, at most MAX_X_TICKS."""
    for every in MONTH_STEPS:
        ticks = _month_starts(frame.first, frame.last, every)
        if not ticks or len(ticks) > MAX_X_TICKS:
            continue
        labels = [date_format(t) for t in ticks]
        widest = max(_text_width(label) for label in labels)
        if all(frame.x(b) - frame.x(a) >= widest + 16 for a, b in zip(ticks, ticks[1:], strict=False)):
            return list(zip(ticks, labels, strict=True))
    return [(fallback, date_format(fallback))]


def _month_starts(first: date, last: date, every: int) -> list[date]:
    start = first.year * 12 + first.month - 1 + (first.day > 1)
    end = last.year * 12 + last.month - 1
    return [date(m // 12, m % 12 + 1, 1) for m in range(start, end + 1) if m % every == 0]


def _runs(points: Sequence[tuple[date, float | None]]) -> list[list[tuple[date, float]]]:
    """The stretches of consecutive points that have a value, in date order."""
    runs: list[list[tuple[date, float]]] = [[]]
    for d, v in sorted(points, key=lambda p: p[0]):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((d, v))
    return [run for run in runs if run]


def _legend_width(text: str) -> float:
    return 46 + _text_width(text) + 24


def _legend_rows(texts: list[str]) -> list[list[int]]:
    """Indexes of the legend entries on each line, wrapping when the next would not fit."""
    rows: list[list[int]] = []
    used = WIDTH
    for index, text in enumerate(texts):
        width = _legend_width(text)
        if used + width - 24 > WIDTH:
            rows.append([])
            used = 0
        rows[-1].append(index)
        used += width
    return rows


def _wrap(text: str, width: float) -> list[str]:
    lines = [""]
    for word in text.split():
        trial = f"{lines[-1]} {word}".strip()
        if lines[-1] and _text_width(trial) > width:
            lines.append(word)
        else:
            lines[-1] = trial
    return lines
