"""The performance pack's quality panel and warning marks: which gate run it names, and which figures a warning touches."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pack_support import KNOWN_MONTH, PUBLISHED, WAREHOUSE, board_row, needs_warehouse, render_rows

from scripts.pack import write_pack


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
def test_the_pack_names_the_release_it_was_published_as(tmp_path: Path) -> None:
    """The release of the publishing gate run, on the page and in every printed page's footer; a
    later release row (another run) is not the one the pack speaks for."""
    published = tmp_path / "published"
    published.mkdir()
    shutil.copy(PUBLISHED, published / "warehouse.duckdb")
    with duckdb.connect(str(published / "warehouse.duckdb")) as connection:
        version, run_id, previous = connection.execute(
            "select version, run_id, previous_version from releases.release_log order by released_at desc limit 1"
        ).fetchone()
        connection.execute("""
            insert into releases.release_log
            values ('2099-01-01T093000Z-later', timestamp '2099-01-01 09:30:00', 'b', 'later-run', null)""")
    (published / "PUBLISHED_RUN").write_text(run_id + "\n")
    page = write_pack(published / "warehouse.duckdb", tmp_path / "pack.html", KNOWN_MONTH).read_text(encoding="utf-8")
    line = page.split('class="meta release">', 1)[1].split("</p>", 1)[0]
    assert f"release {version}" in line and (previous is None or previous in line) and "2099" not in page
    assert f'performance pack, August 2020, release {version}"' in page  # the print footer


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
