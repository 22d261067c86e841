"""The published Data Docs and dbt docs open from disk in headless Chromium with the network cut
off: listed, styled, naming what they checked (README "Published docs")."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from scripts.report.pdf import CHROMIUM_FLAGS
from scripts.settings import published_dir

PUBLISHED = published_dir()
needs_published = pytest.mark.skipif(
    not (PUBLISHED / "data_docs").exists() and not os.environ.get("CI"), reason="nothing published: run `make run`"
)
# no name resolves, so nothing can be fetched from the internet
OFFLINE = ("--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=20000")


def open_offline(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The page's DOM once its scripts have run, with no network, and the internet addresses the
    page tried to fetch (from Chromium's network log: requests the page made, not the browser's own
    background ones, which have no origin)."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed: run `make browser` (make test does)"
    netlog = profile.with_suffix(".netlog.json")
    result = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            *OFFLINE,
            f"--user-data-dir={profile}",
            f"--log-net-log={netlog}",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    events = json.loads(netlog.read_text(encoding="utf-8")).get("events", []) if netlog.exists() else []
    fetched = sorted(
        {
            event["params"]["url"]
            for event in events
            if str(event.get("params", {}).get("url", "")).startswith(("http://", "https://"))
            and event["params"].get("initiator", "not an origin") != "not an origin"
        }
    )
    return result.stdout, fetched


def test_the_offline_check_sees_a_page_that_needs_the_network(tmp_path: Path) -> None:
    """The fault the docs tests are for: a page fetching its styles and scripts from a CDN."""
    page = tmp_path / "cdn.html"
    page.write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/x.css">'
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script></head><body>x</body></html>'
    )
    _, fetched = open_offline(page, tmp_path / "profile")
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in fetched and "https://maxcdn.bootstrapcdn.com/x.css" in fetched


@needs_published
def test_data_docs_list_and_style_the_validations_offline(tmp_path: Path) -> None:
    docs = PUBLISHED / "data_docs"
    dom, fetched = open_offline(docs / "index.html", tmp_path / "index")
    assert fetched == []
    links = re.findall(r'<tr><td><a href="(validations/[^"]+)"', dom)
    assert len(links) >= 10 and "marts.measure_values" in dom
    marts = next(unquote(link) for link in links if "marts__measure_values" in link)
    dom, fetched = open_offline(docs / marts, tmp_path / "page")
    assert fetched == []
    assert "Data asset: marts.measure_values" in dom and "Data asset: None" not in dom and "PandasDataFrame" not in dom
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', dom)
    assert styles and all(not style.startswith("http") for style in styles)
    assert all((docs / marts).parent.joinpath(style).resolve().is_file() for style in styles)
    assert not re.search(r'<(?:script|img|link)\b[^>]*(?:src|href)="https?:', dom)


@needs_published
def test_dbt_docs_list_the_models_offline(tmp_path: Path) -> None:
    dom, fetched = open_offline(PUBLISHED / "dbt_docs" / "index.html", tmp_path / "dbt")
    assert fetched == []
    assert all(model in dom for model in ("measure_values", "measure_commentary", "rpt_board_tables"))


def gx_validation_page(folder: Path, suite: str, status: str) -> Path:
    """A validation page as GX writes it (its status line), in its folder of validations."""
    page = folder / "validations" / suite / "__none__" / "20261205T010203.000000Z" / f"warehouse-{suite}.html"
    page.parent.mkdir(parents=True)
    icon = "fa-check-circle text-success" if status == "Succeeded" else "fa-times text-danger"
    page.write_text(f'<html><head></head><body><span>Status:</span> <i class="fas {icon}"></i> {status}</body></html>')
    return page


def test_a_validation_failing_only_warnings_is_shown_passed_with_warnings(tmp_path: Path) -> None:
    """GX says Failed for any failed expectation; the gate's warnings never stop a publish, so the
    index and the page say "Passed with warnings" for them, and Failed only where a blocking check failed."""
    from scripts.data_docs import WARNED, make_offline

    warned = gx_validation_page(tmp_path, "staging__quality_source_checks", "Failed")
    blocked = gx_validation_page(tmp_path, "marts__measure_values", "Failed")
    passed = gx_validation_page(tmp_path, "raw__raw_columns", "Succeeded")
    statuses = {v.suite: v.status for v in make_offline(tmp_path, frozenset({"staging__quality_source_checks"}))}
    assert statuses == {
        "staging__quality_source_checks": WARNED,
        "marts__measure_values": "Failed",
        "raw__raw_columns": "Succeeded",
    }
    index = (tmp_path / "index.html").read_text()
    assert f'class="passed-with-warnings">{WARNED}<' in index and 'class="failed">Failed<' in index
    assert WARNED in warned.read_text() and "Failed" not in warned.read_text()
    assert "Failed" in blocked.read_text() and "Succeeded" in passed.read_text()


@needs_published
def test_published_data_docs_show_no_warning_as_a_failure() -> None:
    """Every validation the published index calls Failed has a blocking check failed in the published
    run (none does, or the build would not be published)."""
    import duckdb

    index = (PUBLISHED / "data_docs" / "index.html").read_text(encoding="utf-8")
    shown = dict(
        re.findall(
            r'<a href="validations/([^/"]+)/[^"]*">[^<]*</a></td><td>[^<]*</td><td>[^<]*</td><td class="[^"]*">([^<]+)<', index
        )
    )
    with duckdb.connect(str(PUBLISHED / "warehouse.duckdb"), read_only=True) as connection:
        run = connection.execute("select run_id from quality.validation_runs order by validated_at desc limit 1").fetchone()[0]
        failing = dict(
            connection.execute(
                "select suite || '__' || dataset, bool_or(severity = 'blocking') from quality.validation_results "
                "where run_id = ? and not passed group by all",
                [run],
            ).fetchall()
        )
    assert shown
    for suite, status in shown.items():
        expected = "Succeeded" if suite not in failing else ("Failed" if failing[suite] else "Passed with warnings")
        assert status == expected, (suite, status)
