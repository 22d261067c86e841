"""An incremental build of the control charts reads, of the months it keeps, only the points a rebuilt
month's row depends on (models/marts/measure_spc.sql, points_read), and still writes exactly the rows a
full build writes. The warehouse `make run` built is copied and told that one month's inputs changed
(that month's digest in raw.measure_inputs_built is forgotten, as a late record would change it), and
measure_spc alone is rebuilt from there; every row must equal the full build's, to the last bit. The
dbt unit test spc_an_incremental_build_reads_the_runs_a_rebuilt_month_continues pins each part of
points_read on a series made for it; this test runs it on every series of a real build."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

from scripts.settings import warehouse_path

WAREHOUSE = warehouse_path()


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
def test_control_charts_rebuilt_from_a_month_equal_the_full_build(tmp_path: Path) -> None:
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
        result = run_dbt(copy, "run", "--select", "measure_spc")
        assert result.returncode == 0, result.stdout[-4000:]
        compiled = next((copy.parent / "target" / "compiled").rglob("measure_spc.sql")).read_text()
        assert "kept_points as" in compiled and f"date '{month}'" in compiled, (
            f"{month}: measure_spc was rebuilt whole, not from the month (was the warehouse built by other code? run `make run`)"
        )
        with duckdb.connect(str(copy), read_only=True) as connection:
            connection.execute(f"attach '{WAREHOUSE}' as built (read_only)")
            rebuilt = connection.execute("select count(*) from marts.measure_spc where period_month >= ?", [month]).fetchone()[0]
            extra, missing = (
                connection.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchone()[0]
                for a, b in (("marts.measure_spc", "built.marts.measure_spc"), ("built.marts.measure_spc", "marts.measure_spc"))
            )
        assert rebuilt > 0
        assert (extra, missing) == (0, 0), (
            f"rebuilt from {month}: {extra} rows differ from the full build's ({missing} of its rows not written)"
        )
