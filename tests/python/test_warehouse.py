"""End to end on small data: load, `dbt build`, and the data tests fail when the data is broken."""

from __future__ import annotations

from pathlib import Path

import duckdb
from conftest import read_lines, run_dbt

STAGING_MODELS = (
    "stg_force__crimes",
    "stg_force__crime_outcomes",
    "stg_force__incidents",
    "stg_force__calls",
    "stg_force__survey_responses",
    "stg_force__cdi_audits",
    "stg_force__vcc_checks",
    "stg_force__dqat_assessments",
)


def test_build_stages_every_loaded_row(built_warehouse: Path, small_extracts: Path) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        for model in STAGING_MODELS:
            source = model.removeprefix("stg_force__")
            staged = connection.execute(f"select count(*) from staging.{model}").fetchone()[0]
            loaded = connection.execute(f"select sum(rows_loaded) from raw.load_audit where source = '{source}'").fetchone()[0]
            assert staged == loaded > 0, model


def test_duplicates_are_flagged_not_dropped(built_warehouse: Path, small_extracts: Path) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        quarantined = set(
            connection.execute("select source_file, source_line from raw.quarantine where source = 'crimes'").fetchall()
        )
        flagged = connection.execute("select count(*) from staging.stg_force__crimes where is_duplicate").fetchone()[0]
    references: list[str] = []
    for path in sorted((small_extracts / "crimes").glob("*.csv.gz")):
        lines = read_lines(path)
        references += [
            line.split(",")[0] for number, line in enumerate(lines[1:], start=2) if (str(path), number) not in quarantined
        ]
    repeats = len(references) - len(set(references))
    assert repeats > 0
    assert flagged == repeats


def test_an_unbalanced_audit_fails_the_build(warehouse_copy: Path) -> None:
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute("delete from raw.calls where _source_line = 2")
    failing = run_dbt(warehouse_copy, "test", "--select", "assert_load_audit_balances")
    assert failing.returncode != 0
    assert "assert_load_audit_balances" in failing.stdout and "Got 3 results" in failing.stdout
