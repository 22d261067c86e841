"""An incremental build of the control charts and the commentary reads, of the months it keeps, only
what a rebuilt month's row depends on, and still writes exactly the rows a full build writes:
measure_spc each series' first point and its latest phase's baseline and last runs (points_read);
measure_commentary the figures of the 35 months before and each comparison's last run of one word.
The warehouse `make run` built is copied and told that one month's inputs changed (that month's
digest in raw.measure_inputs_built is forgotten, as a late record would change it), and the two
models alone are rebuilt from there; every row must equal the full build's, to the last bit. The
dbt unit tests spc_an_incremental_build_reads_the_runs_a_rebuilt_month_continues and
commentary_an_incremental_build_counts_a_streak_begun_before_the_rebuilt_month pin each part on
series made for it; this test runs them on every series of a real build."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

from scripts.settings import warehouse_path

WAREHOUSE = warehouse_path()
# each model rebuilt, and a CTE its compiled SQL has only when it reads the kept months in part
MODELS = {"measure_spc": "kept_points as", "measure_commentary": "kept_comparisons as"}


def months_to_rebuild(warehouse: Path) -> list[date]:
    """The latest month (a nightly's), the same month a year before, and the first re-base month
    recorded in the seed that the history holds (a phase that starts inside the months rebuilt)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        first, latest = connection.execute("select min(period_month), max(period_month) from marts.measure_spc").fetchone()
        rebase = connection.execute(
            "select min(rebase_month) from reference.spc_rebases where rebase_month > ?", [first]
        ).fetchone()[0]
    year_before = date(latest.year - 1, latest.month, 1)
    return [latest, *([year_before] if year_before > first else []), *([rebase] if rebase and rebase <= latest else [])]


@pytest.mark.skipif(not WAREHOUSE.exists(), reason="no warehouse: run `make run` (make test does)")
def test_control_charts_and_commentary_rebuilt_from_a_month_equal_the_full_build(tmp_path: Path) -> None:
    months = months_to_rebuild(WAREHOUSE)
    assert len(months) == 3, f"the built warehouse's history is too short to test the carry: {months}"
    for month in months:
        copy = tmp_path / str(month) / "warehouse.duckdb"
        copy.parent.mkdir()
        shutil.copyfile(WAREHOUSE, copy)
        with duckdb.connect(str(copy)) as connection:
            forgotten = connection.execute(
                "delete from raw.measure_inputs_built where period_month = ? returning period_month", [month]
            ).fetchall()
        assert forgotten, f"{month}: no digest recorded for it (the warehouse was not built by `make run`)"
        result = run_dbt(copy, "run", "--select", *MODELS)
        assert result.returncode == 0, result.stdout[-4000:]
        for model, reading_in_part in MODELS.items():
            compiled = next((copy.parent / "target" / "compiled").rglob(f"{model}.sql")).read_text()
            assert reading_in_part in compiled and f"date '{month}'" in compiled, (
                f"{month}: {model} was rebuilt whole, not from the month (was the warehouse built by other code? run `make run`)"
            )
            extra, missing = differences(copy, f"marts.{model}", month)
            assert (extra, missing) == (0, 0), (
                f"{model} rebuilt from {month}: {extra} rows differ from the full build's ({missing} of its rows not written)"
            )


def differences(copy: Path, table: str, month: date) -> tuple[int, int]:
    """Rows of the table in the copy that the full build does not have, and the full build's rows
    the copy does not have (after checking the copy rebuilt some rows from the month)."""
    with duckdb.connect(str(copy), read_only=True) as connection:
        connection.execute(f"attach '{WAREHOUSE}' as built (read_only)")
        rebuilt = connection.execute(f"select count(*) from {table} where period_month >= ?", [month]).fetchone()[0]
        assert rebuilt > 0, f"{table}: no row rebuilt from {month}"
        extra, missing = (
            connection.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchone()[0]
            for a, b in ((table, f"built.{table}"), (f"built.{table}", table))
        )
    return extra, missing
