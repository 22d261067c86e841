"""The measure registry drives the measures: every entry is built, and a new measure is one
catalogue row and one registry entry (nothing else edited)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from scripts import runner
from scripts.settings import PROJECT_ROOT

REGISTRY = PROJECT_ROOT / "seeds" / "measure_registry.csv"
MEDIAN_CASES = "intermediate.int_incidents_timed where is_response_graded and response_seconds is not null"
DOMAIN_ROWS = {  # where each force domain's rows are, to know whether an entry has anything to count
    "crimes_recorded": "intermediate.int_crimes_classified where is_counted",
    "crimes_by_outcome": "intermediate.int_crimes_classified where is_counted and current_outcome_month is not null",
    "incidents": "intermediate.int_incidents_timed where true",
    "survey_answers": "intermediate.int_survey_answers_scored where is_valid",
    "calls": "intermediate.int_calls_deduplicated where true",
    "cdi_audits": "staging.stg_force__cdi_audits where not is_duplicate and not has_missing_finding",
    "vcc_checks": "staging.stg_force__vcc_checks where not is_duplicate and not has_missing_finding",
    "dqat_assessments": "staging.stg_force__dqat_assessments where not is_duplicate and not has_unknown_result",
}


def registry() -> list[dict[str, str]]:
    with REGISTRY.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_force_entry_is_built(built_warehouse: Path) -> None:
    """An entry whose domain holds rows is in the components (zero counts included); a median entry
    whose condition selects an incident has cases."""
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        components = {
            row[0]
            for row in connection.execute(
                "select distinct measure_id from intermediate.int_measure_components_monthly"
            ).fetchall()
        }
        cases = {
            row[0]
            for row in connection.execute("select distinct measure_id from intermediate.int_response_cases_assigned").fetchall()
        }
        checked = 0
        for entry in registry():
            if entry["counted_from"] == "response_cases":
                selected = connection.execute(
                    f"select count(*) from {MEDIAN_CASES} and ({entry['numerator_condition']})"
                ).fetchone()[0]
                assert not selected or entry["measure_id"] in cases, entry["measure_id"]
            elif entry["counted_from"] in DOMAIN_ROWS:
                if connection.execute(f"select count(*) from {DOMAIN_ROWS[entry['counted_from']]}").fetchone()[0]:
                    assert entry["measure_id"] in components, entry["measure_id"]
            else:
                continue
            checked += 1
    assert checked >= 60


def _project_copy(target: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", "warehouse", "data", "target", "logs", "__pycache__")
    shutil.copytree(PROJECT_ROOT, target, ignore=ignore)
    return target


def _append(path: Path, row: list[str]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(row)


def test_a_new_measure_is_one_catalogue_row_and_one_registry_entry(built_warehouse: Path, tmp_path: Path) -> None:
    """Hate crimes involving a knife: appended to the two seeds of a copy of the project, and built by
    dbt into measure_values, equal to an independent count of the crimes."""
    project = _project_copy(tmp_path / "project")
    _append(
        project / "seeds" / "measures.csv",
        [
            "crimes__hate_knife",
            "communities",
            "Hate crimes involving a knife",
            "count",
            "lower_is_better",
            "crimes recorded",
            "",
            "",
        ],
    )
    _append(
        project / "seeds" / "measure_registry.csv",
        [
            "crimes__hate_knife",
            "crimes_recorded",
            "is_hate_crime and has_sharp_instrument",
            "",
            "",
            "sum",
            "poisson_counts",
            "district",
            "recorded date",
            "crimes",
            "false",
        ],
    )
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built_warehouse, warehouse)
    for args in (
        ["seed", "--select", "measures", "measure_registry"],
        ["run", "--select", "int_measure_components_monthly+", "int_measures_catalogued+"],
        ["test", "--select", "assert_every_measure_has_a_registry_entry"],
    ):
        command = [
            runner.DBT,
            *args,
            "--project-dir",
            str(project),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ]
        result = subprocess.run(
            command, cwd=project, env=runner.pipeline_environment(warehouse), capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        built = dict(
            connection.execute("""
            select period_month, value from marts.measure_values
            where measure_id = 'crimes__hate_knife' and geography_level = 'force' and period_window = 'month'""").fetchall()
        )
        counted = dict(
            connection.execute("""
            select recorded_month, count(*) from intermediate.int_crimes_classified
            where is_counted and is_hate_crime and has_sharp_instrument group by all""").fetchall()
        )
    assert built and counted
    for month, crimes in counted.items():
        assert built[month] == pytest.approx(crimes), month
