"""No look-ahead: every figure, word, control-chart point and sentence for a month is computed from
that month and earlier ones only. The warehouse `make run` built is cut after a past month (December
2019, the month of the shared February 2020 report) and its comparisons, measure_values, control
charts and commentary rebuilt from their own compiled SQL; every row up to that month equals the row
built with every later month present.
(The inputs are the same rows in both: what was *known* at the time, late outcomes included, is the
as-at build's business, `make as-at`.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from model_sql import INPUT_COLUMNS, ModelWarehouse, compiled_models

from scripts.settings import warehouse_path

WAREHOUSE = warehouse_path()
CUT_MONTH = date(2019, 12, 1)
MONTH_COLUMN = {"intermediate.int_response_times_counted": "created_month"}


# copied whole from the built warehouse beside the inputs of INPUT_COLUMNS (cut by month)
REFERENCE_TABLES = ("reference.commentary_rules", "reference.districts", "reference.measures")
MODELS = (
    ("intermediate", "int_measure_values_described"),
    ("intermediate", "int_measure_comparisons"),
    ("marts", "measure_values"),
    ("marts", "measure_spc"),
    ("marts", "measure_commentary"),
)


def rebuilt(work: Path, compiled: dict[str, str], cut: date | None) -> ModelWarehouse:
    """The comparisons, measure_values, the control charts and the commentary rebuilt from the built
    warehouse's inputs, only the months up to `cut` when it is given."""
    warehouse = ModelWarehouse(work, compiled)
    warehouse.connection.execute(f"attach '{WAREHOUSE.resolve()}' as built (read_only)")
    for table in INPUT_COLUMNS:
        month = MONTH_COLUMN.get(table, "period_month")
        has_month = table.split(".")[1] not in ("int_measures_catalogued", "spc_rebases")
        where = f" where {month} <= date '{cut}'" if cut and has_month else ""
        columns = ", ".join(column.split()[0] for column in INPUT_COLUMNS[table].split(", "))
        warehouse.connection.execute(f"insert into {table} select {columns} from built.{table}{where}")
    for table in REFERENCE_TABLES:
        warehouse.connection.execute(f"create or replace table {table} as select * from built.{table}")
    warehouse.connection.execute("detach built")
    for schema, model in MODELS:
        warehouse.build(schema, model)
    return warehouse


def rows_up_to(warehouse: ModelWarehouse, table: str, cut: date) -> set[tuple]:
    """Every row of the table up to the month, its doubles to 9 decimals (sums of the same numbers
    in another order may differ in the last bit)."""
    columns = warehouse.connection.execute(f"describe {table}").fetchall()
    selected = ", ".join(f"round({name}, 9)" if kind == "DOUBLE" else name for name, kind, *_ in columns)
    return set(warehouse.connection.execute(f"select {selected} from {table} where period_month <= ?", [cut]).fetchall())


@pytest.mark.skipif(not WAREHOUSE.exists(), reason="no warehouse: run `make run` (make test does)")
def test_a_months_figures_words_and_control_charts_never_change_when_later_months_arrive(tmp_path: Path) -> None:
    compiled = compiled_models(
        tmp_path / "compile", *(model for _, model in MODELS), seeds_from=WAREHOUSE.resolve(), seeds=("commentary_rules",)
    )
    cut = rebuilt(tmp_path / "cut", compiled, CUT_MONTH)
    full = rebuilt(tmp_path / "full", compiled, None)
    later = full.connection.execute("select count(*) from marts.measure_spc where period_month > ?", [CUT_MONTH]).fetchone()[0]
    assert later > 0, "the built warehouse has no month after the cut: nothing to test"
    for table in (f"{schema}.{model}" for schema, model in MODELS):
        before, after = rows_up_to(cut, table, CUT_MONTH), rows_up_to(full, table, CUT_MONTH)
        assert len(before) > 100, table
        changed = sorted(before ^ after, key=str)[:6]
        assert before == after, f"{table}: {len(before ^ after)} rows differ once later months are added, e.g. {changed}"
    cut.close()
    full.close()
