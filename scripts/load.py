"""Load force extracts into the warehouse's `raw` schema, losing nothing.

Every file is found strictly: a source folder holds exactly data/raw/<source>/<source>_YYYY-MM.csv
or .csv.gz files, one per month (hidden files aside). Any other file, two files for one month, or a
name with a bad month stops the load with one message listing every offending file.

Each file is read with explicit CSV options and every column cast to its contract type
(models/staging/force/_force__sources.yml). A row that cannot be loaded (a broken CSV line, a value
that is not of its type, an empty required value, a control character such as NUL in any field,
or the last record of a file that does not end with a newline, which may be cut) goes to
raw.quarantine with the file, the physical line (the header is line 1; exact after quoted newlines
and blank lines), the reason and its original values.

Nothing is lost silently: the file's physical lines are counted apart from the CSV parse, and every
line must be the header, a blank line, or part of a record loaded or quarantined. If not (an
unterminated quote swallowing the rest of the file, say), the load stops naming the file. (A
limit: an empty line inside a quoted field counts as a blank line and as a quoted newline, so such
a file stops too; re-export it.)
raw.load_audit gets one row per file: rows_read = rows_loaded + rows_quarantined.

A missing source folder, a file with the wrong header, a file that cannot be read or is truncated,
or a file whose lines do not balance stops the load before anything its readers use is changed,
with a message naming the file and the problem (exit code 2). A full load writes every source into
raw.<table>__loading (and its quarantine and audit rows beside), committed as it goes, then swaps
them all in with one transaction; a load that stops drops them, and one that was killed leaves them
for the next load to drop. A nightly load adds its few files inside one transaction.

Speed: a source's well-formed files (every record one line, a final newline, no control
characters) are read together, one DuckDB read_csv per batch of csv.batch_mib (config/warehouse.yml)
and checked file by file; any other file is read on its own with the checks above.

    python -m scripts.load                      # data/raw -> warehouse/warehouse.duckdb
    python -m scripts.load --raw /tmp/extracts --warehouse /tmp/test.duckdb
    python -m scripts.load --new-files-only     # the nightly load: only files not loaded before

The nightly load adds the months not loaded before and reloads a month whose file changed (its
bytes, or its compression: a month re-exported from .csv.gz to .csv replaces the old file's rows);
a file loaded before that has gone from its folder keeps its rows, is listed in raw.load_withdrawn,
printed, and warned by the gate. A full load replaces the raw tables and leaves
<warehouse>.full-refresh beside the warehouse, so the next `make build` rebuilds the incremental
models in full; so does a nightly load that replaced a re-exported file. Every load gives the
warehouse a new build identity (raw.build_identity): publish refuses until the gate has validated it.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import re
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from isal import igzip
from isal.igzip_lib import IsalError

from scripts import build_identity
from scripts.contract import Column, Table, load_contract, load_police_uk_contract
from scripts.settings import duckdb_config, load_config, raw_data_dir, warehouse_path
from scripts.sql_text import identifier, literal

SCHEMA = "raw"
AUDIT_DDL = f"""
create table if not exists {SCHEMA}.load_audit (
    source varchar not null,
    source_file varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    loaded_at timestamp not null,
    file_bytes bigint,
    file_md5 varchar
)"""
# Columns added to load_audit after its first release (older warehouses gain them on the next load).
AUDIT_UPGRADES = (
    "alter table {schema}.load_audit add column if not exists file_bytes bigint",
    "alter table {schema}.load_audit add column if not exists file_md5 varchar",
)
WITHDRAWN_DDL = f"""
create table if not exists {SCHEMA}.load_withdrawn (
    source varchar not null,
    file_key varchar not null,
    source_file varchar not null,
    noticed_at timestamp not null
)"""
QUARANTINE_DDL = f"""
create table if not exists {SCHEMA}.quarantine (
    source varchar not null,
    source_file varchar not null,
    source_line bigint,
    reason varchar not null,
    original_values varchar,
    quarantined_at timestamp not null
)"""


# A full load writes raw.<table>__loading, raw.quarantine__loading and raw.load_audit__loading first,
# committed as it goes (fast: no transaction holds millions of rows), then swaps them in with one
# transaction; until that commits the raw tables are untouched, and a load that stops drops them.
LOADING = "__loading"


@dataclass(frozen=True)
class Targets:
    """Where a load writes a source's rows, its quarantined rows and its audit rows."""

    rows: str
    quarantine: str = f"{SCHEMA}.quarantine"
    audit: str = f"{SCHEMA}.load_audit"

    @classmethod
    def of(cls, table: Table, suffix: str = "") -> Targets:
        """The raw tables themselves, or (suffix LOADING) the full load's tables swapped in at its end."""
        return cls(
            f"{SCHEMA}.{identifier(table.raw_table + suffix)}",
            f"{SCHEMA}.{identifier('quarantine' + suffix)}",
            f"{SCHEMA}.{identifier('load_audit' + suffix)}",
        )


class LoadError(Exception):
    """An extract cannot be loaded at all; the message names the file and what to do."""


@dataclass(frozen=True)
class FileResult:
    source: str
    path: Path
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    replaced: bool = False  # a file of this name had been loaded before with other contents


def fingerprint(path: Path) -> str:
    """The MD5 of a file's bytes: how a nightly load tells a new or re-exported file from one it has."""
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def month_of(name: str, source: str) -> str | None:
    """The YYYY-MM of an extract file named <source>_YYYY-MM.csv or .csv.gz, else None."""
    match = re.fullmatch(rf"{re.escape(source)}_(\d{{4}})-(\d{{2}})\.csv(?:\.gz)?", name)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return f"{match[1]}-{match[2]}"


def discover(raw_dir: Path, contract: dict[str, Table], sources: list[str] | None = None) -> dict[str, list[Path]]:
    """The extract files of each source. A source folder holds exactly <source>_YYYY-MM.csv or
    .csv.gz files, one per month (hidden files such as .gitkeep aside). Any other file, two files
    for one month, or a name with a bad month stops the load with one message listing them all."""
    if not raw_dir.is_dir():
        raise LoadError(f"{raw_dir}: folder of raw extracts not found; run `make generate` or set RAW_DATA_DIR.")
    found: dict[str, list[Path]] = {}
    offending: list[str] = []
    for name in sources or list(contract):
        if name not in contract:
            raise LoadError(f"unknown source {name!r}; the contract defines {', '.join(contract)}")
        folder = raw_dir / name
        entries = sorted(path for path in folder.iterdir() if not path.name.startswith(".")) if folder.is_dir() else []
        by_month: dict[str, Path] = {}
        for path in entries:
            month = month_of(path.name, name) if path.is_file() else None
            if month is None:
                offending.append(f"{path} (expected {name}_YYYY-MM.csv or {name}_YYYY-MM.csv.gz)")
            elif month in by_month:
                offending.append(f"{path} (a second file for {month}, beside {by_month[month].name}; keep one)")
            else:
                by_month[month] = path
        if not by_month and not offending:
            raise LoadError(
                f"{folder}: no extract files for source '{name}' (expected {name}_YYYY-MM.csv or .csv.gz). "
                "Copy the force's extract there, or run `make generate` for sample data."
            )
        found[name] = [by_month[month] for month in sorted(by_month)]
    if offending:
        raise LoadError(
            f"{raw_dir}: {len(offending)} file(s) that are not one extract per source and month; nothing was "
            "loaded. Rename, move or remove them:\n  " + "\n  ".join(offending)
        )
    return found


POLICE_UK_FILE = re.compile(
    r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9]+(?:-[a-z0-9]+)*?)-(?P<kind>street|outcomes|stop-and-search)\.csv(?:\.gz)?"
)
POLICE_UK_FOLDER = re.compile(r"\d{4}-\d{2}")


def discover_police_uk(folder: Path, contract: dict[str, Table], progress: bool = True) -> dict[str, list[Path]]:
    """The police.uk files of each kind, found by their own names wherever the download was unpacked:
    <anything>/YYYY-MM/YYYY-MM-<force>-<kind>.csv[.gz], the file's month equal to its folder's. Only the
    file and its folder's name count, never the folders above (a parent such as
    police-2025-12-download/ may hold a month and a force too). Every other file under the folder is
    named in a notice and not loaded; the same file twice (a .csv beside its .csv.gz, or two
    unpacked downloads that overlap) stops the load, since it would be counted twice."""
    if not folder.is_dir():
        raise LoadError(f"{folder}: police.uk folder not found; point --police-uk at the unpacked download")
    kinds = {table.file_kind: name for name, table in contract.items()}
    found: dict[str, list[Path]] = {name: [] for name in contract}
    seen: dict[str, Path] = {}
    ignored: list[Path] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        match = POLICE_UK_FILE.fullmatch(path.name)
        if not match or not POLICE_UK_FOLDER.fullmatch(path.parent.name) or path.parent.name != match["month"]:
            ignored.append(path)
            continue
        key = f"{match['month']}-{match['force']}-{match['kind']}"
        if key in seen:
            raise LoadError(
                f"{path}: the same file as {seen[key]} ({key}); loading both would count its rows twice. "
                "Keep one of them (or point --police-uk at one download) and run again."
            )
        seen[key] = path
        found[kinds[match["kind"]]].append(path)
    if ignored and progress:
        shown = ", ".join(str(path.relative_to(folder)) for path in ignored[:10])
        more = f" and {len(ignored) - 10} more" if len(ignored) > 10 else ""
        print(
            f"  police.uk: {len(ignored)} file(s) under {folder} not loaded (not YYYY-MM/YYYY-MM-<force>-"
            f"street|outcomes|stop-and-search.csv[.gz]): {shown}{more}",
            flush=True,
        )
    if not found.get("street"):
        raise LoadError(f"{folder}: no street files (expected YYYY-MM/YYYY-MM-<force>-street.csv or .csv.gz)")
    return found


def check_header(path: Path, table: Table) -> None:
    """Stop with a clear message when a file cannot be read or its header is not the contract's."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            first = handle.readline()
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as error:
        raise LoadError(f"{path}: cannot be read ({error}). Re-export the file.") from error
    expected = table.header_names
    if not first.strip():
        raise LoadError(f"{path}: file is empty; expected a header row: {','.join(expected)}")
    header = next(csv.reader(io.StringIO(first)))
    header = [name.strip().lstrip("\ufeff") for name in header]
    if header != expected:
        missing = [name for name in expected if name not in header]
        unexpected = [name for name in header if name not in expected]
        detail = []
        if missing:
            detail.append(f"missing columns {missing}")
        if unexpected:
            detail.append(f"unexpected columns {unexpected}")
        if not detail:
            detail.append("columns are in the wrong order")
        raise LoadError(
            f"{path}: header does not match the '{table.name}' contract ({'; '.join(detail)}). Expected: {','.join(expected)}"
        )


CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # in a field: not text an extract should carry
# the same characters as single bytes, each looked for with one fast scan of the file
CONTROL_BYTES = tuple(byte for byte in (bytes([code]) for code in range(128)) if re.fullmatch(CONTROL_CHARACTERS.encode(), byte))


@dataclass(frozen=True)
class FileShape:
    """A file as physical lines, read apart from the CSV parse that loads it (to reconcile with it)."""

    lines: int  # physical lines, the header's included
    ends_with_newline: bool
    blank_lines: tuple[int, ...]  # physical line numbers of empty lines
    has_control_characters: bool  # NUL and the like anywhere in the file
    text_bytes: int = 0  # decompressed size

    @property
    def is_regular(self) -> bool:
        """Could every record be one line? (No blank line, no control character, a final newline;
        quoted newlines and rejected lines only show when the file is parsed.)"""
        return self.ends_with_newline and not self.blank_lines and not self.has_control_characters


def read_shape(path: Path) -> FileShape:
    """Read a file to its end (a truncated gzip stops here: DuckDB would load it without complaint)
    and count its physical lines and blank lines. Inflated by ISA-L (isal, the same bytes as zlib,
    about twice as fast); newlines found with one vectorised pass."""
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = igzip.decompress(data)
    except (OSError, EOFError, zlib.error, IsalError) as error:
        raise LoadError(f"{path}: cannot be read ({error}). Re-export the file.") from error
    ends = data.endswith(b"\n")
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    lines = len(newlines) + (0 if ends or not data else 1)
    blank: tuple[int, ...] = ()
    if bool((np.diff(newlines) == 1).any()) or (b"\r" in data and b"\n\r\n" in data):  # rare: find them exactly
        blank = tuple(data.count(b"\n", 0, match.start()) + 2 for match in re.finditer(rb"\n(?=\r?\n)", data))
    return FileShape(lines, ends, blank, any(byte in data for byte in CONTROL_BYTES), len(data))


def cast_expression(column: Column, csv_options: dict[str, Any]) -> tuple[str, str]:
    """SQL that casts the raw text of a column to its type, and SQL for the reason it failed."""
    text = f"nullif(trim({identifier(column.name)}), '')"
    if column.data_type == "VARCHAR":
        typed = text
    elif column.data_type == "INTEGER":
        typed = f"try_cast({text} as integer)"
    elif column.data_type == "DOUBLE":
        typed = f"try_cast({text} as double)"
    elif column.data_type == "DATE":
        typed = f"try_strptime({text}, {literal(csv_options['date_format'])})::date"
    elif column.data_type == "TIMESTAMP":
        typed = f"try_strptime({text}, {literal(csv_options['timestamp_format'])})"
    else:
        trues = ", ".join(literal(value) for value in csv_options["true_values"])
        falses = ", ".join(literal(value) for value in csv_options["false_values"])
        typed = f"case when upper({text}) in ({trues}) then true when upper({text}) in ({falses}) then false end"
    expected = {
        "DATE": csv_options["date_format"],
        "TIMESTAMP": csv_options["timestamp_format"],
        "BOOLEAN": "/".join(csv_options["true_values"] + csv_options["false_values"]),
        "INTEGER": "a whole number",
        "DOUBLE": "a number",
    }.get(column.data_type, "text")
    problems = [
        f"when {text} is not null and {typed} is null then {literal(column.name + ': ')} || {text} || "
        f"{literal(f' is not a valid {column.data_type} (expected {expected})')}"
    ]
    if column.is_required:
        problems.insert(0, f"when {text} is null then {literal(column.name + ': required value is empty')}")
    reason = f"case {' '.join(problems)} end"
    return typed, reason


def load_file(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    path: Path,
    csv_options: dict[str, Any],
    md5: str | None = None,
    replaced: bool = False,
    into: Targets | None = None,
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
    shape = read_shape(path)
    columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in table.column_names)
    connection.execute("drop table if exists _rejects; drop table if exists _reject_scans; drop table if exists _scan")
    try:
        connection.execute(f"""
            create temp table _scan as
            select *, row_number() over () as _record
            from read_csv({literal(str(path))}, columns = {{{columns}}}, header = true, auto_detect = false,
                          delim = {literal(csv_options["delimiter"])}, quote = {literal(csv_options["quote"])},
                          escape = {literal(csv_options["escape"])}, encoding = {literal(csv_options["encoding"])},
                          strict_mode = true, store_rejects = true,
                          rejects_table = '_rejects', rejects_scan = '_reject_scans')
        """)
    except duckdb.Error as error:
        raise LoadError(f"{path}: cannot be read as a '{table.raw_table}' extract ({error}). Re-export the file.") from error

    fields = [f"_scan.{identifier(name)}" for name in table.column_names]
    records, last_record = connection.execute("select count(*), max(_record) from _scan").fetchone()
    rejects = connection.execute("""
        select line, min(line_byte_position), any_value(csv_line) from _rejects group by line order by line""").fetchall()
    newlines_by_reject = {line: text.rstrip("\r\n").count("\n") for line, _, text in rejects}
    reject_newlines = sum(newlines_by_reject.values())
    accounted = 1 + len(shape.blank_lines) + records + len(rejects) + reject_newlines
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
    # a file that stops mid-line may have lost the end of its last record (unless that line is a rejected one)
    last_line_rejected = bool(rejects) and max(line for line, _, _ in rejects) >= shape.lines
    cut_record = last_record if last_record and not shape.ends_with_newline and not last_line_rejected else 0
    irregular = good_newlines > 0 or reject_newlines > 0 or bool(shape.blank_lines)
    if irregular:
        _place_records(connection, shape, records, newlines_by_reject, fields)
    else:  # every record one line: DuckDB's reject line numbers are the file's
        connection.execute("drop table if exists _reject_places")
        connection.execute("create temp table _reject_places as select distinct line, line as source_line from _rejects")

    casts = [cast_expression(column, csv_options) for column in table.columns]
    typed = ", ".join(f"{typed} as {identifier(column.name)}" for column, (typed, _) in zip(table.columns, casts, strict=False))
    reasons = [reason for _, reason in casts]
    if shape.has_control_characters:  # rare: only then is every field searched
        control = " || ".join(
            f"coalesce(case when regexp_matches({field}, {literal(CONTROL_CHARACTERS)}) then {literal(name + ' ')} end, '')"
            for field, name in zip(fields, table.column_names, strict=False)
        )
        reasons.insert(
            0,
            f"case when regexp_matches(concat({', '.join(fields)}), {literal(CONTROL_CHARACTERS)}) "
            f"then 'control character (NUL or the like) in: ' || trim({control}) end",
        )
    if cut_record:
        reasons.append(
            f"case when _scan._record = {cut_record} then 'the file does not end with a newline: its last record may be cut' end"
        )
    originals = ", ".join(f"{literal(name)}: _scan.{identifier(name)}" for name in table.column_names)
    connection.execute(f"""
        create or replace temp table _typed as
        select
            {typed},
            _scan._record,
            {"_places.source_line" if irregular else _line_number_sql(len(rejects))} as _source_line,
            nullif(concat_ws('; ', {", ".join(reasons)}), '') as _reason
        from _scan
        {"inner join _places on _scan._record = _places._record" if irregular else ""}
    """)
    names = ", ".join(identifier(name) for name in table.column_names)
    connection.execute(f"""
        insert into {into.rows}
        select {names}, {literal(str(path))}, _source_line, current_timestamp
        from _typed where _reason is null order by _source_line
    """)
    connection.execute(f"""
        insert into {into.quarantine}
        select {literal(table.raw_table)}, {literal(str(path))}, _typed._source_line, _typed._reason,
               to_json({{{originals}}})::varchar, current_timestamp
        from _typed
        inner join _scan on _scan._record = _typed._record
        where _typed._reason is not null
        union all
        select {literal(table.raw_table)}, {literal(str(path))}, _reject_places.source_line,
               'unreadable CSV line: ' || string_agg(distinct error_type::varchar || ' (' || error_message || ')', '; '),
               any_value(csv_line), current_timestamp
        from _rejects
        inner join _reject_places on _rejects.line = _reject_places.line
        group by _rejects.line, _reject_places.source_line
    """)
    loaded, quarantined_cast = connection.execute(
        "select count(*) filter (where _reason is null), count(*) filter (where _reason is not null) from _typed"
    ).fetchone()
    result = FileResult(
        table.raw_table, path, loaded + quarantined_cast + len(rejects), loaded, quarantined_cast + len(rejects), replaced
    )
    connection.execute(
        f"insert into {into.audit} values (?, ?, ?, ?, ?, current_timestamp, ?, ?)",
        [
            table.raw_table,
            str(path),
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            path.stat().st_size,
            md5 or fingerprint(path),
        ],
    )
    return result


def load_files(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    paths: list[Path],
    csv_options: dict[str, Any],
    md5s: dict[Path, str] | None = None,
    replaced: set[Path] | None = None,
    into: Targets | None = None,
) -> list[FileResult]:
    """Load the files of one source, in order. Runs of well-formed files are read together, one
    read_csv per batch (about csv.batch_mib of text), and checked file by file as load_file checks
    one: every physical line the header or a record, quarantine lines exact. A file that is not
    well-formed (FileShape.is_regular), or in which the batch finds a rejected line or a record
    spanning lines, is loaded on its own by load_file, with its full checks."""
    md5s = md5s if md5s is not None else {}
    replaced = replaced or set()
    into = into or Targets.of(table)
    with ThreadPoolExecutor(max_workers=2) as pool:  # decompressing and hashing release the GIL
        shapes = dict(zip(paths, pool.map(read_shape, paths), strict=True))
        missing = [path for path in paths if path not in md5s]
        md5s = {**md5s, **dict(zip(missing, pool.map(fingerprint, missing), strict=True))}
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
        results[path] = load_file(connection, table, path, csv_options, md5s[path], path in replaced, into)
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
    columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in table.column_names)
    files = "[" + ", ".join(literal(name) for name in by_name) + "]"
    connection.execute(
        "drop view if exists _scan_rows; drop table if exists _rejects; drop table if exists _reject_scans; "
        "drop table if exists _scan"
    )
    try:
        connection.execute(f"""
            create temp table _scan as
            select *
            from read_csv({files}, columns = {{{columns}}}, header = true, auto_detect = false,
                          delim = {literal(csv_options["delimiter"])}, quote = {literal(csv_options["quote"])},
                          escape = {literal(csv_options["escape"])}, encoding = {literal(csv_options["encoding"])},
                          strict_mode = true, store_rejects = true, filename = '_file',
                          rejects_table = '_rejects', rejects_scan = '_reject_scans')
        """)
        # rows keep the scan's order (files in the order given, each file's records in order), so a
        # row's rowid, less its file's first, is its record number in the file
        connection.execute("create temp view _scan_rows as select *, rowid as _row from _scan")
    except duckdb.Error:
        return {}  # each file is read again on its own, and the one that cannot be is named there
    rejected = {
        name
        for (name,) in connection.execute(
            "select distinct _reject_scans.file_path from _rejects inner join _reject_scans "
            "on _rejects.scan_id = _reject_scans.scan_id and _rejects.file_id = _reject_scans.file_id"
        ).fetchall()
    }
    counts = connection.execute("select _file, count(*), min(_row) from _scan_rows group by _file").fetchall()
    taken = {
        name: first_row
        for name, records, first_row in counts
        if name not in rejected and records + 1 == shapes[by_name[name]].lines
    }
    if not taken:
        return {}
    connection.execute("create or replace temp table _taken (_file varchar, _first_row bigint)")
    connection.execute("insert into _taken select unnest(?), unnest(?)", [list(taken), list(taken.values())])
    casts = [cast_expression(column, csv_options) for column in table.columns]
    typed = ", ".join(f"{typed} as {identifier(column.name)}" for column, (typed, _) in zip(table.columns, casts, strict=True))
    reasons = ", ".join(reason for _, reason in casts)
    connection.execute(f"""
        create or replace temp table _typed as
        select
            {typed},
            _scan._file,
            _scan._row,
            _scan._row - _taken._first_row + 2 as _source_line,
            nullif(concat_ws('; ', {reasons}), '') as _reason
        from _scan_rows as _scan
        inner join _taken on _scan._file = _taken._file
    """)
    names = ", ".join(identifier(name) for name in table.column_names)
    connection.execute(f"""
        insert into {into.rows}
        select {names}, _file, _source_line, current_timestamp
        from _typed where _reason is null
    """)
    originals = ", ".join(f"{literal(name)}: _scan.{identifier(name)}" for name in table.column_names)
    connection.execute(f"""
        insert into {into.quarantine}
        select {literal(table.raw_table)}, _typed._file, _typed._source_line, _typed._reason,
               to_json({{{originals}}})::varchar, current_timestamp
        from _typed
        inner join _scan_rows as _scan on _typed._row = _scan._row
        where _typed._reason is not null
        order by _typed._row
    """)
    results: dict[Path, FileResult] = {}
    for name, loaded, quarantined in connection.execute(
        "select _file, count(*) filter (where _reason is null), count(*) filter (where _reason is not null) "
        "from _typed group by _file"
    ).fetchall():
        path = by_name[name]
        results[path] = FileResult(table.raw_table, path, loaded + quarantined, loaded, quarantined, path in replaced)
    audit = [results[path] for path in paths if path in results]
    connection.execute(
        f"insert into {into.audit} select unnest(?), unnest(?), unnest(?), unnest(?), unnest(?), "
        "current_timestamp, unnest(?), unnest(?)",
        [
            [r.source for r in audit],
            [str(r.path) for r in audit],
            [r.rows_read for r in audit],
            [r.rows_loaded for r in audit],
            [r.rows_quarantined for r in audit],
            [r.path.stat().st_size for r in audit],
            [md5s[r.path] for r in audit],
        ],
    )
    return results


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


def load(
    raw_dir: Path | None,
    warehouse: Path,
    sources: list[str] | None = None,
    progress: bool = True,
    police_uk_dir: Path | None = None,
    new_files_only: bool = False,
) -> list[FileResult]:
    """Replace the raw tables of the given sources (default: all) with the extracts in raw_dir, and
    the police.uk tables with the files in police_uk_dir when given (created empty otherwise).
    raw_dir None runs on police.uk files instead of the force's extracts: their tables are emptied.

    new_files_only (the nightly load) keeps what is loaded and adds only files not loaded before; a
    file loaded before whose bytes changed (a re-export) has its old rows removed and is loaded again
    (FileResult.replaced). Whenever rows may have gone (a full load, or a re-export replaced), the
    full-refresh marker is left beside the warehouse for the next build."""
    contract = load_contract()
    csv_options = load_config()["csv"]
    if raw_dir is None:
        if police_uk_dir is None:
            raise LoadError("nothing to load: give the force's extracts, a police.uk folder, or both")
        plan = [(table, []) for table in contract.values()]
    else:
        plan = [(contract[name], paths) for name, paths in discover(raw_dir, contract, sources).items()]
    police_uk = load_police_uk_contract()
    if police_uk_dir is not None:
        plan += [(police_uk[name], paths) for name, paths in discover_police_uk(police_uk_dir, police_uk, progress).items()]
    for table, paths in plan:
        for path in paths:
            check_header(path, table)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    results: list[FileResult] = []
    try:
        connection = duckdb.connect(str(warehouse), config=duckdb_config())
    except duckdb.IOException as error:
        raise LoadError(
            f"{warehouse}: cannot open the warehouse for writing ({error}). Another process (a dbt run, "
            "a BI tool or a SQL shell) holds it; close that and run again."
        ) from error
    try:
        connection.execute(f"create schema if not exists {SCHEMA}")
        connection.execute(AUDIT_DDL)
        for upgrade in AUDIT_UPGRADES:
            connection.execute(upgrade.format(schema=SCHEMA))
        connection.execute(QUARANTINE_DDL)
        connection.execute(WITHDRAWN_DDL)
        if not new_files_only:
            results = _load_into_loading_tables(connection, plan, csv_options, progress)
        connection.execute("begin transaction")
        build_identity.record(connection, "load")
        connection.execute(f"delete from {SCHEMA}.load_withdrawn")  # what this load finds withdrawn
        for table, paths in plan:
            if new_files_only:
                started = time.perf_counter()
                _create_raw_table(connection, table)
                batch = _load_new_files(connection, table, paths, csv_options)
                results.extend(batch)
                _report(progress, table, batch, started)
            else:
                _swap_in(connection, table)
        if not new_files_only:
            _drop_loading_tables(connection, [table for table, _ in plan])
        if police_uk_dir is None:
            for table in police_uk.values():
                _create_raw_table(connection, table)
        withdrawn = connection.execute(f"select source, file_key from {SCHEMA}.load_withdrawn order by all").fetchall()
        connection.execute("commit")
    except BaseException:
        try:
            connection.execute("rollback")
        except duckdb.Error:
            pass  # no transaction was open: the full load stopped while writing its loading tables
        if not new_files_only:
            _drop_loading_tables(connection, [table for table, _ in plan])
        raise
    finally:
        connection.close()
    if withdrawn:
        print(
            f"load: WARNING {len(withdrawn)} file(s) loaded before are no longer in the folder; their rows are kept "
            "(raw.load_withdrawn; the gate warns): " + ", ".join(f"{source} {key}" for source, key in withdrawn),
            flush=True,
        )
    if not new_files_only or any(result.replaced for result in results):
        full_refresh_marker(warehouse).touch()  # rows may have gone: incremental models rebuild in full
    return results


def _report(progress: bool, table: Table, batch: list[FileResult], started: float) -> None:
    if progress:
        print(
            f"  {table.raw_table:<26} {len(batch):>4} files {sum(r.rows_loaded for r in batch):>11,} loaded "
            f"{sum(r.rows_quarantined for r in batch):>7,} quarantined  {time.perf_counter() - started:5.1f}s",
            flush=True,
        )


def _load_into_loading_tables(
    connection: duckdb.DuckDBPyConnection, plan: list[tuple[Table, list[Path]]], csv_options: dict[str, Any], progress: bool
) -> list[FileResult]:
    """The full load's first part: every source into raw.<table>__loading, its quarantined rows and
    audit into raw.quarantine__loading and raw.load_audit__loading, committed as written. Nothing
    the warehouse's readers use changes; leftovers of a load that was killed are dropped first."""
    tables = [table for table, _ in plan]
    _drop_loading_tables(connection, tables)
    for name in ("quarantine", "load_audit"):
        connection.execute(f"create table {SCHEMA}.{identifier(name + LOADING)} as select * from {SCHEMA}.{name} limit 0")
    results: list[FileResult] = []
    for table, paths in plan:
        started = time.perf_counter()
        _create_raw_table(connection, table, table.raw_table + LOADING)
        batch = load_files(connection, table, paths, csv_options, into=Targets.of(table, LOADING))
        results.extend(batch)
        _report(progress, table, batch, started)
    return results


def _swap_in(connection: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Inside the load's transaction: the source's loading table becomes its raw table, and its
    quarantine and audit rows replace the old ones."""
    connection.execute(f"drop table if exists {SCHEMA}.{identifier(table.raw_table)}")
    connection.execute(f"alter table {SCHEMA}.{identifier(table.raw_table + LOADING)} rename to {identifier(table.raw_table)}")
    for name in ("load_audit", "quarantine"):
        connection.execute(f"delete from {SCHEMA}.{name} where source = ?", [table.raw_table])
        connection.execute(
            f"insert into {SCHEMA}.{name} select * from {SCHEMA}.{identifier(name + LOADING)} where source = ?",
            [table.raw_table],
        )


def _drop_loading_tables(connection: duckdb.DuckDBPyConnection, tables: list[Table]) -> None:
    for name in [table.raw_table for table in tables] + ["quarantine", "load_audit"]:
        connection.execute(f"drop table if exists {SCHEMA}.{identifier(name + LOADING)}")


def file_key(path: Path) -> str:
    """What makes two files the same extract: the name less any .gz (a month re-exported with another
    compression is the same month)."""
    return path.name.removesuffix(".gz")


def _load_new_files(
    connection: duckdb.DuckDBPyConnection, table: Table, paths: list[Path], csv_options: dict[str, Any]
) -> list[FileResult]:
    """Load the files of months not loaded before, and reload a month whose file changed (its bytes, or
    its name: re-exported with another compression). Months loaded before whose file is no longer in
    the folder keep their rows and are recorded in raw.load_withdrawn (reported by the load and the gate)."""
    loaded: dict[str, tuple[str, str]] = {}
    for name, md5 in connection.execute(
        f"select source_file, file_md5 from {SCHEMA}.load_audit where source = ? order by source_file", [table.raw_table]
    ).fetchall():
        loaded[file_key(Path(name))] = (name, md5)
    present = set()
    new: list[Path] = []
    md5s: dict[Path, str] = {}
    replaced: set[Path] = set()
    for path in paths:
        key = file_key(path)
        present.add(key)
        md5 = fingerprint(path)
        previous = loaded.get(key)
        if previous is not None and previous[1] == md5 and Path(previous[0]).name == path.name:
            continue
        if previous is not None:
            connection.execute(f"delete from {SCHEMA}.{identifier(table.raw_table)} where _source_file = ?", [previous[0]])
            for bookkeeping in ("load_audit", "quarantine"):
                connection.execute(
                    f"delete from {SCHEMA}.{bookkeeping} where source = ? and source_file = ?", [table.raw_table, previous[0]]
                )
            replaced.add(path)
        new.append(path)
        md5s[path] = md5
    results = load_files(connection, table, new, csv_options, md5s, replaced)
    for key, (name, _) in sorted(loaded.items()):
        if key not in present:
            connection.execute(
                f"insert into {SCHEMA}.load_withdrawn values (?, ?, ?, current_timestamp)", [table.raw_table, key, name]
            )
    return results


def _create_raw_table(connection: duckdb.DuckDBPyConnection, table: Table, name: str | None = None) -> None:
    """The raw table for a contract table (or a table of its shape named `name`), if it is not there
    yet (police.uk tables exist even when empty)."""
    columns = ", ".join(f"{identifier(column.name)} {column.data_type}" for column in table.columns)
    connection.execute(
        f"create table if not exists {SCHEMA}.{identifier(name or table.raw_table)} "
        f"({columns}, _source_file varchar, _source_line bigint, _loaded_at timestamp)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--raw", type=Path, default=raw_data_dir(), help="folder of extracts (default: %(default)s)")
    parser.add_argument("--warehouse", type=Path, default=warehouse_path(), help="DuckDB file (default: %(default)s)")
    parser.add_argument("--source", action="append", help="load only this source of the force's extracts (repeatable)")
    parser.add_argument("--police-uk", type=Path, help="also load data.police.uk files from this folder (laid out as downloaded)")
    parser.add_argument(
        "--no-force-extracts",
        action="store_true",
        help="run on the police.uk files instead of the force's extracts (their raw tables are emptied)",
    )
    parser.add_argument(
        "--new-files-only",
        action="store_true",
        help="the nightly load: keep what is loaded, add new files, reload re-exported ones",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(
        f"load: {'(no force extracts)' if args.no_force_extracts else args.raw}"
        f"{' + ' + str(args.police_uk) if args.police_uk else ''} -> {args.warehouse}"
    )
    try:
        results = load(
            None if args.no_force_extracts else args.raw,
            args.warehouse,
            args.source,
            not args.quiet,
            args.police_uk,
            args.new_files_only,
        )
    except LoadError as error:
        print(f"load: ERROR {error}", file=sys.stderr)
        return 2
    read = sum(r.rows_read for r in results)
    quarantined = sum(r.rows_quarantined for r in results)
    print(
        f"load: {len(results)} files, {read:,} rows read, {read - quarantined:,} loaded, "
        f"{quarantined:,} quarantined (see raw.quarantine) in {time.perf_counter() - started:.1f}s"
    )
    replaced = [r.path for r in results if r.replaced]
    if replaced:
        print(f"load: {len(replaced)} re-exported file(s) replaced their earlier rows (first: {replaced[0]})")
    if full_refresh_marker(args.warehouse).exists():
        print(
            f"load: raw rows were replaced, not only added: the next `make build` is a full refresh ({full_refresh_marker(args.warehouse).name})"
        )
    return 0


def full_refresh_marker(warehouse: Path) -> Path:
    """The file that tells `make build` to rebuild the incremental models in full (removed after a build)."""
    return warehouse.with_name(warehouse.name + ".full-refresh")


if __name__ == "__main__":
    sys.exit(main())
