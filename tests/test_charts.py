"""The SVG charts: well-formed, named for screen readers, escaped, and drawn where the figures say."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime
from types import SimpleNamespace

from flask import render_template_string

from app import charts
from app.assessment import results
from tests.assessment_helpers import current

NS = "{http://www.w3.org/2000/svg}"


def percent(value: float) -> str:
    return f"{value:.0f} %"


def month_year(d: date) -> str:
    return d.strftime("%m/%Y")


def months(count: int, start: date = date(2023, 1, 1)) -> list[date]:
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def line(values, **options) -> ET.Element:
    options = {"title": "Share", "chart_id": "c", "value_format": percent, "date_format": month_year, **options}
    svg = charts.line_chart(list(zip(months(len(values)), values, strict=True)), **options)
    return ET.fromstring(str(svg))


def bars(rows, **options) -> ET.Element:
    options = {"title": "By commune", "chart_id": "b", "value_format": percent, "hidden_text": "hidden", **options}
    return ET.fromstring(str(charts.bar_chart(rows, **options)))


def find(svg: ET.Element, css: str) -> list[ET.Element]:
    return [e for e in svg.iter() if css in e.get("class", "").split()]


def y_axis(svg: ET.Element) -> dict[str, float]:
    """Each y tick label and the y of its gridline (they are drawn in the same order)."""
    return {t.text: float(g.get("y1")) for t, g in zip(find(svg, "chart-axis-y"), find(svg, "chart-grid"), strict=True)}


def test_a_line_chart_is_an_image_named_by_its_title():
    svg = line([10, 20, 30], title="Enterprises using e-invoices", chart_id="einvoice")
    title = svg.find(f"{NS}title")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == title.get("id") == "einvoice-title"
    assert title.text == "Enterprises using e-invoices"


def test_text_in_titles_labels_and_formats_is_escaped():
    evil = "<script>alert(1)</script>"
    raw = str(
        charts.line_chart(
            [(date(2024, 1, 1), 5.0), (date(2024, 2, 1), 6.0)],
            title=evil,
            chart_id='x"y',
            value_format=lambda v: evil,
            date_format=lambda d: evil,
            target=(date(2025, 1, 1), 9, evil),
            series_label=evil,
        )
    )
    assert "<script>" not in raw
    svg = ET.fromstring(raw)
    assert svg.find(f"{NS}title").text == evil
    assert evil in [t.text for t in find(svg, "chart-target-label")]
    assert "<script>" not in str(charts.bar_chart([(evil, 3)], title=evil, chart_id="b", value_format=str))


def test_a_missing_value_leaves_a_gap_in_the_line():
    svg = line([10, 12, None, 15, 16])
    segments = find(svg, "chart-series")
    assert [len(s.get("points").split()) for s in segments] == [2, 2]
    assert len(find(svg, "chart-point")) == 4


def test_a_value_alone_between_gaps_is_still_drawn():
    svg = line([float(i) for i in range(40)] + [None, 50.0, None])
    assert len(find(svg, "chart-series")) == 1
    points = find(svg, "chart-point")
    assert "is-quiet" in points[0].get("class") and "is-quiet" not in points[-1].get("class")
    assert points[-1].find(f"{NS}title").text == "06/2026: 50 %"


def test_the_target_line_sits_at_its_value():
    svg = line([10, 20], y_max=100, target=(date(2025, 12, 31), 50, "Target 2025: 50 %"))
    ticks = y_axis(svg)
    target = find(svg, "chart-target")[0].find(f"{NS}line")
    assert float(target.get("y1")) == float(target.get("y2")) == (ticks["0 %"] + ticks["100 %"]) / 2


def test_the_date_axis_reaches_the_deadline_and_the_projection():
    svg = line(
        [10, 20, 30],
        target=[(date(2025, 12, 31), 50, "2025"), (date(2030, 12, 31), 80, "2030")],
        projection=[(date(2027, 12, 31), 45), (date(2030, 12, 31), 70)],
    )
    right = max(float(g.get("x2")) for g in find(svg, "chart-grid"))
    projection = find(svg, "chart-projection")[0].get("points").split()
    assert float(projection[-1].split(",")[0]) == right
    assert float(projection[0].split(",")[0]) == float(find(svg, "chart-point")[-1].get("cx"))
    targets = [g for g in find(svg, "chart-target") if g.tag == f"{NS}g"]
    assert float(targets[-1].find(f"{NS}line").get("x2")) == right
    assert [t.text for t in find(svg, "chart-legend")] == ["Achieved", "Target", "Projection"]


def test_markers_stay_round_at_any_width():
    svg = line([10, 20, 30])
    assert svg.get("preserveAspectRatio") is None
    assert svg.get("width") == "100%" and svg.get("viewBox").startswith(f"0 0 {charts.WIDTH} ")
    assert all(c.get("r") and c.get("rx") is None for c in find(svg, "chart-point"))


def test_tick_labels_are_few_and_do_not_overlap():
    svg = line([float(i) for i in range(12 * 30)], date_format=lambda d: d.strftime("%d/%m/%Y"))
    x_labels = find(svg, "chart-axis-x")
    assert 2 <= len(x_labels) <= charts.MAX_X_TICKS
    assert 4 <= len(find(svg, "chart-axis-y")) <= charts.MAX_Y_TICKS
    spans = [
        (float(t.get("x")) - charts._text_width(t.text) / 2, float(t.get("x")) + charts._text_width(t.text) / 2)
        for t in x_labels
    ]
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert spans[0][0] >= 0 and spans[-1][1] <= charts.WIDTH


def test_the_value_axis_grows_to_the_data_target_and_projection_with_headroom():
    assert list(y_axis(line([3, 5, 8]))) == ["0 %", "2 %", "4 %", "6 %", "8 %", "10 %"]
    assert list(y_axis(line([3, 5, 8], target=(date(2026, 1, 1), 40, "40"))))[-1] == "50 %"
    counts = line([120, 1350, 2990], value_format=lambda v: f"{v:,.0f}", unit_suffix=" DN")
    assert list(y_axis(counts)) == ["0 DN", "1,000 DN", "2,000 DN", "3,000 DN", "4,000 DN"]
    assert list(y_axis(line([0, 120], y_max=100)))[-1] == "100 %"  # a value over the scale stays in the frame
    assert all(0 <= float(c.get("cy")) for c in find(line([0, 120], y_max=100), "chart-point"))


def test_zeros_a_single_point_and_no_values():
    assert list(y_axis(line([0, 0, 0]))) == ["0 %", "2 %", "4 %", "6 %", "8 %", "10 %"]
    single = line([42])
    assert find(single, "chart-series") == [] and len(find(single, "chart-point")) == 1
    assert len(find(single, "chart-axis-x")) >= 1
    assert charts.line_chart([], title="t", chart_id="c", value_format=percent, date_format=month_year) == ""
    assert (
        charts.line_chart(
            [(date(2024, 1, 1), None)], title="t", chart_id="c", value_format=percent, date_format=month_year
        )
        == ""
    )


def test_dense_series_keep_a_solid_line_and_show_the_latest_value():
    svg = line([float(i) for i in range(60)])
    shown = [c for c in find(svg, "chart-point") if "is-quiet" not in c.get("class")]
    assert len(find(svg, "chart-point")) == 60 and len(shown) == 1
    assert shown[0].find(f"{NS}title").text == "12/2027: 59 %"


def test_a_bar_chart_marks_hidden_rows_and_writes_each_value():
    svg = bars([("Xã Tân Phú Trung", 40), ("Phường Bến Nghé", None), ("Xã Bình Mỹ", 0)], max_value=100)
    rows = find(svg, "chart-bar-row")
    assert ["is-hidden" in r.get("class") for r in rows] == [False, True, False]
    assert [t.text for t in find(rows[1], "chart-bar-hidden")] == ["hidden"]
    assert [t.text for t in find(svg, "chart-bar-value")] == ["40 %", "0 %"]
    assert len(find(svg, "chart-bar")) == 1  # nothing drawn for the hidden row nor for zero
    assert [t.text for t in find(svg, "chart-bar-label")] == ["Xã Tân Phú Trung", "Phường Bến Nghé", "Xã Bình Mỹ"]


def test_bars_are_scaled_to_the_maximum_and_the_target_line_placed_on_it():
    svg = bars([("A", 50), ("B", 150)], max_value=100, target_value=80, target_label="Target 80 %")
    track = float(find(svg, "chart-bar-track")[0].get("width"))
    assert [float(b.get("width")) for b in find(svg, "chart-bar")] == [round(track / 2, 1), track]
    assert float(find(svg, "chart-target")[0].get("x1")) == round(track * 0.8, 1)
    assert [t.text for t in find(svg, "chart-bar-value")] == ["50 %", "150 %"]
    assert find(svg, "chart-target-label")[0].text == "Target 80 %"


def test_bar_charts_grow_with_their_rows_and_wrap_long_labels():
    def height(svg: ET.Element) -> float:
        return float(svg.get("viewBox").split()[3])

    assert height(bars([("A", 1)] * 10)) > height(bars([("A", 1)] * 3))
    long_name = "Xã An Thới Đông và một cái tên rất dài để thử xuống dòng nhãn ở màn hình hẹp"
    labels = find(bars([(long_name, 1)]), "chart-bar-label")
    assert len(labels) == 2 and all(charts._text_width(t.text) <= charts.WIDTH for t in labels)
    assert charts.bar_chart([], title="t", chart_id="b", value_format=percent) == ""
    assert len(find(bars([("A", None), ("B", None)]), "chart-bar-hidden")) == 2


def test_the_owner_history_chart_shows_each_submitted_attempt_by_date_with_its_level(app):
    version = current(app, "dbi-sme").version

    def attempt(day: int, share: float | None, level: int = 1, hour: int = 9) -> SimpleNamespace:
        return SimpleNamespace(
            is_submitted=share is not None,
            total_share=share,
            submitted_at=datetime(2025, 3, day, hour),
            overall_level=level,
            instrument_id="dbi-sme",
            instrument_version=version,
            is_external=False,
        )

    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert results.trend_chart([attempt(1, 0.3)]) == ""
        late = attempt(25, 0.7, level=3, hour=20)
        svg = ET.fromstring(str(results.trend_chart([attempt(20, 0.55, 2), attempt(1, 0.3), attempt(5, None), late])))
        names = [str(current(app, "dbi-sme").levels[n].name) for n in (1, 2, 3)]
    tooltips = [c.find(f"{NS}title").text for c in find(svg, "chart-point")]
    assert tooltips == [  # in Vietnam's time zone
        f"01/03/2025: 30% · Mức 1 · {names[0]}",
        f"20/03/2025: 55% · Mức 2 · {names[1]}",
        f"26/03/2025: 70% · Mức 3 · {names[2]}",
    ]
    assert list(y_axis(svg))[-1] == "100%"
    # The latest level is written beside its marker; labels that would overlap it are left to the tooltips.
    labels = [t.text for t in find(svg, "chart-point-label")]
    assert labels[0] == f"Mức 3 · {names[2]}" and len(labels) == len(set(labels))


def test_a_data_table_sits_beside_a_chart(app):
    with app.test_request_context():
        html = render_template_string(
            '{% from "macros/charts.html" import data_table %}'
            '{{ data_table("Share by commune", ["Commune", "Share"], [["Xã <b>", "40 %"]]) }}'
        )
    assert 'tabindex="0"' in html and "<caption>Share by commune</caption>" in html
    assert '<th scope="row" class="fw-normal">Xã &lt;b&gt;</th>' in html and '<td class="text-end">40 %</td>' in html


def test_the_pillar_bars_keep_their_axis_inside_and_write_each_level(app):
    rows = [
        {"label": "Chiến lược", "share": 1.0, "level": 5, "level_text": "mức 5 (Dẫn dắt)", "marker": 0.4},
        {"label": "Dữ liệu", "share": 0.0, "level": 0, "level_text": "mức 0 (Chưa bắt đầu)", "marker": None},
    ]
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        html = render_template_string(
            '{% from "macros/charts.html" import share_bars %}{{ share_bars(rows, "t", "By pillar") }}', rows=rows
        )
    svg = ET.fromstring(html)
    width = float(svg.get("viewBox").split()[2])
    assert svg.get("width") == "100%" and svg.get("preserveAspectRatio") != "none"  # scales, never stretches
    axis = find(svg, "chart-axis")
    assert [t.text for t in axis] == ["0%", "25%", "50%", "75%", "100%"]
    last = axis[-1]
    assert last.get("text-anchor") == "end" and float(last.get("x")) <= width  # "100 %" ends inside the chart
    assert [t.text for t in find(svg, "chart-bar-value")] == ["100% · mức 5 (Dẫn dắt)", "0% · mức 0 (Chưa bắt đầu)"]
    bars = find(svg, "chart-bar")
    assert len(bars) == 1 and float(bars[0].get("width")) <= width and "level-5" in bars[0].get("class")
    assert len(find(svg, "chart-marker")) == 1


def test_the_pillar_bars_axis_lines_never_cross_a_name_or_a_score(app):
    rows = [
        {"label": f"Trụ cột {n}", "share": 0.3 * n, "level": n, "level_text": f"mức {n}", "marker": None}
        for n in (1, 2)
    ]
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        html = render_template_string(
            '{% from "macros/charts.html" import share_bars %}{{ share_bars(rows, "t", "By pillar") }}', rows=rows
        )
    svg = ET.fromstring(html)
    names = [float(t.get("y")) for t in find(svg, "chart-bar-label")]  # baselines, glyphs above them
    scores = [float(t.get("y")) for t in find(svg, "chart-bar-value")]
    lines = find(svg, "chart-baseline") + find(svg, "chart-grid")
    assert lines
    for line in lines:
        low, high = float(line.get("y1")), float(line.get("y2"))
        assert not any(low < y + 6 and y - 22 < high for y in names), "a line through a pillar's name"
        assert not any(low < y + 6 and y - 17 < high for y in scores), "a line through a score"
