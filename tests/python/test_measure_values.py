"""marts.measure_values on the warehouse `make run` built: complete, consistent, answerable."""

from __future__ import annotations

import os

import duckdb
import pytest

from scripts.settings import warehouse_path

WAREHOUSE = warehouse_path()
pytestmark = pytest.mark.skipif(
    not WAREHOUSE.exists() and not os.environ.get("CI"), reason="no warehouse: run `make run` (make test does)"
)


@pytest.fixture(scope="module")
def connection():
    with duckdb.connect(str(WAREHOUSE), read_only=True) as connection:
        yield connection


def test_every_catalogue_measure_for_every_geography_and_month(connection) -> None:
    missing = connection.execute("""
        select count(*)
        from intermediate.int_measure_scope
        cross join (values ('month'), ('rolling_3m'), ('rolling_12m')) w (period_window)
        anti join marts.measure_values using (measure_id, geography_level, geography, period_month, period_window)
    """).fetchone()[0]
    assert missing == 0
    force_measures = connection.execute("""
        select count(distinct measure_id) from marts.measure_values
        where measure_id in (select measure_id from reference.measures)""").fetchone()[0]
    assert force_measures == 64
    levels = dict(
        connection.execute("""
        select geography_level, count(distinct geography) from marts.measure_values
        where measure_id in (select measure_id from reference.measures) group by 1""").fetchall()
    )
    assert levels == {"force": 1, "area": 3, "district": 7}
    months = connection.execute("""
        select min(period_month), count(distinct period_month) from marts.measure_values
        where measure_id in (select measure_id from reference.measures)""").fetchone()
    assert str(months[0]) == "2014-04-01" and months[1] >= 140


def test_month_rows_add_up_to_the_rolling_windows(connection) -> None:
    mismatches = connection.execute("""
        with months as (
            select measure_id, geography_level, geography, period_month, numerator, denominator
            from marts.measure_values where period_window = 'month'
        ),
        summed as (
            select measure_id, geography_level, geography, period_month,
                   sum(numerator) over w as numerator, sum(denominator) over w as denominator
            from months
            window w as (partition by measure_id, geography_level, geography order by period_month
                         rows between 11 preceding and current row)
        )
        select count(*)
        from marts.measure_values r
        inner join summed s using (measure_id, geography_level, geography, period_month)
        inner join reference.measure_registry mm using (measure_id)
        where r.period_window = 'rolling_12m' and mm.window_aggregation = 'sum' and r.value is not null
          and (abs(r.numerator - s.numerator) > 1e-6 or abs(coalesce(r.denominator, 0) - coalesce(s.denominator, 0)) > 1e-6)
    """).fetchone()[0]
    assert mismatches == 0


def test_areas_and_districts_add_up_to_the_force(connection) -> None:
    mismatches = connection.execute("""
        select count(*) from (
            select f.measure_id, f.period_month, f.period_window, f.numerator,
                   sum(a.numerator) as areas
            from marts.measure_values f
            inner join marts.measure_values a
                using (measure_id, period_month, period_window)
            where f.geography_level = 'force' and a.geography_level = 'area' and f.numerator is not null
            group by all
            having abs(f.numerator - sum(a.numerator)) > 1e-6
        )
    """).fetchone()[0]
    assert mismatches == 0


def test_low_samples_never_carry_a_significance_word(connection) -> None:
    worded = connection.execute("""
        select count(*) from marts.measure_values
        where is_low_sample and (vs_last_year != 'Comparable' or vs_3y_avg != 'Comparable' or vs_baseline != 'Comparable')
    """).fetchone()[0]
    assert worded == 0
    flagged = connection.execute("select count(*) from marts.measure_values where is_low_sample").fetchone()[0]
    assert flagged > 0


def test_the_analyst_question_is_one_short_query(connection) -> None:
    # "What was the dwelling burglary outcome rate in South area, rolling 12 months to January 2020,
    #  and was it significantly better than the year end?"
    rows = connection.execute("""
        select value, sample_size, baseline, vs_baseline
        from marts.measure_values
        where measure_id = 'ppo_rate__burglary_dwelling' and geography = 'South'
          and period_window = 'rolling_12m' and period_month = date '2020-01-01'
    """).fetchall()
    assert len(rows) == 1
    value, sample_size, baseline, word = rows[0]
    assert 0 < value < 1 and 0 < baseline < 1 and sample_size > 100
    assert word in ("Improved", "Deteriorated", "Comparable")


def test_board_table_lays_out_every_measure_for_every_month(connection) -> None:
    last_month = connection.execute("select max(period_month) from intermediate.int_months_enumerated").fetchone()[0]
    rows = connection.execute(
        """
        select count(distinct measure_id), count(distinct geography), count(*)
        from marts.rpt_board_tables where report_month = ?""",
        [last_month],
    ).fetchone()
    assert rows[0] == 64 and rows[1] == 4 and rows[2] == 64 + 59 * 3  # force-only measures have no area rows
    check = connection.execute(
        """
        select count(*) from marts.rpt_board_tables b
        inner join marts.measure_values m
            on m.measure_id = b.measure_id and m.geography = b.geography and m.period_window = 'month'
            and m.period_month = b.report_month - to_months(12)
        where b.report_month = ? and m.value is distinct from b.same_month_1y_ago""",
        [last_month],
    ).fetchone()[0]
    assert check == 0
