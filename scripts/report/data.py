"""What the pack shows, read from the published warehouse (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

PILLARS = ("victims", "offenders", "communities", "performance")
# The extract each measure is built from, to put the gate's warnings beside the figures.
SOURCE_OF_PREFIX = (("sat_", "survey_responses"), ("resp_", "incidents"), ("incidents__", "incidents"),
                    ("da_incident", "incidents"), ("calls_", "calls"), ("cdi_", "cdi_audits"),
                    ("vcc_", "vcc_checks"), ("dqat_", "dqat_assessments"), ("ppo_", "crime_outcomes"),
                    ("charges__", "crime_outcomes"), ("tic__", "crime_outcomes"),
                    ("community_resolutions__", "crime_outcomes"), ("outcome22__", "crime_outcomes"))


def source_of(measure_id: str) -> str:
    return next((source for prefix, source in SOURCE_OF_PREFIX if measure_id.startswith(prefix)), "crimes")


@dataclass(frozen=True)
class PackData:
    month: date
    force: str
    board: list[dict[str, Any]]
    trends: dict[str, list[tuple[date, float | None]]]
    splits: dict[str, list[tuple[str, str, float | None]]]
    warnings: list[dict[str, Any]]
    run: dict[str, Any] | None


class NothingToReport(Exception):
    """The warehouse holds none of the force's measures (e.g. a police.uk-only run)."""


def latest_month(connection: duckdb.DuckDBPyConnection) -> date:
    month = connection.execute("select max(report_month) from marts.rpt_board_tables").fetchone()[0]
    if month is None:
        raise NothingToReport("the warehouse holds none of the force's measures (a police.uk-only run?)")
    return month


def read(connection: duckdb.DuckDBPyConnection, month: date, headlines: dict[str, list[str]], trend_months: int) -> PackData:
    board = rows(connection, """
        select * from marts.rpt_board_tables
        where report_month = ? and geography_level = 'force' order by pillar, measure_id""", [month])
    if not board:
        raise ValueError(f"no board table for {month:%Y-%m}; the warehouse holds months up to {latest_month(connection):%Y-%m}")
    charted = [measure for measures in headlines.values() for measure in measures]
    trends: dict[str, list[tuple[date, float | None]]] = {}
    splits: dict[str, list[tuple[str, str, float | None]]] = {}
    for measure in charted:
        trends[measure] = [tuple(row) for row in connection.execute("""
            select period_month, value from marts.measure_values
            where measure_id = ? and geography_level = 'force' and period_window = 'month'
              and period_month between cast(? as date) - to_months(?) and ?
            order by period_month""", [measure, month, trend_months - 1, month]).fetchall()]
        splits[measure] = [tuple(row) for row in connection.execute("""
            select geography_level, geography, value from marts.measure_values
            where measure_id = ? and geography_level in ('area', 'district') and period_window = 'rolling_12m'
              and period_month = ?
            order by geography_level, geography""", [measure, month]).fetchall()]
    validated = connection.execute("select count(*) from information_schema.tables "
                                   "where table_schema = 'quality' and table_name = 'validation_runs'").fetchone()[0]
    run = rows(connection, "select * from quality.validation_runs order by validated_at desc limit 1", []) if validated else []
    warnings = rows(connection, """
        select suite, expectation, dataset, severity, observed_value, where_failed, description
        from quality.validation_results
        where run_id = (select run_id from quality.validation_runs order by validated_at desc limit 1) and not passed
        order by severity, suite, expectation""", []) if run else []
    return PackData(month, board[0]["geography"], board, trends, splits, warnings, run[0] if run else None)


def rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
