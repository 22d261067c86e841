"""The performance pack as a reader sees it: in Chromium, printed to A4 PDF and Excel, its colours and
the size and placing of its chart text."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from html import escape, unescape
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook
from pack_support import KNOWN_MONTH, PUBLISHED, needs_warehouse
from pypdf import PdfReader

from scripts.pack import write_pack
from scripts.report.fmt import figure, with_n
from scripts.report.pdf import CHROMIUM_FLAGS, print_pdf
from scripts.settings import PROJECT_ROOT


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
