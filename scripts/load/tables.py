"""The raw tables a load writes: their shapes, the full load's loading tables and the swap that
puts them in place, the errors and results of a load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from scripts.contract import Table
from scripts.sql_text import identifier

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


def create_raw_table(connection: duckdb.DuckDBPyConnection, table: Table, name: str | None = None) -> None:
    """The raw table for a contract table (or a table of its shape named `name`), if it is not there
    yet (police.uk tables exist even when empty)."""
    columns = ", ".join(f"{identifier(column.name)} {column.data_type}" for column in table.columns)
    connection.execute(
        f"create table if not exists {SCHEMA}.{identifier(name or table.raw_table)} "
        f"({columns}, _source_file varchar, _source_line bigint, _loaded_at timestamp)"
    )


def swap_in(connection: duckdb.DuckDBPyConnection, table: Table) -> None:
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


def drop_loading_tables(connection: duckdb.DuckDBPyConnection, tables: list[Table]) -> None:
    for name in [table.raw_table for table in tables] + ["quarantine", "load_audit"]:
        connection.execute(f"drop table if exists {SCHEMA}.{identifier(name + LOADING)}")


def full_refresh_marker(warehouse: Path) -> Path:
    """The file that tells `make build` to rebuild the incremental models in full (removed after a build)."""
    return warehouse.with_name(warehouse.name + ".full-refresh")
