"""A file read on its own, with every check: its physical lines reconciled with the records DuckDB
read, each record placed on its line (after quoted newlines, blank lines and rejected lines), a
control character or a cut last record quarantined with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from scripts.contract import Table
from scripts.load.shape import CONTROL_CHARACTERS, FileShape, create_scan, read_shape
from scripts.load.tables import FileResult, LoadError, Targets
from scripts.load.write import create_typed, write_audit, write_typed
from scripts.sql_text import identifier, literal


@dataclass(frozen=True)
class Scanned:
    """What the parse of one file found, against its physical lines."""

    records: int
    last_record: int
    rejects: list[tuple[int, int, str]]  # DuckDB's reject line, its byte position, its text
    newlines_by_reject: dict[int, int]
    good_newlines: int  # newlines inside the fields of records read (counted only when needed)

    @property
    def is_irregular(self) -> bool:
        """Does any record read span lines? (Then, as with a blank line, records are placed by a walk.)"""
        return self.good_newlines > 0 or sum(self.newlines_by_reject.values()) > 0


def load_file(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    path: Path,
    csv_options: dict[str, Any],
    md5: str | None = None,
    replaced: bool = False,
    into: Targets | None = None,
    shape: FileShape | None = None,
) -> FileResult:
    """Load one file into raw.<source>, its bad rows into raw.quarantine, and audit it (or into the
    tables `into` names).

    The file's physical lines are counted apart from the CSV parse (read_shape), and every one must
    be the header, a blank line, or part of a record loaded or quarantined: otherwise rows were lost
    (an unterminated quote swallowing the rest of the file, say) and the load stops naming the file.
    Quarantine lines are the file's physical lines (the header is line 1), exact after quoted
    newlines and blank lines. A field holding a control character (NUL and the like) is quarantined;
    so is the last record of a file that does not end with a newline (it may be cut)."""
    into = into or Targets.of(table)
    shape = shape or read_shape(path)
    _scan_file(connection, table, path, csv_options)
    fields = [f"_scan.{identifier(name)}" for name in table.column_names]
    scanned = _reconcile(connection, path, shape, fields)
    # a file that stops mid-line may have lost the end of its last record (unless that line is a rejected one)
    last_line_rejected = bool(scanned.rejects) and max(line for line, _, _ in scanned.rejects) >= shape.lines
    cut_record = scanned.last_record if scanned.last_record and not shape.ends_with_newline and not last_line_rejected else 0
    irregular = scanned.is_irregular or bool(shape.blank_lines)
    if irregular:
        _place_records(connection, shape, scanned.records, scanned.newlines_by_reject, fields)
    else:  # every record one line: DuckDB's reject line numbers are the file's
        connection.execute("drop table if exists _reject_places")
        connection.execute("create temp table _reject_places as select distinct line, line as source_line from _rejects")
    line = "_places.source_line" if irregular else _line_number_sql(len(scanned.rejects))
    create_typed(
        connection,
        table,
        csv_options,
        "_scan_rows as _scan" + (" inner join _places on _scan._record = _places._record" if irregular else ""),
        f"_scan._file, _scan._row, {line} as _source_line",
        (_control_reason(table, fields),) if shape.has_control_characters else (),  # rare: only then is every field searched
        (f"case when _scan._record = {cut_record} then 'the file does not end with a newline: its last record may be cut' end",)
        if cut_record
        else (),
    )
    counts = write_typed(
        connection, table, into, rows_order="order by _source_line", quarantine_tail=_rejects_quarantined(table, path)
    )
    loaded, quarantined = counts.get(str(path), (0, 0))
    rejected = len(scanned.rejects)
    result = FileResult(table.raw_table, path, loaded + quarantined + rejected, loaded, quarantined + rejected, replaced)
    write_audit(connection, into, [result], {path: md5 or shape.md5})
    return result


def _scan_file(connection: duckdb.DuckDBPyConnection, table: Table, path: Path, csv_options: dict[str, Any]) -> None:
    """The temp table _scan (every record as text, numbered), DuckDB's rejected lines in _rejects,
    and the view _scan_rows the writer reads."""
    try:
        create_scan(connection, literal(str(path)), table, csv_options)
    except duckdb.Error as error:
        raise LoadError(f"{path}: cannot be read as a '{table.raw_table}' extract ({error}). Re-export the file.") from error
    connection.execute(f"create temp view _scan_rows as select *, _record as _row, {literal(str(path))} as _file from _scan")


def _reconcile(connection: duckdb.DuckDBPyConnection, path: Path, shape: FileShape, fields: list[str]) -> Scanned:
    """Every physical line the header, a blank line or part of a record read (loaded or rejected), or
    the load stops naming the file."""
    records, last_record = connection.execute("select count(*), max(_record) from _scan").fetchone()
    rejects = connection.execute("""
        select line, min(line_byte_position), any_value(csv_line) from _rejects group by line order by line""").fetchall()
    newlines_by_reject = {line: text.rstrip("\r\n").count("\n") for line, _, text in rejects}
    accounted = 1 + len(shape.blank_lines) + records + len(rejects) + sum(newlines_by_reject.values())
    good_newlines = 0
    if accounted < shape.lines:  # lines inside quoted fields, or lines lost: count the first
        good_newlines = connection.execute(f"select coalesce(sum({_newlines_sql(fields)}), 0) from _scan").fetchone()[0]
        accounted += good_newlines
    if accounted != shape.lines:
        raise LoadError(
            f"{path}: {shape.lines:,} lines, but the header, {len(shape.blank_lines)} blank line(s) and "
            f"{records + len(rejects):,} records read account for {accounted:,} (nothing read after line {accounted:,}?): "
            "rows were lost (an unterminated quote, or a broken line, swallowed the rest). Nothing was loaded; "
            "re-export the file."
        )
    return Scanned(records, last_record or 0, rejects, newlines_by_reject, good_newlines)


def _control_reason(table: Table, fields: list[str]) -> str:
    """SQL for the reason a record is quarantined for a control character, naming its fields."""
    control = " || ".join(
        f"coalesce(case when regexp_matches({field}, {literal(CONTROL_CHARACTERS)}) then {literal(name + ' ')} end, '')"
        for field, name in zip(fields, table.column_names, strict=True)
    )
    return (
        f"case when regexp_matches(concat({', '.join(fields)}), {literal(CONTROL_CHARACTERS)}) "
        f"then 'control character (NUL or the like) in: ' || trim({control}) end"
    )


def _rejects_quarantined(table: Table, path: Path) -> str:
    """SQL for the lines DuckDB could not read as CSV, quarantined on their physical lines."""
    return f"""
        union all
        select {literal(table.raw_table)}, {literal(str(path))}, _reject_places.source_line,
               'unreadable CSV line: ' || string_agg(distinct error_type::varchar || ' (' || error_message || ')', '; '),
               any_value(csv_line), current_timestamp
        from _rejects
        inner join _reject_places on _rejects.line = _reject_places.line
        group by _rejects.line, _reject_places.source_line"""


def _line_number_sql(rejected: int) -> str:
    """File line of the n-th good record when every record is one line: after the header, and after
    any rejected lines before it."""
    if not rejected:
        return "_scan._record + 1"
    return """_scan._record + 1 + (
            select count(*)
            from (select line - 2 - (row_number() over (order by line) - 1) as good_rows_before
                  from (select distinct line from _rejects))
            where good_rows_before < _scan._record
        )"""


def _newlines_sql(fields: list[str]) -> str:
    """SQL for the newlines inside a record's fields (each one a physical line more)."""
    return " + ".join(f"coalesce(length({field}) - length(replace({field}, chr(10), '')), 0)" for field in fields)


def _place_records(
    connection: duckdb.DuckDBPyConnection, shape: FileShape, total: int, newlines_by_reject: dict[int, int], fields: list[str]
) -> None:
    """Temp tables _places (record -> physical line) and _reject_places (DuckDB's reject line ->
    physical line) for a file with quoted newlines or blank lines. DuckDB numbers items (records and
    blank lines, the header 1), so the file is walked item by item, each record taking one line plus
    its quoted newlines, each blank line one."""
    connection.execute("drop table if exists _places; drop table if exists _reject_places")
    newlines = _newlines_sql(fields)
    good = dict(connection.execute(f"select _record, {newlines} from _scan where {newlines} > 0").fetchall())
    reject_newlines = dict(newlines_by_reject)  # consumed as the walk meets each rejected record
    blank = set(shape.blank_lines)
    places, reject_places = [], []
    physical, item, record = 2, 2, 1
    while record <= total or reject_newlines:
        if physical > shape.lines:
            raise LoadError(f"the records of the file could not be placed on its lines (past line {shape.lines:,}); re-export it")
        if physical in blank:
            physical += 1
        elif item in reject_newlines:
            reject_places.append((item, physical))
            physical += 1 + reject_newlines.pop(item)
        else:
            places.append((record, physical))
            physical += 1 + good.get(record, 0)
            record += 1
        item += 1
    connection.execute("create temp table _places (_record bigint, source_line bigint)")
    connection.execute("create temp table _reject_places (line bigint, source_line bigint)")
    for table_name, pairs in (("_places", places), ("_reject_places", reject_places)):
        if pairs:
            connection.execute(
                f"insert into {table_name} select unnest(?), unnest(?)",
                [[first for first, _ in pairs], [second for _, second in pairs]],
            )
