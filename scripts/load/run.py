"""A load from start to end: the plan (each raw table and its files), the first load (every
source into loading tables, swapped in with one transaction) or the nightly (new and re-exported
files only), the build identity, and the full-refresh marker for the next build."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

from scripts import build_identity
from scripts.contract import Table, load_contract, load_police_uk_contract
from scripts.load.batch import load_files
from scripts.load.discovery import discover, discover_police_uk, file_key, fingerprint
from scripts.load.shape import check_header
from scripts.load.tables import (
    AUDIT_DDL,
    AUDIT_UPGRADES,
    LOADING,
    QUARANTINE_DDL,
    SCHEMA,
    WITHDRAWN_DDL,
    FileResult,
    LoadError,
    Targets,
    create_raw_table,
    drop_loading_tables,
    full_refresh_marker,
    swap_in,
)
from scripts.settings import duckdb_config, load_config
from scripts.sql_text import identifier


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
    csv_options = load_config()["csv"]
    police_uk = load_police_uk_contract()
    plan = _plan(raw_dir, sources, police_uk_dir, police_uk, progress)
    results: list[FileResult] = []
    connection = _open(warehouse)
    try:
        if not new_files_only:
            results = _load_into_loading_tables(connection, plan, csv_options, progress)
        connection.execute("begin transaction")
        withdrawn_before = _withdrawn(connection)
        connection.execute(f"delete from {SCHEMA}.load_withdrawn")  # what this load finds withdrawn
        for table, paths in plan:
            if new_files_only:
                started = time.perf_counter()
                create_raw_table(connection, table)
                batch = _load_new_files(connection, table, paths, csv_options)
                results.extend(batch)
                _report(progress, table, batch, started)
            else:
                swap_in(connection, table)
        if not new_files_only:
            drop_loading_tables(connection, [table for table, _ in plan])
        if police_uk_dir is None:
            for table in police_uk.values():
                create_raw_table(connection, table)
        withdrawn = _withdrawn(connection)
        if not new_files_only or results or withdrawn != withdrawn_before:
            build_identity.record(connection, "load")  # a load that changed nothing keeps the identity
        connection.execute("commit")
    except BaseException:
        try:
            connection.execute("rollback")
        except duckdb.Error:
            pass  # no transaction was open: the full load stopped while writing its loading tables
        if not new_files_only:
            drop_loading_tables(connection, [table for table, _ in plan])
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
    drop_loading_tables(connection, tables)
    for name in ("quarantine", "load_audit"):
        connection.execute(f"create table {SCHEMA}.{identifier(name + LOADING)} as select * from {SCHEMA}.{name} limit 0")
    results: list[FileResult] = []
    for table, paths in plan:
        started = time.perf_counter()
        create_raw_table(connection, table, table.raw_table + LOADING)
        batch = load_files(connection, table, paths, csv_options, into=Targets.of(table, LOADING))
        results.extend(batch)
        _report(progress, table, batch, started)
    return results


def _withdrawn(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The files recorded withdrawn from their folder (raw.load_withdrawn): source and file key."""
    return connection.execute(f"select source, file_key from {SCHEMA}.load_withdrawn order by all").fetchall()


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


def _plan(
    raw_dir: Path | None, sources: list[str] | None, police_uk_dir: Path | None, police_uk: dict[str, Table], progress: bool
) -> list[tuple[Table, list[Path]]]:
    """Each raw table with the files to load into it, every header checked against its contract
    before anything is written."""
    contract = load_contract()
    if raw_dir is None:
        if police_uk_dir is None:
            raise LoadError("nothing to load: give the force's extracts, a police.uk folder, or both")
        plan = [(table, []) for table in contract.values()]
    else:
        plan = [(contract[name], paths) for name, paths in discover(raw_dir, contract, sources).items()]
    if police_uk_dir is not None:
        plan += [(police_uk[name], paths) for name, paths in discover_police_uk(police_uk_dir, police_uk, progress).items()]
    for table, paths in plan:
        for path in paths:
            check_header(path, table)
    return plan


def _open(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse for writing, with the load's own tables in place (a clear error when another
    process holds it)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(warehouse), config=duckdb_config())
    except duckdb.IOException as error:
        raise LoadError(
            f"{warehouse}: cannot open the warehouse for writing ({error}). Another process (a dbt run, "
            "a BI tool or a SQL shell) holds it; close that and run again."
        ) from error
    try:
        connection.execute("set enable_progress_bar = false")  # the load prints its own progress lines
        connection.execute(f"create schema if not exists {SCHEMA}")
        connection.execute(AUDIT_DDL)
        for upgrade in AUDIT_UPGRADES:
            connection.execute(upgrade.format(schema=SCHEMA))
        connection.execute(QUARANTINE_DDL)
        connection.execute(WITHDRAWN_DDL)
    except BaseException:
        connection.close()
        raise
    return connection
