"""A source's files, read together where they are well-formed: one DuckDB read_csv per batch (about
csv.batch_mib of text), each file still checked on its own lines; any other file is read on its own
(scripts/load/single.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb

from scripts.contract import Table
from scripts.load.shape import FileShape, drop_scan_tables, read_csv_sql, read_shape
from scripts.load.single import load_file
from scripts.load.tables import FileResult, Targets
from scripts.load.write import create_typed, write_audit, write_typed
from scripts.sql_text import literal


def load_files(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    paths: list[Path],
    csv_options: dict[str, Any],
    md5s: dict[Path, str] | None = None,
    replaced: set[Path] | None = None,
    into: Targets | None = None,
) -> list[FileResult]:
    """Load the files of one source, in order: the first load's and the nightly's one path. Runs of
    well-formed files are read together, one read_csv per batch (about csv.batch_mib of text), and
    checked file by file as load_file checks one: every physical line the header or a record,
    quarantine lines exact. A file that is not well-formed (FileShape.is_regular), or in which the
    batch finds a rejected line or a record spanning lines, is loaded on its own by load_file, with
    its full checks."""
    md5s = md5s if md5s is not None else {}
    replaced = replaced or set()
    into = into or Targets.of(table)
    with ThreadPoolExecutor(max_workers=2) as pool:  # decompressing and hashing release the GIL
        shapes = dict(zip(paths, pool.map(read_shape, paths), strict=True))
    md5s = {path: md5s.get(path, shapes[path].md5) for path in paths}  # from the bytes the shape read
    limit = int(csv_options.get("batch_mib", 512)) << 20
    results: dict[Path, FileResult] = {}
    alone: list[Path] = []
    batch: list[Path] = []

    def flush() -> None:
        if batch:
            done = _load_batch(connection, table, batch, shapes, csv_options, md5s, replaced, into)
            results.update(done)
            alone.extend(path for path in batch if path not in done)
            batch.clear()

    for path in paths:
        if not shapes[path].is_regular:
            alone.append(path)
            continue
        batch.append(path)
        if sum(shapes[p].text_bytes for p in batch) >= limit:
            flush()
    flush()
    for path in alone:
        results[path] = load_file(connection, table, path, csv_options, md5s[path], path in replaced, into, shapes[path])
    return [results[path] for path in paths]


def _load_batch(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    paths: list[Path],
    shapes: dict[Path, FileShape],
    csv_options: dict[str, Any],
    md5s: dict[Path, str],
    replaced: set[Path],
    into: Targets,
) -> dict[Path, FileResult]:
    """Load well-formed files with one read_csv. A file is taken when DuckDB rejected none of its
    lines and read exactly one record per line after the header (so record n is line n + 1); the
    others are left for load_file (not in the result)."""
    by_name = {str(path): path for path in paths}
    files = "[" + ", ".join(literal(name) for name in by_name) + "]"
    drop_scan_tables(connection)
    try:  # the casts run in the scan: one pass over the text, which is never kept
        create_typed(
            connection, table, csv_options, f"{read_csv_sql(files, table, csv_options, by_file=True)} as _scan", "_scan._file"
        )
    except duckdb.Error:
        return {}  # each file is read again on its own, and the one that cannot be is named there
    rejected = {
        name
        for (name,) in connection.execute(
            "select distinct _reject_scans.file_path from _rejects inner join _reject_scans "
            "on _rejects.scan_id = _reject_scans.scan_id and _rejects.file_id = _reject_scans.file_id"
        ).fetchall()
    }
    # rows keep the scan's order (files in the order given, each file's records in order), so a
    # row's rowid, less its file's first, is its record number in the file
    counts = connection.execute("select _file, count(*), min(rowid) from _typed group by _file").fetchall()
    taken = {
        name: first_row
        for name, records, first_row in counts
        if name not in rejected and records + 1 == shapes[by_name[name]].lines
    }
    if not taken:
        return {}
    connection.execute("create or replace temp table _taken (_file varchar, _first_row bigint)")
    connection.execute("insert into _taken select unnest(?), unnest(?)", [list(taken), list(taken.values())])
    counted = write_typed(
        connection,
        table,
        into,
        source_line="_typed.rowid - _taken._first_row + 2",
        join="inner join _taken on _typed._file = _taken._file",
        quarantine_tail="order by _typed.rowid",
    )
    results = {
        by_name[name]: FileResult(
            table.raw_table, by_name[name], loaded + quarantined, loaded, quarantined, by_name[name] in replaced
        )
        for name, (loaded, quarantined) in counted.items()
    }
    write_audit(connection, into, [results[path] for path in paths if path in results], md5s)
    return results
