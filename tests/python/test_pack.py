"""The performance pack's figures: its arithmetic, its figures against measure_values and measure_spc, its
charts' axes and splits, and its board tables' words."""

from __future__ import annotations

import math
import re
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from pack_support import KNOWN_MONTH, PUBLISHED, board_row, needs_warehouse, render_rows

from scripts.pack import write_pack
from scripts.report.fmt import change, difference, figure, with_n
from scripts.settings import PROJECT_ROOT


def test_numbers_are_formatted_as_the_reports_print_them() -> None:
    assert with_n(0.775, "rate", 1288) == "77.5% (n = 1,288)"
    assert figure(1332, "count") == "1,332" and figure(17.48, "minutes") == "17.5 min"
    assert figure(None, "rate") == figure(math.nan, "count") == "–"


class Cells(HTMLParser):
    """Collects data-measure / data-column / data-value cells of the pack's tables."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "td" and "data-value" in found:
            self.cells[(found["data-measure"], found["data-column"])] = found["data-value"]


@needs_warehouse
def test_pack_figures_equal_measure_values_for_a_known_month(tmp_path: Path) -> None:
    page = write_pack(PUBLISHED, tmp_path / "pack.html", KNOWN_MONTH)
    parser = Cells()
    parser.feed(page.read_text(encoding="utf-8"))
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        expected = connection.execute("""
            select measure_id, period_window, value from marts.measure_values
            where geography_level = 'force' and period_month = date '2020-08-01'
              and period_window in ('month', 'rolling_12m')
              and measure_id in (select measure_id from reference.measures)""").fetchall()
    assert len(expected) == 128
    for measure, window, value in expected:
        column = "current_month" if window == "month" else "rolling_12_months"
        shown = parser.cells[(measure, column)]
        assert (shown == "" and value is None) or float(shown) == pytest.approx(value), (measure, window)


class TrendPoints(HTMLParser):
    """Collects each chart's points: (measure, month) -> variation."""

    def __init__(self) -> None:
        super().__init__()
        self.measure = ""
        self.points: dict[tuple[str, str], str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "div" and found.get("class") == "chart":
            self.measure = found.get("data-measure", "")
        if tag == "circle" and "data-month" in found:
            self.points[(self.measure, found["data-month"])] = found["data-variation"]


@needs_warehouse
def test_trend_charts_draw_the_variation_of_measure_spc(tmp_path: Path) -> None:
    """Every point of every trend chart is coloured by the variation marts.measure_spc gives it."""
    page = write_pack(PUBLISHED, tmp_path / "pack.html", KNOWN_MONTH)
    parser = TrendPoints()
    parser.feed(page.read_text(encoding="utf-8"))
    assert len(parser.points) > 100
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        for (measure, month), variation in parser.points.items():
            expected = connection.execute(
                """
                select coalesce(variation, 'unassessed') from marts.measure_spc
                where measure_id = ? and geography_level = 'force' and strftime(period_month, '%Y-%m') = ?""",
                [measure, month],
            ).fetchone()
            assert expected is not None and expected[0] == variation, (measure, month, variation)


def test_the_template_escapes_every_text() -> None:
    """A measure name, force name and warning carrying markup come out as text, never as tags."""
    warning = {
        "severity": "warning",
        "description": "the check's own description",
        "in_words": "a <b>bold</b> claim",
        "observed_value": 1,
        "where_failed": "crimes",
        "failed_extracts": ["crimes"],
    }
    page = render_rows([board_row(measure_name="<script>alert(1)</script>")], [warning], "Force & <Co>", [{"x": 2}])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Force &amp; &lt;Co&gt;" in page and "A &lt;b&gt;bold&lt;/b&gt; claim" in page
    assert 'href="#warning-1"' in page  # the warned measure is marked


def test_only_better_and_worse_are_shaded() -> None:
    """Higher and Lower on a count or a neutral measure say nothing good or bad: never shaded;
    Improved and Deteriorated are, and say their word too."""
    css = (PROJECT_ROOT / "scripts" / "report" / "templates" / "pack.css").read_text(encoding="utf-8")
    shaded = {
        word
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
        if "background" in body
        for word in re.findall(r"td\.(Improved|Deteriorated|Higher|Lower|Comparable)\b", selectors)
    }
    assert shaded == {"Improved", "Deteriorated"}
    page = render_rows([board_row(current_month_vs_3y_avg="Higher")])
    assert '<td class="Higher"' in page and ">Higher</td>" in page


def test_nothing_to_compare_shows_no_comparison_never_comparable() -> None:
    """A row with no figures (a grade before it existed) has no word in any comparison column."""
    empty = board_row(
        current_month=None,
        previous_month=None,
        rolling_12_months=None,
        current_month_vs_3y_avg=None,
        rolling_12m_vs_3y_avg=None,
        performance_vs_benchmark=None,
    )
    page = render_rows([empty])
    row = page.split('data-measure="x"', 1)[1].split("</tr>", 1)[0]
    assert "Comparable" not in row
    words = re.findall(r'data-column="(current_month_vs_3y_avg|rolling_12m_vs_3y_avg|performance_vs_benchmark)">([^<]*)<', page)
    assert [word for _, word in words] == ["–", "–", "–"]


def test_changes_are_signed_in_the_measure_unit() -> None:
    assert change(247.0, "count") == "+247" and change(-0.012, "rate") == "−1.2 pts"
    assert change(0.0004, "rate") == "±0.0 pts" and change(None, "minutes") == "–"
    page = render_rows([board_row(current_month=3.0, same_month_1y_ago=136.0)])
    assert ">−133<" in page


def test_changes_are_the_difference_of_the_printed_figures() -> None:
    """19.3% against 19.2% is +0.1 pts and 18.3 against 17.3 min is +1.0 min, as a reader subtracts
    them, whatever decimals lie behind (the raw differences would print ±0.0 pts and +0.9 min)."""
    assert difference(0.19251, 0.19249, "rate") == "+0.1 pts" and change(0.19251 - 0.19249, "rate") == "±0.0 pts"
    assert difference(18.26, 17.34, "minutes") == "+1.0 min" and change(18.26 - 17.34, "minutes") == "+0.9 min"
    assert difference(0.1925, 0.192, "rate") == "±0.0 pts"  # 0.1925 prints as 19.2%
    rate = board_row(unit="rate", current_month=0.19251, same_month_1y_ago=0.19249, change_on_1y_ago=0.00002)
    minutes = board_row(measure_id="y", unit="minutes", current_month=18.26, same_month_1y_ago=17.34, change_on_1y_ago=0.92)
    page = render_rows([rate, minutes])
    cells = dict(re.findall(r'data-measure="(\w)" data-column="change_on_1y_ago"[^>]*><span class="figure">([^<]*)<', page))
    assert cells == {"x": "+0.1 pts", "y": "+1.0 min"}


def test_trend_charts_have_a_labelled_y_axis_and_month_ticks_inside_the_drawing() -> None:
    from scripts.report.charts import HEIGHT, WIDTH, trend
    from scripts.report.data import TrendPoint

    points = [
        TrendPoint(
            date(2017 + (month // 12), month % 12 + 1, 1),
            0.70 + 0.002 * month,
            0.75,
            0.82,
            0.68,
            0.80,
            0.70,
            "common_cause",
            (),
            None,
        )
        for month in range(36)
    ]
    svg = trend(points, "rate", "Satisfaction")
    ticks = re.findall(r'<text class="axis" x="([\d.]+)" y="([\d.]+)" text-anchor="end">([^<%]*%)</text>', svg)
    assert [label for *_, label in ticks] == ["65%", "70%", "75%", "80%", "85%"]
    months = re.findall(
        r'<text class="axis" x="([\d.]+)" y="[\d.]+" text-anchor="(start|middle|end)">([A-Z][a-z]{2} \d{4})</text>', svg
    )
    labels = [label for *_, label in sorted(months, key=lambda month: float(month[0]))]
    assert labels[0] == "Jan 2017" and labels[-1] == "Dec 2019"
    assert "Jul 2017" in svg and "Jan 2019" in svg and 'class="axis-title"' in svg
    for x, _, label in re.findall(r'<text class="[a-z-]+" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        assert 0 <= float(x) <= WIDTH, f"{label} at x={x} is outside the drawing"
    assert all(0 <= float(y) <= HEIGHT for _, y, _ in ticks)


def test_split_charts_keep_areas_districts_and_unplaced_rows_apart() -> None:
    from scripts.report.charts import split_bars
    from scripts.report.data import SplitBar

    svg = split_bars(
        [
            SplitBar("area", "North", 0.745, 514, 0.771, False, False),
            SplitBar("area", "Unknown area", 1.0, 1, 1.0, True, True),
            SplitBar("district", "Fenland", 0.739, 153, 0.765, False, False),
            SplitBar("district", "Unknown district", 1.0, 1, 1.0, True, True),
        ],
        "rate",
        "Satisfaction",
    )
    labels = re.findall(r'<text class="(?:label|group)"[^>]*>([^<]*)</text>', svg)
    assert labels == ["Areas", "North", "Unknown area (not placed)", "Districts", "Fenland", "Unknown district (not placed)"]
    assert svg.count("<rect") == 2  # the low samples are written, not drawn
    assert "74.5% (n = 514), −2.6 pts on a year ago" in svg and "low sample: 100.0% (n = 1)" in svg


@needs_warehouse
def test_december_2019_headlines_lead_with_the_strategic_measures(tmp_path: Path) -> None:
    """The December 2019 pack (beside the February 2020 board report) opens on its strategic measures:
    victim satisfaction is among the headlines, and so is every significant change in a strategic
    measure (all recorded crime's among them) before any other kind."""
    page = write_pack(PUBLISHED, tmp_path / "pack.html", "2019-12").read_text(encoding="utf-8")
    shown = page.split('id="headlines"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r'<li data-measure="([^"]+)" data-rule="([^"]+)">([^<]*)</li>', shown)
    measures = [measure for measure, _, _ in items]
    assert "sat_whole__all" in measures
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        strategic = {
            m for (m,) in connection.execute("select measure_id from reference.measure_registry where is_strategic").fetchall()
        }
        significant = connection.execute("""
            select commentary.measure_id, commentary.sentence from marts.measure_commentary as commentary
            inner join marts.measure_values as values
                on commentary.measure_id = values.measure_id and commentary.geography_level = values.geography_level
                and commentary.geography = values.geography and commentary.period_month = values.period_month
                and commentary.period_window = values.period_window
            where commentary.period_month = date '2019-12-01' and commentary.geography_level = 'force'
              and commentary.comparison_word in ('Improved', 'Deteriorated', 'Higher', 'Lower')
              and not coalesce(values.is_low_sample, false)""").fetchall()
    strategic_changes = {unescape(sentence) for measure, sentence in significant if measure in strategic}
    assert any(measure == "crimes__all" for measure, _ in significant if measure in strategic)
    sentences = [unescape(sentence) for _, _, sentence in items]
    assert strategic_changes <= set(sentences)
    # before any other kind: every strategic significant change precedes the first other measure's line
    first_other = next(index for index, measure in enumerate(measures) if measure not in strategic)
    assert all(sentences.index(sentence) < first_other for sentence in strategic_changes)
    # each pillar's section opens with its strategic measures: first in its table, charted first
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        pillar_of = dict(connection.execute("select measure_id, pillar from reference.measures").fetchall())
    for pillar in ("victims", "offenders", "communities", "performance"):
        section = page.split(f'<section class="pillar" id="{pillar}">', 1)[1].split("</section>", 1)[0]
        rows = list(dict.fromkeys(re.findall(r'<td data-measure="([^"]+)"', section)))
        charts = re.findall(r'<div class="chart" data-measure="([^"]+)"', section)
        own = [measure for measure in strategic if pillar_of.get(measure) == pillar]
        assert own and set(rows[: len(own)]) == set(own) and set(charts[: len(own)]) == set(own), (pillar, rows[:5], charts)


def test_a_low_sample_word_cell_says_low_sample_never_comparable() -> None:
    """A figure on too few cases was not compared: its word cells say "Low sample" where the mart's
    word is Comparable (the month's cell by the month's sample, the 12 months' by theirs)."""
    row = board_row(
        has_low_sample=True,
        is_current_month_low_sample=True,
        is_rolling_12_months_low_sample=False,
        current_month_vs_3y_avg="Comparable",
        rolling_12m_vs_3y_avg="Comparable",
        performance_vs_benchmark="Comparable",
    )
    words = dict(re.findall(r'data-column="(\w+)">([^<]*)</td>', render_rows([row])))
    assert words["current_month_vs_3y_avg"] == "Low sample"
    assert words["rolling_12m_vs_3y_avg"] == words["performance_vs_benchmark"] == "Comparable"


def test_every_technical_term_the_pack_keeps_is_in_its_glossary() -> None:
    """No jargon without a gloss: each term the pack prints (control chart, control limits, two sigma,
    special and common cause, re-base, baseline with its month) is explained in its glossary, and the
    column headings are plain words (no "Perf v benchmark", no "Baseline (year end)")."""
    from scripts.report.html import GLOSSARY

    page = render_rows([board_row()])
    glossary = page.split('id="glossary"', 1)[1]
    terms = [term for term, _ in GLOSSARY]
    for term in ("Control chart", "two-sigma", "Common cause, special cause", "Re-base", "Baseline", "Low sample", "Significant"):
        assert any(term in entry for entry in terms) and term in glossary, term
    headings = [
        heading.replace("\u2011", "-")  # the pack's months keep their hyphen unbroken
        for heading in re.findall(r"<th>([^<]*)</th>", page.split("<thead>", 1)[1].split("</thead>", 1)[0])
    ]
    assert "Baseline: 12 months to Mar-20" in headings and not any("Perf" in h or "year end" in h for h in headings)
    assert "XmR" not in page.split('id="glossary"', 1)[0]
