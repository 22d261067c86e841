"""marts.measure_commentary on the warehouse `make run` built: every number in every sentence of a
known month is a figure of the marts.measure_values row it cites, printed as the board prints it
(recomputed here in Python, apart from the SQL that wrote it), and "significant" is only ever said
of a comparison whose test found it."""

from __future__ import annotations

import csv
import os
import re
from datetime import date
from typing import Any

import duckdb
import pytest

from scripts.settings import PROJECT_ROOT, warehouse_path

WAREHOUSE = warehouse_path()
MONTH = date(2019, 12, 1)  # the month of the February 2020 seed report
pytestmark = pytest.mark.skipif(
    not WAREHOUSE.exists() and not os.environ.get("CI"), reason="no warehouse: run `make run` (make test does)"
)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
MONTH_NAME = re.compile(r"(?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}")
SIGNIFICANT_WORDS = {"Improved", "Deteriorated", "Higher", "Lower"}


def printed(value: float, unit: str) -> str:
    """A figure as the board prints it, the number only (the % and min marks are left out)."""
    if unit == "rate":
        return f"{value * 100:.1f}"
    if unit == "minutes":
        return f"{value:.1f}"
    if unit == "per_1000":
        return f"{value:.2f}"
    return f"{round(value):,}"


def rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def commentary() -> tuple[list[dict[str, Any]], dict[tuple, dict[str, Any]]]:
    with duckdb.connect(str(WAREHOUSE), read_only=True) as connection:
        sentences = rows(connection, "select * from marts.measure_commentary where period_month = ?", [MONTH])
        values = {
            (row["measure_id"], row["geography_level"], row["geography"], row["period_month"], row["period_window"]): row
            for row in rows(
                connection,
                """select * from marts.measure_values
                where period_month between cast(? as date) - interval 36 month and ?""",
                [MONTH, MONTH],
            )
        }
    return sentences, values


def template_numbers() -> dict[str, set[str]]:
    with (PROJECT_ROOT / "seeds" / "commentary_rules.csv").open(encoding="utf-8") as handle:
        return {
            rule["rule_id"]: set(NUMBER.findall(re.sub(r"\{[a-z_]+\}", "", rule["template"]))) for rule in csv.DictReader(handle)
        }


def cited_figures(row: dict[str, Any], values: dict[tuple, dict[str, Any]]) -> set[str]:
    """The figures a commentary row cites, each checked against the measure_values row it comes from,
    printed as the sentence must print them."""
    key = (row["measure_id"], row["geography_level"], row["geography"], row["period_month"], row["period_window"])
    own = values[key]
    assert row["value"] == own["value"], f"{row['rule_id']}: value is not the measure_values row's"
    assert row["sample_size"] == own["sample_size"], f"{row['rule_id']}: n is not the measure_values row's"
    figures = {printed(row["value"], row["unit"])}
    if row["unit"] in ("rate", "minutes") and row["sample_size"] is not None:
        figures.add(f"{round(row['sample_size']):,}")
    if row["comparison_month"] is not None:
        earlier = values[(*key[:3], row["comparison_month"], row["period_window"])]
        assert row["comparison_value"] == earlier["value"], f"{row['rule_id']}: comparison is not the row it cites"
        figures.add(printed(row["comparison_value"], row["unit"]))
    if row["area_name"] is not None:
        area = values[(row["measure_id"], "area", row["area_name"], row["period_month"], row["period_window"])]
        area_before = values[(row["measure_id"], "area", row["area_name"], row["comparison_month"], row["period_window"])]
        assert (row["area_value"], row["area_previous_value"]) == (area["value"], area_before["value"])
        figures |= {printed(row["area_value"], row["unit"]), printed(row["area_previous_value"], row["unit"])}
    for count in (row["streak_months"], row["span_months"]):
        if count is not None:
            figures.add(str(count))
    return figures


def test_every_number_in_every_sentence_is_a_figure_of_the_row_it_cites(commentary) -> None:
    sentences, values = commentary
    assert len(sentences) > 100 and any(row["headline_rank"] == 1 for row in sentences)
    literal = template_numbers()
    checked = 0
    for row in sentences:
        allowed = cited_figures(row, values) | literal[row["rule_id"]]
        # names (of the measure, e.g. "101 calls abandoned", and of places) and months are words
        text = MONTH_NAME.sub("", row["sentence"].replace(row["measure_name"], "").replace(row["geography"], ""))
        for number in NUMBER.findall(text):
            assert number in allowed, f"{number} in {row['sentence']!r} is not a figure its row cites ({sorted(allowed)})"
            checked += 1
        assert printed(row["value"], row["unit"]) in text, f"the value is missing from {row['sentence']!r}"
    assert checked > len(sentences)


def test_significant_only_where_the_test_found_it(commentary) -> None:
    sentences, values = commentary
    said = [row for row in sentences if "significant" in row["sentence"] and "not a significant" not in row["sentence"]]
    assert said, "no significant change in the month: the check has nothing to check"
    for row in said:
        word = values[(row["measure_id"], row["geography_level"], row["geography"], MONTH, row["period_window"])][
            "vs_baseline" if row["comparison_month"] and "benchmark" in row["sentence"] else "vs_last_year"
        ]
        assert word in SIGNIFICANT_WORDS, f"{row['sentence']!r} says significant where the test says {word}"
        assert row["comparison_word"] == word
