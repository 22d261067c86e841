"""Writing what a scan read, the one path both readers write through (a file read on its own, a
batch of well-formed files read together): each record typed by the contract, its usable rows into
the raw table, the others into the quarantine with the reason and their original values, and one
audit row per file.

A reader gives create_typed its records as _scan (the contract's columns as text) with the columns
that name each record's file (_file, as loaded) and key, and tells write_typed each record's
physical line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from scripts.contract import Table
from scripts.load.shape import cast_expression
from scripts.load.tables import FileResult, Targets
from scripts.sql_text import identifier, literal


def create_typed(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    csv_options: dict[str, Any],
    source: str,
    columns: str,
    leading_reasons: tuple[str, ...] = (),
    trailing_reasons: tuple[str, ...] = (),
) -> None:
    """The temp table _typed: each record of source (SQL naming its text records _scan: a scan's
    table, or read_csv itself, so the casts run in the scan) cast to the contract's types, with the
    caller's columns (SQL: its file, key or line), the reasons it cannot be used (the casts',
    between any leading and trailing ones; null when it can) and, only then, its original values
    as JSON (_originals, for the quarantine)."""
    casts = [cast_expression(column, csv_options) for column in table.columns]
    typed = ", ".join(f"{typed} as {identifier(column.name)}" for column, (typed, _) in zip(table.columns, casts, strict=True))
    reasons = ", ".join([*leading_reasons, *(reason for _, reason in casts), *trailing_reasons])
    reason = f"nullif(concat_ws('; ', {reasons}), '')"  # written twice below; DuckDB computes it once
    originals = ", ".join(f"{literal(name)}: _scan.{identifier(name)}" for name in table.column_names)
    connection.execute(f"""
        create or replace temp table _typed as
        select
            {typed},
            {columns},
            {reason} as _reason,
            case when {reason} is not null then to_json({{{originals}}})::varchar end as _originals
        from {source}
    """)


def write_typed(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    into: Targets,
    source_line: str = "_typed._source_line",
    join: str = "",
    rows_order: str = "",
    quarantine_tail: str = "",
) -> dict[str, tuple[int, int]]:
    """_typed's usable rows into the raw table (in rows_order, SQL, when given), the others into the
    quarantine (quarantine_tail, SQL, follows their select: more rows, or their order), each on its
    physical line (source_line, SQL) and only those join (SQL) keeps; returns each file's rows
    loaded and quarantined."""
    names = ", ".join(f"_typed.{identifier(name)}" for name in table.column_names)
    connection.execute(f"""
        insert into {into.rows}
        select {names}, _typed._file, {source_line} as _source_line, current_timestamp
        from _typed {join} where _typed._reason is null {rows_order}
    """)
    connection.execute(f"""
        insert into {into.quarantine}
        select {literal(table.raw_table)}, _typed._file, {source_line} as _source_line, _typed._reason,
               _typed._originals, current_timestamp
        from _typed {join}
        where _typed._reason is not null
        {quarantine_tail}
    """)
    counted = connection.execute(
        "select _typed._file, count(*) filter (where _typed._reason is null), count(*) filter (where _typed._reason is not null) "
        f"from _typed {join} group by _typed._file"
    ).fetchall()
    return {name: (loaded, quarantined) for name, loaded, quarantined in counted}


def write_audit(connection: duckdb.DuckDBPyConnection, into: Targets, results: list[FileResult], md5s: dict[Path, str]) -> None:
    """One audit row per file: rows read, loaded and quarantined, its size and its MD5."""
    connection.execute(
        f"insert into {into.audit} select unnest(?), unnest(?), unnest(?), unnest(?), unnest(?), "
        "current_timestamp, unnest(?), unnest(?)",
        [
            [r.source for r in results],
            [str(r.path) for r in results],
            [r.rows_read for r in results],
            [r.rows_loaded for r in results],
            [r.rows_quarantined for r in results],
            [r.path.stat().st_size for r in results],
            [md5s[r.path] for r in results],
        ],
    )
