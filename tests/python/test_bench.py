"""`make bench` runs end to end and records every step; its yardstick computes the same marts.

Figures are never asserted: only that each step ran, was measured and was written down.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import table_digests

from scripts.bench import PIPELINE
from scripts.bench_report import STEP_LABELS, write_results
from scripts.compiled_sql import run as run_compiled_sql
from scripts.settings import PROJECT_ROOT, load_generator_config


def test_bench_times_every_step_and_writes_its_figures(tmp_path: Path) -> None:
    results, doc = tmp_path / "force.json", tmp_path / "benchmarks.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.bench",
            "--scale",
            "1",
            "--months",
            "2",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(results),
            "--doc",
            str(doc),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(results.read_text())
    [run] = figures["runs"]
    assert (run["scale"], run["months"]) == (1, 2)
    assert set(run["seconds"]) == set(run["peak_mib"]) == set(STEP_LABELS)
    assert all(run["seconds"][step] > 0 and run["peak_mib"][step] > 0 for step in STEP_LABELS)
    assert 0 < run["rows_nightly"] < run["rows_generated_and_loaded"]
    assert figures["machine"]["cores"] and run["dbt_over_compiled_sql"] > 0 and run["load_over_read_csv"] > 0
    assert run["nightly_over_full_pipeline"] > 0
    # the idle nightly (no new file) over the full, as the step times give them
    idle, full = (sum(run["seconds"][f"{prefix}{step}"] for step in PIPELINE) for prefix in ("idle_", ""))
    assert abs(run["idle_nightly_over_full_pipeline"] - idle / full) < 0.01
    page = doc.read_text()
    assert all(label in page for label in STEP_LABELS.values())
    assert "<!-- force:start -->" in page and "<!-- force:end -->" in page
    assert not (tmp_path / "work" / "scale-1").exists()  # scratch removed unless --keep


def test_a_whole_history_run_a_month_later_replaces_the_last_one(tmp_path: Path) -> None:
    results = tmp_path / "force.json"
    start = str(load_generator_config()["start_month"])
    runs = [
        {"scale": 1.0, "months": 151, "first_month": start, "seconds": {"load": 15.1}},
        {"scale": 45.0, "months": 36, "first_month": "2023-11", "seconds": {"load": 157.2}},
    ]
    write_results(runs, results)
    write_results([{"scale": 1.0, "months": 152, "first_month": start, "seconds": {"load": 13.8}}], results)
    kept = [(run["scale"], run["months"]) for run in json.loads(results.read_text())["runs"]]
    assert kept == [(1.0, 152), (45.0, 36)]


def test_compiled_sql_yardstick_builds_the_same_marts(built_warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "direct" / "warehouse.duckdb"  # same file name: the SQL names the catalog
    copy.parent.mkdir()
    shutil.copyfile(built_warehouse, copy)
    with_dbt = table_digests(built_warehouse, tmp_path)
    with duckdb.connect(str(copy)) as connection:  # nothing dbt built is left in the copy
        for schema in ("staging", "intermediate", "marts", "quality"):
            connection.execute(f"drop schema {schema} cascade")
    (tmp_path / "direct_digests").mkdir()
    assert run_compiled_sql(copy, built_warehouse.parent / "target" / "manifest.json") > 30
    assert table_digests(copy, tmp_path / "direct_digests") == with_dbt


def test_bench_police_uk_runs_on_the_real_files_and_writes_every_step(tmp_path: Path) -> None:
    from scripts.bench_police_uk import IDLE, NIGHTLY, NIGHTLY_LABELS, SHARED
    from scripts.bench_police_uk import STEP_LABELS as PUBLIC_STEPS

    if not SHARED.exists():
        import pytest

        pytest.skip("../shared/data/police_uk_all_forces is not beside the project")
    results, doc = tmp_path / "police_uk.json", tmp_path / "benchmarks.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.bench_police_uk",
            "--months",
            "4",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(results),
            "--doc",
            str(doc),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(results.read_text())
    assert figures["months"] == 4 and figures["force_ids"] == 41
    assert figures["street_rows_loaded"] == figures["street_rows_written"] > 973_410  # a fourth month repeats January
    steps = {*PUBLIC_STEPS, *(prefix + step for step in PUBLIC_STEPS for prefix in (NIGHTLY, IDLE))}
    assert set(figures["seconds"]) - {"make_files"} == set(figures["peak_mib"]) == steps
    assert all(figures["seconds"][step] > 0 and figures["peak_mib"][step] > 0 for step in steps)
    # the nightly (and the idle nightly) over the full, as the step times give them
    full = sum(figures["seconds"][step] for step in PUBLIC_STEPS)
    for prefix, ratio in ((NIGHTLY, "nightly_over_full_pipeline"), (IDLE, "idle_nightly_over_full_pipeline")):
        assert abs(figures[ratio] - sum(figures["seconds"][prefix + step] for step in PUBLIC_STEPS) / full) < 0.01
    page = doc.read_text()
    assert all(label in page for label in [*PUBLIC_STEPS.values(), *NIGHTLY_LABELS.values()]) and "<!-- police_uk:end -->" in page
    assert (tmp_path / "work" / "pack-kent.html").exists()
    # a repeated month brings Crime IDs of its own, as a real later month does (not January's again)
    with duckdb.connect(str(tmp_path / "work" / "warehouse.duckdb"), read_only=True) as connection:
        ids = "select crime_id from staging.stg_police_uk__street_records where crime_id is not null and period_month = date "
        assert connection.execute(f"select count(*) from ({ids} '2025-04-01' intersect {ids} '2025-01-01')").fetchone()[0] == 0
        assert connection.execute(f"select count(*) from ({ids} '2025-04-01')").fetchone()[0] > 250_000
