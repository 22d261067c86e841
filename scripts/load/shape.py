"""A file's shape and its columns' casts: the header against the contract, its physical lines
read apart from the CSV parse, and the SQL that casts each column with the reason it failed."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from isal import igzip
from isal.igzip_lib import IsalError

from scripts.contract import Column, Table
from scripts.load.tables import LoadError
from scripts.sql_text import identifier, literal


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
    md5: str = ""  # of the file's bytes as stored (discovery.fingerprint's), from the same read

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
        data = stored = path.read_bytes()
        if path.suffix == ".gz":
            data = igzip.decompress(stored)
    except (OSError, EOFError, zlib.error, IsalError) as error:
        raise LoadError(f"{path}: cannot be read ({error}). Re-export the file.") from error
    ends = data.endswith(b"\n")
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    lines = len(newlines) + (0 if ends or not data else 1)
    blank: tuple[int, ...] = ()
    if bool((np.diff(newlines) == 1).any()) or (b"\r" in data and b"\n\r\n" in data):  # rare: find them exactly
        blank = tuple(data.count(b"\n", 0, match.start()) + 2 for match in re.finditer(rb"\n(?=\r?\n)", data))
    has_control = any(byte in data for byte in CONTROL_BYTES)
    return FileShape(lines, ends, blank, has_control, len(data), hashlib.md5(stored).hexdigest())


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


def read_csv_sql(files: str, table: Table, csv_options: dict[str, Any], by_file: bool = False) -> str:
    """SQL for DuckDB's read_csv of files (SQL: one name or a list) with the contract's columns as
    text and the explicit CSV options, strict, its rejected lines kept in _rejects and _reject_scans,
    and (by_file) each record's file in _file. drop_scan_tables goes first."""
    columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in table.column_names)
    return f"""read_csv({files}, columns = {{{columns}}}, header = true, auto_detect = false,
                      delim = {literal(csv_options["delimiter"])}, quote = {literal(csv_options["quote"])},
                      escape = {literal(csv_options["escape"])}, encoding = {literal(csv_options["encoding"])},
                      strict_mode = true, store_rejects = true,{" filename = '_file'," if by_file else ""}
                      rejects_table = '_rejects', rejects_scan = '_reject_scans')"""


def drop_scan_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop the previous scan's temp tables (its records, typed rows and rejected lines)."""
    connection.execute(
        "drop view if exists _scan_rows; drop table if exists _rejects; drop table if exists _reject_scans; "
        "drop table if exists _scan; drop table if exists _typed"
    )


def create_scan(connection: duckdb.DuckDBPyConnection, files: str, table: Table, csv_options: dict[str, Any]) -> None:
    """The temp table _scan: read_csv_sql's records as text, each numbered in _record. The previous
    scan's tables go first. Raises duckdb.Error when DuckDB cannot read the files."""
    drop_scan_tables(connection)
    connection.execute(
        f"create temp table _scan as select *, row_number() over () as _record from {read_csv_sql(files, table, csv_options)}"
    )
