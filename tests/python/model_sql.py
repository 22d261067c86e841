"""Run a model's own compiled SQL (as dbt compiles it from the project) over tables a test makes.

The statistics tests draw thousands of series and need the warehouse's real SQL, not a copy of it:
`compiled_models` compiles the named models with dbt once, and `ModelWarehouse` holds a scratch
DuckDB file named like the warehouse (the compiled SQL names its catalog), where a test writes a
model's inputs and builds the model from its compiled SQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
from conftest import run_dbt

# The inputs of the models the statistics tests run, as the project's models and seeds have them.
INPUT_COLUMNS = {
    "intermediate.int_measure_values_windowed": (
        "measure_id varchar, geography_level varchar, geography varchar, period_month date, period_window varchar, "
        "value double, numerator double, denominator double, sample_size double, is_complete boolean, "
        "incomplete_reason varchar"
    ),
    "intermediate.int_response_medians_windowed": (
        "measure_id varchar, geography_level varchar, geography varchar, period_month date, period_window varchar, "
        "value double, numerator double, denominator double, sample_size double, median_seconds double, "
        "is_complete boolean, incomplete_reason varchar, loaded_at timestamp"
    ),
    "intermediate.int_measures_catalogued": (
        "measure_id varchar, pillar varchar, name varchar, unit varchar, polarity varchar, word_polarity varchar, "
        "min_n integer, significance_test varchar, is_strategic boolean"
    ),
    "intermediate.int_response_times_counted": (
        "measure_id varchar, geography_level varchar, geography varchar, created_month date, response_seconds integer, "
        "cases bigint, cases_at_or_below hugeint"
    ),
    "reference.spc_rebases": "measure_id varchar, geography varchar, rebase_month date, reason varchar",
}


def compiled_models(work: Path, *names: str, seeds_from: Path | None = None, seeds: tuple[str, ...] = ()) -> dict[str, str]:
    """The compiled SQL of each named model, from `dbt compile` on a scratch warehouse (holding the
    named seeds' tables, copied from `seeds_from`, for a model whose SQL is written from a seed)."""
    warehouse = work / "warehouse.duckdb"
    work.mkdir(parents=True, exist_ok=True)
    if seeds:
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(f"attach '{seeds_from}' as built (read_only)")
            connection.execute("create schema if not exists reference")
            for seed in seeds:
                connection.execute(f"create table reference.{seed} as select * from built.reference.{seed}")
    result = run_dbt(warehouse, "compile", "--select", *names)
    assert result.returncode == 0, result.stdout[-4000:]
    manifest = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))
    return {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] in names
    }


class ModelWarehouse:
    """A scratch warehouse: empty input tables, filled by the test, then models built over them."""

    def __init__(self, work: Path, compiled: dict[str, str]) -> None:
        work.mkdir(parents=True, exist_ok=True)
        self.compiled = compiled
        self.connection = duckdb.connect(str(work / "warehouse.duckdb"))
        for schema in ("intermediate", "reference", "marts"):
            self.connection.execute(f"create schema if not exists {schema}")
        for table, columns in INPUT_COLUMNS.items():
            self.connection.execute(f"create or replace table {table} ({columns})")

    def fill(self, table: str, rows: pd.DataFrame) -> None:
        """Append the rows (columns by name; the rest null) to an input table."""
        self.connection.register("incoming_rows", rows)
        self.connection.execute(f"insert into {table} by name select * from incoming_rows")
        self.connection.unregister("incoming_rows")

    def build(self, schema: str, model: str) -> None:
        self.connection.execute(f"create or replace table {schema}.{model} as\n{self.compiled[model]}")

    def frame(self, sql: str) -> pd.DataFrame:
        return self.connection.execute(sql).df()

    def close(self) -> None:
        self.connection.close()
