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
