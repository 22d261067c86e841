"""What the pack shows, read from the published warehouse (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from scripts.sql_text import identifier

PILLARS = ("victims", "offenders", "communities", "performance")


@dataclass(frozen=True)
class TrendPoint:
    """A month of a trend chart with its statistical process control from marts.measure_spc
    (limits null when the series has too few points for them; they vary from month to month on a
    Laney chart and while a baseline forms)."""

    month: date
    value: float | None
    centre_line: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_two_sigma: float | None
    lower_two_sigma: float | None
    variation: str | None
    rules: tuple[str, ...]
    baseline: tuple[date, date] | None
    phase_start: date | None = None  # the first month of the point's phase (its series' first, or a re-base)


@dataclass(frozen=True)
class SplitBar:
    """An area's or district's rolling 12 months for a split chart (marts.measure_values)."""

    level: str
    geography: str
    value: float | None
    sample_size: float | None
    last_year: float | None
    is_low_sample: bool
    is_bucket: bool  # the unknown area or district: rows that could not be placed


@dataclass(frozen=True)
class PackData:
    month: date
    force: str
    board: list[dict[str, Any]]
    trends: dict[str, list[TrendPoint]]
    splits: dict[str, list[SplitBar]]
    warnings: list[dict[str, Any]]
    run: dict[str, Any] | None
    # for each warning (in order), the measures it touches in the pack's month with the rows touching
    # each (None: not counted by month); see measures_touched
    warned_measures: list[dict[str, int | None]]
    # the month's headlines (marts.measure_commentary, by headline_rank) and each charted measure's
    # commentary: its force rows, then the district that moved against its area most
    headlines: list[dict[str, Any]]
    commentary: dict[str, list[dict[str, Any]]]
    # the extracts the build read: files, when the last was loaded, the latest month of data
    extracts: dict[str, Any] | None = None
    # each pillar's charted measures, its strategic measures first
    charted: dict[str, list[str]] | None = None
    # for each warning (in order), how far it reaches in the months to the pack's: see warning_extent
    extents: list[dict[str, Any] | None] | None = None
    # the release the figures were published as (releases.release_log): its version and the one before
    release: dict[str, Any] | None = None


class NothingToReport(Exception):
    """The warehouse holds none of the force's measures (e.g. a police.uk-only run)."""


def latest_month(connection: duckdb.DuckDBPyConnection) -> date:
    month = connection.execute("select max(report_month) from marts.rpt_board_tables").fetchone()[0]
    if month is None:
        raise NothingToReport("the warehouse holds none of the force's measures (a police.uk-only run?)")
    return month


def read(
    connection: duckdb.DuckDBPyConnection,
    month: date,
    headlines: dict[str, list[str]],
    trend_months: int,
    headline_count: int = 8,
    published_run: str | None = None,
) -> PackData:
    board = rows(
        connection,
        """
        select board.*, coalesce(registry.is_strategic, false) as is_strategic
        from marts.rpt_board_tables as board
        left join reference.measure_registry as registry on board.measure_id = registry.measure_id
        where board.report_month = ? and board.geography_level = 'force'
        order by board.pillar, is_strategic desc, board.measure_id""",
        [month],
    )
    if not board:
        raise ValueError(f"no board table for {month:%Y-%m}; the warehouse holds months up to {latest_month(connection):%Y-%m}")
    # each pillar charts every strategic measure of its own, first (the board's order), then the other
    # measures config/warehouse.yml (pack.headlines) names for it
    order = {row["measure_id"]: index for index, row in enumerate(board)}
    headlines_by_pillar = {
        pillar: sorted(
            {
                *headlines.get(pillar, []),
                *(row["measure_id"] for row in board if row["pillar"] == pillar and row["is_strategic"]),
            },
            key=lambda measure: (order.get(measure, len(order)), measure),
        )
        for pillar in PILLARS
    }
    charted = [measure for measures in headlines_by_pillar.values() for measure in measures]
    trends: dict[str, list[TrendPoint]] = {}
    splits: dict[str, list[SplitBar]] = {}
    for measure in charted:
        trends[measure] = trend(connection, measure, None, month, trend_months)
        splits[measure] = [
            SplitBar(*row)
            for row in connection.execute(
                """
            select values.geography_level, values.geography, values.value, values.sample_size,
                   values.same_month_last_year, coalesce(values.is_low_sample, false),
                   values.geography in (
                       select district_name from reference.districts where is_bucket
                       union all
                       select area_name from reference.districts where is_bucket
                   )
            from marts.measure_values as values
            where values.measure_id = ? and values.geography_level in ('area', 'district')
              and values.period_window = 'rolling_12m' and values.period_month = ?
            order by values.geography_level, 7, values.geography""",
                [measure, month],
            ).fetchall()
        ]
    run, warnings = read_gate_run(connection, published_run)
    headlines, commentary = read_commentary(connection, month, charted, headline_count)
    warned = [measures_touched(connection, warning, month) for warning in warnings]
    extents = [warning_extent(connection, warning, month) for warning in warnings]
    return PackData(
        month,
        board[0]["geography"],
        board,
        trends,
        splits,
        warnings,
        run,
        warned,
        headlines,
        commentary,
        extracts_read(connection),
        headlines_by_pillar,
        extents,
        read_release(connection, published_run),
    )


def extracts_read(connection: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """Which extracts the figures are drawn from: the files of raw.load_audit, when the last was
    loaded, and the latest month the measures hold (None for a warehouse without the audit)."""
    if not has_table(connection, "raw", "load_audit"):
        return None
    files, loaded_at = connection.execute("select count(*), max(loaded_at) from raw.load_audit").fetchone()
    latest = connection.execute("select max(period_month) from marts.measure_values").fetchone()[0]
    return {"files": files, "loaded_at": loaded_at, "latest_month": latest}


def checked_column(warning: dict[str, Any]) -> str:
    """The column a failed check read, as the gate stored it with its result ('' for a check on a
    whole table, or a result stored before the gate kept it)."""
    return str(warning.get("checked_column") or "")


def warning_extent(connection: duckdb.DuckDBPyConnection, warning: dict[str, Any], month: date) -> dict[str, Any] | None:
    """How far a failed check reaches in the months up to the pack's, for a check whose rows
    quality.quality_source_months counts (a share column counts by its _rows column): for each
    extract it failed on, the rows it found and the rows loaded; and the months with any of them,
    of the months loaded. None for any other check (the panel then says what the gate found)."""
    column = checked_column(warning)
    column = column.removesuffix("_share") + "_rows" if column.endswith("_share") else column
    failed = list(warning.get("failed_extracts") or [])
    if not failed or column not in columns_of(connection, "quality", "quality_source_months"):
        return None
    where = "period_month <= ? and list_contains(?, source)"
    sources = rows(
        connection,
        f"""
        select source, sum({identifier(column)}) as found, sum(rows_loaded) as loaded
        from quality.quality_source_months where {where}
        group by source order by source""",
        [month, failed],
    )
    months_found, months = connection.execute(
        f"""
        select count(distinct period_month) filter (where {identifier(column)} > 0), count(distinct period_month)
        from quality.quality_source_months where {where}""",
        [month, failed],
    ).fetchone()
    return {"sources": sources, "months_found": months_found, "months": months}


def measures_touched(connection: duckdb.DuckDBPyConnection, warning: dict[str, Any], month: date) -> dict[str, int | None]:
    """The force measures a failed check touches in the month, with the rows touching each (None:
    not counted by month). A check whose column quality.quality_measure_flags counts (events out of
    order, outcomes with no crime) touches a measure only where flagged rows touch that measure's
    figure in the month; a check whose column quality.quality_source_months counts, the measures of
    the extracts with such rows in the month; any other check, every measure of the extracts it
    failed on (each measure's extract is the registry's quality_extract)."""
    column = checked_column(warning)
    if column and column in columns_of(connection, "quality", "quality_measure_flags"):
        return dict(
            connection.execute(
                f"select measure_id, {identifier(column)} from quality.quality_measure_flags "
                f"where period_month = ? and {identifier(column)} > 0 order by measure_id",
                [month],
            ).fetchall()
        )
    failed = set(warning.get("failed_extracts") or [])
    extract_of = dict(connection.execute("select measure_id, quality_extract from reference.measure_registry").fetchall())
    if column and column in columns_of(connection, "quality", "quality_source_months"):
        extract_rows = dict(
            connection.execute(
                f"select source, {identifier(column)} from quality.quality_source_months "
                f"where period_month = ? and {identifier(column)} > 0",
                [month],
            ).fetchall()
        )
        return {
            measure: extract_rows[extract] for measure, extract in extract_of.items() if extract in failed & extract_rows.keys()
        }
    return {measure: None for measure, extract in extract_of.items() if extract in failed}


def read_gate_run(
    connection: duckdb.DuckDBPyConnection, published_run: str | None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The quality gate run that validated the published build (its run id is in PUBLISHED_RUN beside
    the published warehouse; the latest run when that is not known) and the checks that failed in it."""
    if not has_table(connection, "quality", "validation_runs"):
        return None, []
    found = rows(
        connection,
        """
        select * from quality.validation_runs
        order by run_id = coalesce(?, '') desc, validated_at desc limit 1""",
        [published_run],
    )
    if not found:
        return None, []
    warnings = rows(
        connection,
        """
        select * from quality.validation_results
        where run_id = ? and not passed
        order by severity, suite, expectation""",
        [found[0]["run_id"]],
    )
    return found[0], warnings


def read_release(connection: duckdb.DuckDBPyConnection, published_run: str | None) -> dict[str, Any] | None:
    """The release that published these figures: the one of the gate run in PUBLISHED_RUN (the
    latest when that is not known); None for a warehouse never published."""
    if not has_table(connection, "releases", "release_log"):
        return None
    found = rows(
        connection,
        """
        select version, previous_version from releases.release_log
        order by run_id = coalesce(?, '') desc, released_at desc limit 1""",
        [published_run],
    )
    return found[0] if found else None


def read_commentary(
    connection: duckdb.DuckDBPyConnection, month: date, measures: list[str], headline_count: int
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The month's headlines (every significant change in a strategic measure and one lead for each
    other strategic measure, then the first headline_count of the other measures' headlines) and the
    commentary of each measure, from marts.measure_commentary (none from a warehouse built before it
    existed)."""
    if not has_table(connection, "marts", "measure_commentary"):
        return [], {}
    headlines = rows(
        connection,
        """
        select * from marts.measure_commentary
        where period_month = ? and headline_tier is not null
        qualify headline_tier < 3 or row_number() over (partition by headline_tier order by headline_rank) <= ?
        order by headline_rank""",
        [month, headline_count],
    )
    commentary: dict[str, list[dict[str, Any]]] = {measure: [] for measure in measures}
    for row in rows(
        connection,
        """
        select * from marts.measure_commentary
        where period_month = ? and list_contains(?, measure_id)
          and (geography_level = 'force' or rule_id = 'district_against_area')
        qualify geography_level = 'force'
            or row_number() over (partition by measure_id, geography_level order by headline_rank nulls last, geography) = 1
        order by measure_id, geography_level = 'district', rule_rank, rule_id""",
        [month, measures],
    ):
        commentary[row["measure_id"]].append(row)
    return headlines, commentary


def month_commentary(connection: duckdb.DuckDBPyConnection, month: date) -> list[dict[str, Any]]:
    """Every sentence of the month for the force and its areas (none before the commentary existed)."""
    if not has_table(connection, "marts", "measure_commentary"):
        return []
    return rows(
        connection,
        """
        select * from marts.measure_commentary
        where period_month = ? and geography_level in ('force', 'area')
        order by geography_level = 'area', geography, pillar, measure_id, rule_rank""",
        [month],
    )


RULES = (
    ("is_outside_limits", "a point outside the limits"),
    ("is_in_shift", "7 in a row on one side of the centre line"),
    ("is_in_trend", "7 in a row rising or falling"),
    ("is_two_of_three_beyond_two_sigma", "2 of 3 beyond two sigma"),
)


def trend(connection: duckdb.DuckDBPyConnection, measure: str, force: str | None, month: date, months: int) -> list[TrendPoint]:
    """The force-level month values of a measure over the months up to `month`, each with its
    statistical process control from marts.measure_spc (force: the geography, when the warehouse
    holds several forces at force level, as for data.police.uk)."""
    points = rows(
        connection,
        """
        select values.period_month, values.value, spc.centre_line, spc.upper_limit, spc.lower_limit,
               spc.upper_two_sigma, spc.lower_two_sigma, spc.variation, spc.baseline_first_month,
               spc.baseline_last_month, spc.is_outside_limits, spc.is_in_shift, spc.is_in_trend,
               spc.is_two_of_three_beyond_two_sigma, spc.phase_start_month
        from marts.measure_values as values
        left join marts.measure_spc as spc
            on values.measure_id = spc.measure_id and values.geography_level = spc.geography_level
            and values.geography = spc.geography and values.period_month = spc.period_month
        where values.measure_id = ? and values.geography_level = 'force' and values.geography = coalesce(?, values.geography)
          and values.period_window = 'month' and values.period_month between cast(? as date) - to_months(?) and ?
        order by values.period_month""",
        [measure, force, month, months - 1, month],
    )
    return [
        TrendPoint(
            point["period_month"],
            point["value"],
            point["centre_line"],
            point["upper_limit"],
            point["lower_limit"],
            point["upper_two_sigma"],
            point["lower_two_sigma"],
            point["variation"],
            tuple(name for column, name in RULES if point[column]),
            (point["baseline_first_month"], point["baseline_last_month"]) if point["baseline_first_month"] else None,
            point["phase_start_month"],
        )
        for point in points
    ]


def columns_of(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    """A table's column names (none when the warehouse, built by an earlier version, lacks it)."""
    return {
        name
        for (name,) in connection.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?", [schema, table]
        ).fetchall()
    }


def has_table(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the warehouse holds the table (a warehouse built by an earlier version may not)."""
    return bool(columns_of(connection, schema, table))


def rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]
