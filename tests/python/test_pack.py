"""The performance pack: its arithmetic, its figures against measure_values, and how it looks in a browser."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from scripts.pack import write_pack
from scripts.report.fmt import change, difference, figure, with_n
from scripts.report.pdf import CHROMIUM_FLAGS, print_pdf
from scripts.settings import PROJECT_ROOT, published_dir, warehouse_path

PUBLISHED = published_dir() / "warehouse.duckdb"
WAREHOUSE = warehouse_path()
KNOWN_MONTH = "2020-08"
needs_warehouse = pytest.mark.skipif(
    not PUBLISHED.exists() and not os.environ.get("CI"), reason="no published warehouse: run `make run` (make test does)"
)


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


def render(page: Path, out: Path) -> tuple[str, str]:
    """Open the page in headless Debian Chromium: its DOM after load, and what it logged."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed: run `make browser` (make test does)"
    screenshot = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={out / 'profile-shot'}",
            f"--screenshot={out / 'pack.png'}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={out / 'profile-dom'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return dom.stdout, screenshot.stderr + dom.stderr


def console_problems(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Failed to load resource" in line]


def test_the_console_check_catches_a_broken_page(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html><body><img src='missing.png'><script>console.error('broken')</script></body></html>")
    _, log = render(page, tmp_path)
    assert console_problems(log)


@needs_warehouse
def test_pack_renders_in_chromium_with_every_pillar_and_no_console_errors(tmp_path: Path) -> None:
    page = write_pack(PUBLISHED, tmp_path / "pack.html", KNOWN_MONTH)
    dom, log = render(page, tmp_path)
    assert console_problems(log) == []
    for pillar in ("victims", "offenders", "communities", "performance"):
        section = dom.split(f'id="{pillar}"', 1)[1].split("</section>", 1)[0]
        assert "<table>" in section and section.count("<svg") >= 2, pillar
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        hate, cdi, cdi_n = connection.execute("""
            select max(value) filter (where measure_id = 'crimes__hate'),
                   max(value) filter (where measure_id = 'cdi_compliance'),
                   max(sample_size) filter (where measure_id = 'cdi_compliance')
            from marts.measure_values where geography_level = 'force' and period_window = 'month'
              and period_month = date '2020-08-01'""").fetchone()
    communities = dom.split('id="communities"', 1)[1].split("</section>", 1)[0]
    assert f">{figure(hate, 'count')}<" in communities
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        headlines = [
            row[0]
            for row in connection.execute("""
            select sentence from marts.measure_commentary
            where period_month = date '2020-08-01' and headline_tier is not null
            qualify headline_tier < 3 or row_number() over (partition by headline_tier order by headline_rank) <= 5
            order by headline_rank""").fetchall()
        ]
        commented = connection.execute("""
            select sentence from marts.measure_commentary
            where period_month = date '2020-08-01' and measure_id = 'crimes__all' and geography_level = 'force'""").fetchall()
    shown = dom.split('id="headlines"', 1)[1].split("</section>", 1)[0]
    items = [unescape(item.split(">", 1)[1].split("</li>", 1)[0]) for item in shown.split("<li ")[1:]]
    assert len(headlines) > 5 and items == headlines
    chart = dom.split('class="chart" data-measure="crimes__all"', 1)[1].split('class="chart"', 1)[0]
    assert commented and all(escape(sentence, quote=False) in chart for (sentence,) in commented)
    assert with_n(cdi, "rate", cdi_n) in dom
    shot = tmp_path / "pack.png"
    assert shot.exists() and shot.stat().st_size > 50_000
    keep = PROJECT_ROOT / "warehouse" / "pack-screenshot.png"
    shutil.copy(shot, keep)


def board_row(**changes: Any) -> dict[str, Any]:
    """A row of marts.rpt_board_tables for the template tests."""
    row = {
        "pillar": "victims",
        "measure_id": "x",
        "measure_name": "A measure",
        "unit": "count",
        "has_low_sample": False,
        "current_month": 3.0,
        "current_month_n": None,
        "previous_month": 2.0,
        "change_on_1y_ago": None,
        "same_month_1y_ago": None,
        "same_month_2y_ago": None,
        "same_month_3y_ago": None,
        "current_month_vs_3y_avg": "Higher",
        "rolling_12_months": 10.0,
        "rolling_12_months_n": None,
        "rolling_12m_vs_3y_avg": None,
        "baseline": None,
        "performance_vs_benchmark": None,
    }
    return {**row, **changes}


def render_rows(
    rows: list[dict[str, Any]],
    warnings: list[dict[str, Any]] = (),
    force: str = "Force",
    touched: list[dict[str, int | None]] | None = None,
) -> str:
    """The pack of a month with these board rows and warnings; each warning touches the measures
    given (by default none)."""
    from scripts.report import html
    from scripts.report.data import PackData

    touched = touched if touched is not None else [{} for _ in warnings]
    pack = PackData(date(2020, 8, 1), force, rows, {}, {}, list(warnings), None, touched, [], {})
    return html.render(pack, {})


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


A4_POINTS = {(595, 842), (842, 595)}  # portrait, or landscape for the pillars' wide tables


def pdf_pages(pdf: Path) -> list[tuple[tuple[int, int], str]]:
    """Each page of a PDF: its size in points (rounded) and its text."""
    reader = PdfReader(pdf)
    return [
        ((round(float(page.mediabox.width)), round(float(page.mediabox.height))), page.extract_text()) for page in reader.pages
    ]


def browser_header_or_footer(text: str) -> bool:
    """What Chromium's own header and footer print: the page's address and the date and time."""
    return "file:" in text or re.search(r"\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}", text) is not None


def test_the_pdf_check_sees_a_browser_header(tmp_path: Path) -> None:
    """The fault the PDF test is for: printed with the browser's header and footer, a page carries
    the file's address and the date, which the check catches."""
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html><head><title>t</title></head><body><p>Hello</p></body></html>")
    pdf = tmp_path / "page.pdf"
    subprocess.run(
        [
            shutil.which("chromium"),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert any(browser_header_or_footer(text) for _, text in pdf_pages(pdf))
    assert not any(browser_header_or_footer(text) for _, text in pdf_pages(print_pdf(page, tmp_path / "clean.pdf")))


@needs_warehouse
def test_the_pack_prints_to_an_a4_pdf_and_an_excel_workbook(tmp_path: Path) -> None:
    page = write_pack(PUBLISHED, tmp_path / "pack-2020-08.html", KNOWN_MONTH, also=("xlsx", "pdf"))
    pages = pdf_pages(page.with_suffix(".pdf"))
    assert len(pages) >= 5  # the headlines and data-quality panel, then each pillar from a page of its own
    for number, (size, text) in enumerate(pages, start=1):
        assert size in A4_POINTS, f"page {number} is {size} points, not A4"
        assert not browser_header_or_footer(text), f"page {number} carries the browser's header or footer"
        assert f"Page {number} of {len(pages)}" in text and "performance pack, August 2020" in text
        # no page holds only the chart key (it prints with the charts it explains)
        body = re.sub(r"Page \d+ of \d+|\S+: performance pack, August 2020", "", text)
        assert re.sub(r"(?s)Each trend chart is a control chart.*?earlier ones only\.", "", body).strip(), number
    assert "Headlines" in pages[0][1]
    # each pillar's table fits one page: its header (repeated on any page a table spills onto) is on four
    assert sum("Rolling 12 v" in text for _, text in pages) == 4
    book = load_workbook(page.with_suffix(".xlsx"))
    assert book.sheetnames == ["Headlines", "Victims", "Offenders", "Communities", "Performance", "Commentary", "Measures"]
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        expected = dict(
            connection.execute("""
            select measure_id, value from marts.measure_values
            where geography_level = 'force' and period_window = 'month' and period_month = date '2020-08-01'
              and measure_id in ('crimes__all', 'ppo_rate__all')""").fetchall()
        )
        headline = connection.execute("""
            select sentence from marts.measure_commentary
            where period_month = date '2020-08-01' and headline_rank = 1""").fetchone()[0]
    for sheet, measure, number_format in (("Performance", "crimes__all", "#,##0"), ("Offenders", "ppo_rate__all", "0.0%")):
        rows = {row[0].value: row for row in book[sheet].iter_rows(min_row=2)}
        cell = rows[measure][3]  # the Current month column
        assert book[sheet].cell(1, 4).value == "Current month"
        assert isinstance(cell.value, (int, float)) and cell.value == pytest.approx(expected[measure])
        assert cell.number_format == number_format
    assert book["Headlines"]["B2"].value == headline
    assert book["Measures"].max_row == 65  # the 64 catalogue measures under a header
    # a change in a rate is in points: written x 100 and shown "+3.9 pts", never "+3.9%"
    rows = {row[0].value: row for row in book["Offenders"].iter_rows(min_row=2)}
    heading = [cell.value for cell in book["Offenders"][1]]
    change_cell = rows["ppo_rate__all"][heading.index("Change on same month 1 year ago (points for a rate)")]
    last_year = rows["ppo_rate__all"][heading.index("Same month 1 year ago")].value
    assert change_cell.value == pytest.approx(100 * (round(expected["ppo_rate__all"], 3) - round(last_year, 3)), abs=1e-9)
    assert change_cell.number_format == '+0.0" pts";-0.0" pts";0.0" pts"' and "%" not in change_cell.number_format
    # bookmarks: the pack's title, its headlines and each pillar, to jump to
    outline = [item.title for item in flatten(PdfReader(page.with_suffix(".pdf")).outline)]
    assert {"Headlines", "Victims", "Offenders", "Communities", "Performance", "Glossary"} <= set(outline), outline


def flatten(outline: list) -> list:
    """A PDF's bookmarks, nested lists opened out, in order."""
    return [item for entry in outline for item in (flatten(entry) if isinstance(entry, list) else [entry])]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_colour(css: str, selector: str, prop: str) -> str:
    rule = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert rule, f"no rule for {selector} in pack.css"
    value = re.search(rf"(?:^|;)\s*{prop}:\s*(#[0-9a-fA-F]{{6}})", rule.group(1))
    assert value, f"{selector} sets no {prop}"
    return value.group(1).lower()


# (selector of the text or mark, property, background it sits on, least ratio): WCAG AA, 4.5 for
# text, 3 for the marks of a chart (graphical objects).
CONTRAST = (
    (".meta", "color", "#ffffff", 4.5),
    (".flag", "color", "#f6f8fa", 4.5),  # also inside the data-quality panel
    ("td.low", "color", "#ffffff", 4.5),
    (".improvement", "fill", "#ffffff", 3.0),
    (".concern", "fill", "#ffffff", 3.0),
    (".neither", "fill", "#ffffff", 3.0),
    (".bar", "fill", "#ffffff", 3.0),
)


def test_colours_pass_wcag_aa_contrast() -> None:
    css = (PROJECT_ROOT / "scripts" / "report" / "templates" / "pack.css").read_text(encoding="utf-8")
    body = css_colour(css, "body", "color")
    assert contrast(body, "#e3f2e1") >= 4.5 and contrast(body, "#fbe3e1") >= 4.5  # the shaded words
    for selector, prop, background, least in CONTRAST:
        ratio = contrast(css_colour(css, selector, prop), background)
        assert ratio >= least, f"{selector} {prop} on {background}: {ratio:.2f}, below {least}"
    assert contrast("#ed8b00", "#ffffff") < 3.0  # the check catches the orange it replaced


@needs_warehouse
def test_meaning_is_never_carried_by_colour_alone(tmp_path: Path) -> None:
    """Each special-cause point carries its mark (tick, cross, diamond) beside the colour, every chart has a text
    alternative, and every shaded cell says its word."""
    page = write_pack(PUBLISHED, tmp_path / "pack.html", KNOWN_MONTH).read_text(encoding="utf-8")
    special = re.findall(
        r'<circle class="(improvement|concern|neither)"[^>]*>.*?</circle><text class="mark"[^>]*>([\u2713\u2717\u25c6])</text>',
        page,
    )
    assert special and all(
        mark == {"improvement": "\u2713", "concern": "\u2717", "neither": "\u25c6"}[kind] for kind, mark in special
    )
    assert page.count('<circle class="improvement"') + page.count('<circle class="concern"') + page.count(
        '<circle class="neither"'
    ) == len(special)
    labels = re.findall(r'<svg class="(?:trend|bars)"[^>]*aria-label="([^"]*)"', page)
    assert labels and all(len(label) > 40 for label in labels)
    for word in re.findall(r'<td class="(Improved|Deteriorated|Higher|Lower)"[^>]*>([^<]*)</td>', page):
        assert word[0] == word[1]


@needs_warehouse
def test_the_quality_panel_names_the_gate_run_of_the_published_build(tmp_path: Path) -> None:
    """A later gate run (one that did not publish) is not the one the pack speaks for; the panel
    says when the publishing run ran and what it found, in words: no run id, no code structures."""
    published = tmp_path / "published"
    published.mkdir()
    shutil.copy(PUBLISHED, published / "warehouse.duckdb")
    with duckdb.connect(str(published / "warehouse.duckdb")) as connection:
        run_id, validated_at = connection.execute(
            "select run_id, validated_at from quality.validation_runs order by validated_at desc limit 1"
        ).fetchone()
        connection.execute("""
            insert into quality.validation_runs (run_id, validated_at, checks, blocking_failures, warnings)
            values ('later-unpublished-run', timestamp '2099-01-01 09:30:00', 99, 3, 0)""")
    (published / "PUBLISHED_RUN").write_text(run_id + "\n")
    page = write_pack(published / "warehouse.duckdb", tmp_path / "pack.html", KNOWN_MONTH).read_text(encoding="utf-8")
    panel = page.split('id="data-quality"', 1)[1].split("</div>", 1)[0]
    assert f"{validated_at:%d %B %Y at %H:%M}" in panel and "2099" not in panel and " 99 " not in panel
    assert run_id not in panel and "later-unpublished-run" not in panel
    assert "[" not in panel and "data-quality checks" in panel


@needs_warehouse
def test_the_quality_panel_is_in_a_board_members_words(tmp_path: Path) -> None:
    """Each warning says what share of which records it found, in which months up to the pack's: no
    file, table, column or check names (a board member reads it)."""
    page = write_pack(PUBLISHED, tmp_path / "pack.html", "2019-12").read_text(encoding="utf-8")
    panel = unescape(re.sub(r"<[^>]+>", " ", page.split('id="data-quality"', 1)[1].split("</div>", 1)[0]))
    assert not re.search(r"\w+\.(?:csv|md|yml|py|sql)\b|\b(?:seeds|marts|quality|raw|staging)[./]|\w_\w", panel), panel
    shares = re.findall(r"([\d,]+) of ([\d,]+) ([a-z ]+) records \((under 0\.1|[\d.]+)%\)", panel)
    assert shares and re.search(r"in \d+ of the \d+ months to December 2019", panel), panel
    for found, loaded, _, shown in shares:
        found, loaded = int(found.replace(",", "")), int(loaded.replace(",", ""))
        assert shown == "under 0.1" or float(shown) == pytest.approx(100 * found / loaded, abs=0.05)


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


def test_the_warning_mark_sits_only_on_figures_its_warning_touches() -> None:
    warning = {
        "suite": "staging",
        "expectation": "events_in_order_everywhere",
        "severity": "warning",
        "description": "Events in order.",
        "observed_value": "[3]",
        "where_failed": "calls",
        "failed_extracts": ["calls"],
    }
    rows = [board_row(), board_row(measure_id="y", measure_name="Calls measure")]
    page = render_rows(rows, [warning], touched=[{"y": 3}])
    crimes_row = page.split('<td class="name">A measure', 1)[1].split("</td>", 1)[0]
    calls_row = page.split('<td class="name">Calls measure', 1)[1].split("</td>", 1)[0]
    assert 'href="#warning-1"' in calls_row and "†1</a>" in calls_row and "†" not in crimes_row
    assert 'id="warning-1"' in page and "In August 2020 it touches 1 figure: Calls measure: 3 rows." in page
    unmarked = render_rows(rows, [warning], touched=[{}])
    assert 'href="#warning-1"' not in unmarked and "It touches no figure of August 2020." in unmarked


def failed_check(connection: duckdb.DuckDBPyConnection, expectation: str) -> dict[str, Any]:
    """A check that failed in the published build's gate runs, as the pack reads it."""
    found = connection.execute(
        """
        select suite, expectation, failed_extracts, checked_column from quality.validation_results
        where expectation = ? and not passed and failed_extracts is not null
        order by run_id desc limit 1""",
        [expectation],
    ).fetchone()
    assert found, f"the sample data fails {expectation} (config/generator.yml)"
    return {"suite": found[0], "expectation": found[1], "failed_extracts": found[2], "checked_column": found[3]}


@needs_warehouse
def test_a_warning_touches_only_the_measures_its_rows_change() -> None:
    """In December 2019 calls, incidents and outcomes all have rows out of order, yet only the
    measures those rows change are touched: 999 calls answered within 10 seconds, never the share
    of 101 calls abandoned or the counts of calls, never the share of incidents graded immediate.
    A month where only crimes are out of order (committed after recording: counted as they are)
    touches no crime figure. An extract-level mark (every measure of an extract with flagged rows
    in the month) fails this."""
    from scripts.report.data import measures_touched

    month = date(2019, 12, 1)
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        check = failed_check(connection, "events_in_order_everywhere")
        flagged_sources = {
            source
            for (source,) in connection.execute(
                "select source from quality.quality_source_months where period_month = ? and out_of_order_rows > 0", [month]
            ).fetchall()
        }
        touched = measures_touched(connection, check, month)
        crime_month = connection.execute("""
            select min(period_month) from quality.quality_source_months
            where source = 'crimes' and out_of_order_rows > 0""").fetchone()[0]
        crime_measures = {
            measure
            for (measure,) in connection.execute(
                "select measure_id from reference.measure_registry where quality_extract = 'crimes'"
            ).fetchall()
        }
        touched_in_crime_month = measures_touched(connection, check, crime_month)
    assert {"calls", "incidents", "crime_outcomes"} <= flagged_sources and "crimes" in check["failed_extracts"]
    assert touched.get("calls_999_answered_10s_share", 0) > 0
    assert not {"calls_101_abandoned_share", "calls_999", "calls_101", "resp_share_immediate"} & touched.keys()
    assert all(isinstance(rows, int) and rows > 0 for rows in touched.values())
    assert crime_measures and not crime_measures & touched_in_crime_month.keys()


@needs_warehouse
def test_flagged_rows_are_counted_against_each_measure_they_touch() -> None:
    """quality_measure_flags recomputed in Python from the staged and ranked rows: each month's 999
    calls answered before they were received, against the 999 answer-time measure; each month's
    current outcomes with no crime that are prosecution possible, against the prosecution possible
    rate of all crime and (their crime's type unknown) of rape; a month with no such outcome
    touches nothing."""
    from scripts.report.data import measures_touched

    with duckdb.connect(str(WAREHOUSE), read_only=True) as connection:
        calls = connection.execute("""
            select received_month, call_line from staging.stg_force__calls
            where has_answer_before_call and not is_duplicate and not has_unknown_line""").fetchall()
        no_crime = {
            reference
            for (reference,) in connection.execute(
                "select outcome_reference from intermediate.int_outcomes_checked where has_no_crime"
            ).fetchall()
        }
        outcomes = connection.execute("""
            select outcome_reference, outcome_month, is_prosecution_possible
            from intermediate.int_outcomes_ranked where is_current""").fetchall()
        flags = {
            (measure, month): (out_of_order, unmatched)
            for measure, month, out_of_order, unmatched in connection.execute(
                "select measure_id, period_month, out_of_order_rows, unmatched_rows from quality.quality_measure_flags"
            ).fetchall()
        }
        months = [
            month for (month,) in connection.execute("select period_month from intermediate.int_months_enumerated").fetchall()
        ]
    expected_calls = Counter(month for month, line in calls if line == "999")
    expected_unmatched = Counter(month for reference, month, is_ppo in outcomes if reference in no_crime and is_ppo)
    assert expected_calls and expected_unmatched, "the sample data carries both faults (config/generator.yml)"
    for measure, expected, index in (
        ("calls_999_answered_10s_share", expected_calls, 0),
        ("ppo_rate__all", expected_unmatched, 1),
        ("ppo_rate__rape", expected_unmatched, 1),
    ):
        found = {month: rows[index] for (name, month), rows in flags.items() if name == measure and rows[index]}
        assert found == dict(expected), measure
    assert not any(name in ("calls_101_abandoned_share", "crimes__all") for name, _ in flags)
    quiet_month = next(month for month in months if not any(m == month and rows[1] for (_, m), rows in flags.items()))
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        assert measures_touched(connection, failed_check(connection, "outcomes_have_their_crime"), quiet_month) == {}


def printed_text_sizes(pdf: Path) -> list[tuple[float, str]]:
    """Every piece of text in a PDF with the size it prints at (points): the font size scaled by the
    text and current matrices, as a reader measures it."""
    found: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if text.strip():
            found.append((size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]), text.strip()))

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return found


def charts_only(page: str, extra_style: str = "") -> str:
    """The pack's page with every pillar's table taken out: what is left of each pillar is its charts
    (title, commentary, trend, split, legends), printed with the pack's own styles."""
    pillars = re.sub(r"<table>.*?</table>", "", page, flags=re.DOTALL)
    body = "".join(
        re.findall(
            r'<section class="pillar" id="(?:victims|offenders|communities|performance)">.*?</section>', pillars, re.DOTALL
        )
    )
    head = page.split("<body>", 1)[0].replace("</head>", f"<style>{extra_style}</style></head>")
    return f"{head}<body>{body}</body></html>"


def smallest_chart_text(page: str, work: Path, extra_style: str = "") -> tuple[float, str]:
    html_file = work / "charts.html"
    html_file.write_text(charts_only(page, extra_style), encoding="utf-8")
    sizes = [(size, text) for size, text in printed_text_sizes(print_pdf(html_file, work / "charts.pdf"))]
    # the page footer (the month and page numbers) is the print margin's, not a chart's
    return min((size, text) for size, text in sizes if not re.fullmatch(r"Page|\d+|of|.*performance pack.*", text))


@needs_warehouse
def test_chart_text_prints_at_8_points_or_more(tmp_path: Path) -> None:
    """Every text of the charts (axes, ticks, line labels, marks, splits, legends, commentary) prints at
    8 pt or more on the A4 page, measured in the PDF Chromium prints; the check sees text set smaller."""
    page = write_pack(PUBLISHED, tmp_path / "pack.html", "2019-12").read_text(encoding="utf-8")
    size, text = smallest_chart_text(page, tmp_path)
    assert size >= 8.0, f"{text!r} prints at {size:.1f} pt"
    small = tmp_path / "small"
    small.mkdir()
    size, _ = smallest_chart_text(page, small, extra_style="svg .axis { font-size: 7px; }")
    assert size < 8.0


def text_boxes(svg: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each text of an SVG chart with the box it takes (charts.text_box: its anchor, its length)."""
    from scripts.report.charts import FONT_SIZE, text_box

    boxes = []
    for attributes, text in re.findall(r"<text ([^>]*)>([^<]*)</text>", svg):
        found = dict(re.findall(r'([a-z-]+)="([^"]*)"', attributes))
        size = FONT_SIZE
        boxes.append(
            (
                unescape(text),
                text_box(float(found["x"]), float(found["y"]), unescape(text), found.get("text-anchor", "start"), size),
            )
        )
    return boxes


def overprinted(svg: str) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap, and texts over a point (a mark sits on its own point)."""
    from scripts.report.charts import overlaps

    boxes = text_boxes(svg)
    pairs = [(a, b) for i, (a, box) in enumerate(boxes) for b, other in boxes[i + 1 :] if overlaps(box, other)]
    points = [(float(x), float(y)) for x, y in re.findall(r'<circle [^>]*cx="([\d.]+)" cy="([\d.]+)"', svg)]
    marks = {"\u2713", "\u2717", "\u25c6"}
    covered = [
        (text, f"point at {x:.0f},{y:.0f}")
        for text, (left, top, right, bottom) in boxes
        if text not in marks
        for x, y in points
        if left <= x <= right and top <= y <= bottom
    ]
    return pairs + covered


@needs_warehouse
def test_no_chart_text_overprints_another_or_a_point(tmp_path: Path) -> None:
    """Every trend and split chart of two packs: no two texts' boxes overlap, no text lies over a
    point, every text inside the drawing. The check catches two month ticks run together."""
    from scripts.report.charts import HEIGHT

    for month in (KNOWN_MONTH, "2019-12"):
        page = write_pack(PUBLISHED, tmp_path / f"pack-{month}.html", month).read_text(encoding="utf-8")
        svgs = re.findall(r'<svg class="(?:trend|bars)".*?</svg>', page, re.DOTALL)
        assert len(svgs) > 20
        for svg in svgs:
            width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
            assert not overprinted(svg), (month, overprinted(svg)[:3])
            for text, (left, top, right, bottom) in text_boxes(svg):
                assert left >= 0 and right <= width and top >= 0 and bottom <= max(height, HEIGHT), (month, text)
    run_together = (
        '<svg viewBox="0 0 440 220"><text class="axis" x="400" y="204" text-anchor="middle">Jul 2019</text>'
        '<text class="axis" x="430" y="204" text-anchor="end">Dec 2019</text></svg>'
    )
    assert overprinted(run_together) == [("Jul 2019", "Dec 2019")]


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
