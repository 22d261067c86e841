"""Writing what a scan read, the one path both readers write through (a file read on its own, a
batch of well-formed files read together): each record typed by the contract, its usable rows into
the raw table, the others into the quarantine with the reason and their original values, and one
audit row per file.

A reader leaves a temp view _scan_rows: the contract's columns as text, _row (the record's key) and
_file (the file's name as loaded), and tells where each record's physical line comes from."""

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
    source_line: str,
    join: str = "",
    leading_reasons: tuple[str, ...] = (),
    trailing_reasons: tuple[str, ...] = (),
) -> None:
    """The temp table _typed: each record of _scan_rows (as _scan) cast to the contract's types, with
    its file, its key, its physical line (source_line, SQL) and the reasons it cannot be used (the
    casts', between any leading and trailing ones; null when it can)."""
    casts = [cast_expression(column, csv_options) for column in table.columns]
    typed = ", ".join(f"{typed} as {identifier(column.name)}" for column, (typed, _) in zip(table.columns, casts, strict=True))
    reasons = ", ".join([*leading_reasons, *(reason for _, reason in casts), *trailing_reasons])
    connection.execute(f"""
        create or replace temp table _typed as
        select
            {typed},
            _scan._file,
            _scan._row,
            {source_line} as _source_line,
            nullif(concat_ws('; ', {reasons}), '') as _reason
        from _scan_rows as _scan
        {join}
    """)


def write_typed(
    connection: duckdb.DuckDBPyConnection, table: Table, into: Targets, rows_order: str = "", quarantine_tail: str = ""
) -> dict[str, tuple[int, int]]:
    """_typed's usable rows into the raw table (in rows_order, SQL, when given), the others into the
    quarantine (quarantine_tail, SQL, follows their select: more rows, or their order); returns each
    file's rows loaded and quarantined."""
    names = ", ".join(identifier(name) for name in table.column_names)
    connection.execute(f"""
        insert into {into.rows}
        select {names}, _file, _source_line, current_timestamp
        from _typed where _reason is null {rows_order}
    """)
    originals = ", ".join(f"{literal(name)}: _scan.{identifier(name)}" for name in table.column_names)
    connection.execute(f"""
        insert into {into.quarantine}
        select {literal(table.raw_table)}, _typed._file, _typed._source_line, _typed._reason,
               to_json({{{originals}}})::varchar, current_timestamp
        from _typed
        inner join _scan_rows as _scan on _typed._row = _scan._row
        where _typed._reason is not null
        {quarantine_tail}
    """)
    counted = connection.execute(
        "select _file, count(*) filter (where _reason is null), count(*) filter (where _reason is not null) "
        "from _typed group by _file"
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
