"""The performance pack: its arithmetic, its figures against measure_values, and how it looks in a browser."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from scripts.pack import write_pack
from scripts.report.fmt import figure, with_n
from scripts.settings import PROJECT_ROOT, published_dir

PUBLISHED = published_dir() / "warehouse.duckdb"
KNOWN_MONTH = "2020-08"
needs_warehouse = pytest.mark.skipif(
    not PUBLISHED.exists() and not os.environ.get("CI"), reason="no published warehouse: run `make run` (make test does)"
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
]


def test_numbers_are_formatted_as_the_reports_print_them() -> None:
    assert with_n(0.775, "rate", 1288) == "77.5% (n = 1,288)"
    assert figure(1332, "count") == "1,332" and figure(18.2, "minutes") == "18 min"
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
    assert with_n(cdi, "rate", cdi_n) in dom
    shot = tmp_path / "pack.png"
    assert shot.exists() and shot.stat().st_size > 50_000
    pdf = tmp_path / "pack.pdf"
    subprocess.run(
        [
            shutil.which("chromium"),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile-pdf'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    pages = pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")
    assert pages >= 5  # the data-quality panel, then each pillar starting a page of its own
    keep = PROJECT_ROOT / "warehouse" / "pack-screenshot.png"
    shutil.copy(shot, keep)


def test_the_template_escapes_every_text() -> None:
    """A measure name, force name and warning carrying markup come out as text, never as tags."""
    from datetime import date

    from scripts.report import html
    from scripts.report.data import PackData

    row = {
        "pillar": "victims",
        "measure_id": "x",
        "measure_name": "<script>alert(1)</script>",
        "unit": "count",
        "has_low_sample": False,
        "current_month": 3.0,
        "current_month_n": None,
        "same_month_1y_ago": None,
        "same_month_2y_ago": None,
        "same_month_3y_ago": None,
        "current_month_vs_3y_avg": "Higher",
        "rolling_12_months": 10.0,
        "rolling_12_months_n": None,
        "baseline": None,
        "performance_vs_benchmark": None,
    }
    warning = {
        "severity": "warning",
        "description": "a <b>bold</b> claim",
        "observed_value": 1,
        "where_failed": "crimes",
        "failed_extracts": ["crimes"],
    }
    page = html.render(PackData(date(2020, 8, 1), "Force & <Co>", [row], {}, {}, [warning], None, {"x": "crimes"}), {}, {})
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Force &amp; &lt;Co&gt;" in page and "a &lt;b&gt;bold&lt;/b&gt; claim" in page
    assert "†</span>" in page  # the warned extract marks the figure
