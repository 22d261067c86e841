"""The measure registry and the comparisons' definitions drive the measures: every entry is built, a
new measure is one catalogue row and one registry entry, and a new comparison is one definition and
its contract columns (nothing else edited)."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import add_measure, project_copy, run_dbt_in

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


def test_a_new_measure_is_one_catalogue_row_and_one_registry_entry(built_warehouse: Path, tmp_path: Path) -> None:
    """Hate crimes involving a knife: appended to the two seeds of a copy of the project, and built by
    dbt into measure_values, equal to an independent count of the crimes."""
    project = project_copy(tmp_path / "project")
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built_warehouse, warehouse)
    add_measure(
        project,
        warehouse,
        tmp_path,
        "measures",
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
        "int_measure_components_monthly",
        measure_id="crimes__hate_knife",
        counted_from="crimes_recorded",
        numerator_condition="is_hate_crime and has_sharp_instrument",
        month_basis="recorded date",
        quality_extract="crimes",
    )
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


NEW_COMPARISONS = """        'month_before': {'shown': 'month_before', 'word': 'vs_month_before', 'windows': [1]},
        'two_months_before': {'shown': 'avg_two_months_before', 'word': 'vs_2m_avg', 'windows': [1, 2]},
"""


def _months_before(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _contract_column(name: str, data_type: str) -> str:
    return f"      - name: {name}\n        data_type: {data_type}\n        description: A comparison a test added.\n"


def test_a_new_comparison_is_one_definition_and_its_contract_columns(built_warehouse: Path, tmp_path: Path) -> None:
    """Against the month before, and against the two months before pooled: one entry each in
    measure_comparisons and their columns in measure_values' contract, in a copy of the project.
    measure_values then carries each figure and word, equal to the months they read (a count's pool
    the mean, a rate's the events over the cases), and int_measure_comparisons has their rows."""
    project = project_copy(tmp_path / "project")
    macros = project / "macros" / "measures.sql"
    anchor = "        'baseline': {'shown': 'baseline'"
    text = macros.read_text()
    assert anchor in text
    macros.write_text(text.replace(anchor, NEW_COMPARISONS + anchor, 1))
    contract = project / "models" / "marts" / "_marts__models.yml"
    text = contract.read_text()
    shown_anchor, word_anchor = "      - name: vs_last_year\n", "      - name: is_low_sample\n        data_type: boolean\n"
    assert text.count(shown_anchor) == 1 and word_anchor in text
    text = text.replace(
        shown_anchor,
        _contract_column("month_before", "double") + _contract_column("avg_two_months_before", "double") + shown_anchor,
    )
    text = text.replace(
        word_anchor, _contract_column("vs_month_before", "varchar") + _contract_column("vs_2m_avg", "varchar") + word_anchor, 1
    )
    contract.write_text(text)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built_warehouse, warehouse)
    run_dbt_in(project, warehouse, tmp_path, "run", "--full-refresh", "--select", "int_measure_comparisons+")
    run_dbt_in(project, warehouse, tmp_path, "test", "--select", "measure_values", "assert_words_agree_with_the_figures")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("""
            select measure_values.measure_id, catalogue.unit, measure_values.geography, measure_values.period_month,
                   measure_values.value, measure_values.numerator, measure_values.denominator,
                   measure_values.month_before, measure_values.avg_two_months_before,
                   measure_values.vs_month_before, measure_values.vs_2m_avg
            from marts.measure_values
            inner join intermediate.int_measures_catalogued as catalogue using (measure_id)
            where measure_values.period_window = 'month' and catalogue.unit in ('count', 'rate')
            order by all""").fetchall()
        long_rows = connection.execute(
            "select comparison, count(*) from intermediate.int_measure_comparisons group by all"
        ).fetchall()
    by_key = {(row[0], row[2], row[3]): row for row in rows}
    checked = pooled = worded = 0
    for measure, unit, geography, month, _value, _numerator, _denominator, before, two_before, word, _ in rows:
        one, two = (by_key.get((measure, geography, _months_before(month, n))) for n in (1, 2))
        if one is not None and one[4] is not None:
            assert before == pytest.approx(one[4]), (measure, geography, month)
            checked += 1
            worded += word is not None
        if one is not None and two is not None and one[5] is not None and two[5] is not None:
            if unit == "count":
                expected = (one[4] + two[4]) / 2
            else:
                cases = one[6] + two[6]
                expected = (one[5] + two[5]) / cases if cases else None
            assert two_before == pytest.approx(expected), (measure, geography, month)
            pooled += 1
    assert checked > 100 and pooled > 50 and worded > 50
    assert {"month_before", "two_months_before", "last_year"} <= {name for name, _ in long_rows}
