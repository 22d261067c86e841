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


def test_unknown_districts_past_the_tolerance_fail_the_build(warehouse_copy: Path) -> None:
    passing = run_dbt(warehouse_copy, "test", "--select", "stg_force__crimes,test_name:flagged_share_below")
    assert passing.returncode == 0, passing.stdout[-3000:]
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute("update raw.crimes set district = 'Gotham' where _source_line % 10 = 0")
    # raw rows edited in place, not only added: the staged table is rebuilt in full
    assert run_dbt(warehouse_copy, "run", "--full-refresh", "--select", "stg_force__crimes").returncode == 0
    failing = run_dbt(warehouse_copy, "test", "--select", "stg_force__crimes,test_name:flagged_share_below")
    assert failing.returncode != 0
    assert "flagged_share_below_stg_force__crimes_has_unknown_district" in failing.stdout


def test_orphaned_outcomes_warn_as_a_trickle_and_fail_as_a_share(warehouse_copy: Path) -> None:
    # the synthetic extracts hold a trickle of outcomes whose crime row was quarantined: a warning
    selected = "stg_force__crime_outcomes,test_name:orphan_share_below test_name:relationships"
    passing = run_dbt(warehouse_copy, "test", "--select", selected)
    assert passing.returncode == 0, passing.stdout[-3000:]
    assert "WARN" in passing.stdout and "relationships_stg_force__crime_outcomes_crime_reference" in passing.stdout
    with duckdb.connect(str(warehouse_copy)) as connection:  # one outcome in a hundred loses its crime
        connection.execute("update raw.crime_outcomes set crime_reference = crime_reference || '-X' where _source_line % 100 = 0")
    assert run_dbt(warehouse_copy, "run", "--full-refresh", "--select", "stg_force__crime_outcomes").returncode == 0
    failing = run_dbt(warehouse_copy, "test", "--select", selected)
    assert failing.returncode != 0
    assert "FAIL 1 orphan_share_below_stg_force__crime_outcomes_crime_reference" in failing.stdout, failing.stdout[-3000:]


def test_an_unbalanced_audit_fails_the_build(warehouse_copy: Path) -> None:
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute("delete from raw.calls where _source_line = 2")
    failing = run_dbt(warehouse_copy, "test", "--select", "assert_load_audit_balances")
    assert failing.returncode != 0
    assert "assert_load_audit_balances" in failing.stdout and "Got 3 results" in failing.stdout
