"""The gate reads again only the months of the figures that changed since the last passing run, and
carries the rest (scripts/gate/carry.py); what it carries can never hide a fault.

Each test runs the gate (scripts.validate, a subprocess) on a private copy of the small built
warehouse, changes what a carry must notice, and runs it again."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import duckdb
from conftest import query, run_tool

from scripts.gate import carry
from scripts.gate.datasets import fetch
from scripts.gate.suites import load_checks
from scripts.settings import load_config


def gate(warehouse: Path) -> tuple[int, str]:
    """Run the gate; its exit code and output."""
    result = run_tool("validate", warehouse, warehouse.parent / "published")
    return result.returncode, result.stdout + result.stderr


def last_run(warehouse: Path) -> dict:
    columns = ("run_id", "carried_from_run", "figures_checked", "figures_carried", "is_publishable")
    row = query(warehouse, f"select {', '.join(columns)} from quality.validation_runs order by validated_at desc limit 1")[0]
    return dict(zip(columns, row, strict=True))


def results(warehouse: Path, run_id: str) -> dict[str, tuple]:
    """Each check's result in a run: passed, rows failing, and what it observed."""
    found = query(
        warehouse,
        "select suite || '.' || expectation, passed, unexpected_count, observed_value, where_failed "
        f"from quality.validation_results where run_id = '{run_id}'",
    )
    return {key: (passed, failing, json.loads(observed), where) for key, passed, failing, observed, where in found}


def figures(warehouse: Path) -> int:
    return query(warehouse, "select count(*) from marts.measure_values")[0][0]


def test_an_unchanged_warehouse_is_carried_whole_with_the_same_answers(warehouse_copy: Path) -> None:
    assert gate(warehouse_copy)[0] == 0
    first = last_run(warehouse_copy)
    assert first["carried_from_run"] is None and first["figures_checked"] == figures(warehouse_copy)
    code, output = gate(warehouse_copy)
    second = last_run(warehouse_copy)
    assert code == 0 and second["carried_from_run"] == first["run_id"], output
    assert second["figures_checked"] == 0 and second["figures_carried"] == figures(warehouse_copy)
    before, after = results(warehouse_copy, first["run_id"]), results(warehouse_copy, second["run_id"])
    assert before.keys() == after.keys()
    for key, (passed, failing, observed, _where) in before.items():
        assert after[key][:2] == (passed, failing), key
        now = after[key][2]
        if isinstance(observed, dict) and "rows_checked" in observed and "rows_carried" in now:
            # every row the first run checked is carried, none read again
            assert (now["rows_checked"], now["rows_carried"]) == (0, observed["rows_checked"]), key
        else:
            assert now == observed, key


def test_a_figure_broken_in_an_old_month_is_read_again_and_refused(warehouse_copy: Path) -> None:
    assert gate(warehouse_copy)[0] == 0
    month = query(warehouse_copy, "select min(period_month) from marts.measure_values")[0][0]
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "update marts.measure_values set value = 1.5 where measure_id = 'sat_whole__all' "
            "and geography_level = 'force' and period_window = 'month' and period_month = ?",
            [month],
        )
    code, output = gate(warehouse_copy)
    run = last_run(warehouse_copy)
    assert code == 1 and "rates_between_0_and_1" in output, output
    in_month = query(warehouse_copy, f"select count(*) from marts.measure_values where period_month = '{month}'")[0][0]
    assert run["figures_checked"] == in_month, run  # only the month changed is read again
    failed = results(warehouse_copy, run["run_id"])["marts.rates_between_0_and_1"]
    assert failed[:2] == (False, 1) and "sat_whole__all" in failed[3], failed


def test_after_a_refused_run_every_figure_is_read_again(warehouse_copy: Path) -> None:
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute("update marts.measure_values set value = -1 where measure_id = 'cdi_compliance'")
    assert gate(warehouse_copy)[0] == 1
    code, output = gate(warehouse_copy)
    run = last_run(warehouse_copy)
    assert code == 1 and run["carried_from_run"] is None and run["figures_checked"] == figures(warehouse_copy), output


def test_a_check_that_failed_before_reads_every_row_again(warehouse_copy: Path) -> None:
    """A warning fails but the build is published; the next run must report it again, in full, though
    no month changed."""
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "update marts.measure_values set sample_size = 60 where measure_id = 'sat_whole__all' "
            "and geography_level = 'force' and period_window = 'month' "
            "and period_month = (select max(period_month) from marts.measure_values)"
        )
    assert gate(warehouse_copy)[0] == 0
    first = last_run(warehouse_copy)
    assert not results(warehouse_copy, first["run_id"])["marts.survey_sample_at_target"][0]
    assert gate(warehouse_copy)[0] == 0
    second = last_run(warehouse_copy)
    assert second["carried_from_run"] == first["run_id"]
    assert (
        results(warehouse_copy, second["run_id"])["marts.survey_sample_at_target"]
        == (results(warehouse_copy, first["run_id"])["marts.survey_sample_at_target"])
    )


def test_other_checks_or_thresholds_carry_nothing(warehouse_copy: Path) -> None:
    assert gate(warehouse_copy)[0] == 0
    checks = load_checks()
    frame = fetch(warehouse_copy, None, {carry.DATASET})[carry.DATASET]
    stricter = load_checks(thresholds={**load_config()["quality_gate"]["thresholds"], "min_cdi_compliance": 0.9})
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        same = carry.plan(connection, checks, frame, carry.checks_digest(checks))
        other = carry.plan(connection, stricter, frame, carry.checks_digest(stricter))
    assert same.from_run and same.months and same.checks
    assert other.from_run is None and not other.months


def test_only_checks_whose_answer_for_a_month_is_its_own_are_carried() -> None:
    kinds = {check.key: carry.is_month_wise(check) for check in load_checks()}
    assert kinds["marts.one_figure_per_key"] and kinds["marts.rates_between_0_and_1"]
    unique = next(check for check in load_checks() if check.type == "expect_compound_columns_to_be_unique")
    without_month = [column for column in unique.kwargs["column_list"] if column != carry.MONTH]
    assert not carry.is_month_wise(replace(unique, kwargs={"column_list": without_month}))
    assert not carry.is_month_wise(replace(unique, type="expect_column_mean_to_be_between", kwargs={"column": "value"}))
