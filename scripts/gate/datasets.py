"""The frames the checks run on: the dbt profile views, plus two the gate computes itself."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from scripts.contract import load_contract

# Columns that say which row of a dataset an unexpected value came from.
ROW_LABELS = {
    "quality_source_months": ["source", "period_month"],
    "quality_source_checks": ["source"],
    "quality_mart_checks": ["latest_month"],
    "quality_police_uk_months": ["force_slug", "period_month"],
    "quality_police_uk_forces": ["force_slug", "rows_loaded"],
    "raw_columns": ["source"],
    "load_change": ["source"],
    "withdrawn_files": ["source", "file_key"],
}


def fetch(work: Path, published: Path | None, names: set[str]) -> dict[str, pd.DataFrame]:
    """Read each named dataset from the working warehouse (and the last published one)."""
    frames: dict[str, pd.DataFrame] = {}
    with duckdb.connect(str(work), read_only=True) as connection:
        for name in sorted(names):
            if name == "raw_columns":
                frames[name] = raw_columns(connection)
            elif name == "load_change":
                frames[name] = load_change(connection, published)
            elif name == "withdrawn_files":
                frames[name] = withdrawn_files(connection)
            else:
                frames[name] = connection.execute(f"select * from quality.{name}").df()
    return frames


def raw_columns(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per raw table: do its columns (less the loader's own) match the contract, in order?"""
    rows = []
    for table in load_contract().values():
        found = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
                "and column_name not like '\\_%' escape '\\' order by ordinal_position",
                [table.name],
            ).fetchall()
        ]
        rows.append({"source": table.name, "is_as_contracted": found == table.column_names, "columns": ",".join(found)})
    return pd.DataFrame(rows)


def load_change(connection: duckdb.DuckDBPyConnection, published: Path | None) -> pd.DataFrame:
    """Rows per source now and in the warehouse last published (ratio null when nothing is published)."""
    now = connection.execute("select source, sum(rows_loaded) as rows_now from raw.load_audit group by 1").df()
    before = pd.DataFrame({"source": pd.Series(dtype=str), "rows_published": pd.Series(dtype="float64")})
    if published is not None and published.exists():
        with duckdb.connect(str(published), read_only=True) as previous:
            before = previous.execute("select source, sum(rows_loaded) as rows_published from raw.load_audit group by 1").df()
    frame = now.merge(before, on="source", how="left")
    frame["rows_ratio"] = frame["rows_now"] / frame["rows_published"]
    return frame


def withdrawn_files(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Files the last nightly load found gone from their folder (their rows are still loaded)."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'load_withdrawn'"
    ).fetchone()[0]
    if not exists:
        return pd.DataFrame(
            {"source": pd.Series(dtype=str), "file_key": pd.Series(dtype=str), "is_in_folder": pd.Series(dtype=bool)}
        )
    return connection.execute("select source, file_key, false as is_in_folder from raw.load_withdrawn order by all").df()
