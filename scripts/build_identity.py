"""The working warehouse's build identity: a new one each time a load or a dbt run may change it.

The loader records one inside its transaction when it changes a raw table, dbt records one before
it changes anything, when its selection holds a node that writes (on-run-start,
macros/build_identity.sql); a nightly with nothing new keeps the identity it found. The quality
gate stores the identity it validated beside its results, and publish refuses a warehouse whose
identity is not the one the latest passing gate run validated: a failed build, or a load with no
gate run since, is never published.
"""

from __future__ import annotations

import uuid

import duckdb

TABLE = "raw.build_identity"


def record(connection: duckdb.DuckDBPyConnection, changed_by: str) -> str:
    """Give the warehouse a new build identity (inside the caller's transaction); return it."""
    build_id = uuid.uuid4().hex
    connection.execute("create schema if not exists raw")
    connection.execute(
        f"create or replace table {TABLE} as select ? as build_id, current_timestamp as changed_at, ? as changed_by",
        [build_id, changed_by],
    )
    return build_id


def current(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The warehouse's build identity, or None when nothing has recorded one."""
    try:
        row = connection.execute(f"select build_id from {TABLE}").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def latest_gate_run(connection: duckdb.DuckDBPyConnection, columns: str) -> tuple | None:
    """The given columns (SQL) of the latest quality gate run (quality.validation_runs); None when
    there is none, or the run is from before one of the columns was recorded."""
    try:
        return connection.execute(f"select {columns} from quality.validation_runs order by validated_at desc limit 1").fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):
        return None
