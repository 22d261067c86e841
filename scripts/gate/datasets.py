"""The frames the checks run on: the published figures (marts.measure_values), the dbt profile
views of the quality schema, and three the gate computes itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from scripts.contract import load_contract


@dataclass(frozen=True)
class Dataset:
    """How the gate names a row of a dataset: the columns a failure is reported by, and which
    extract a failing row is about (a column of the row, or one extract for the whole dataset)."""

    table: str
    labels: tuple[str, ...]
    extract_column: str | None = None
    extract: str | None = None

    @property
    def index_columns(self) -> list[str]:
        """The columns Great Expectations returns for each unexpected row."""
        extra = [self.extract_column] if self.extract_column and self.extract_column not in self.labels else []
        return [*self.labels, *extra]


DATASETS = {
    "measure_values": Dataset(
        "marts.measure_values", ("measure_id", "geography", "period_month", "period_window"), "quality_extract"
    ),
    "quality_measure_months": Dataset("quality.quality_measure_months", ("period_month",)),
    "quality_source_months": Dataset("quality.quality_source_months", ("source", "period_month"), "source"),
    "quality_source_checks": Dataset("quality.quality_source_checks", ("source",), "source"),
    "quality_police_uk_months": Dataset("quality.quality_police_uk_months", ("force_slug", "period_month"), extract="police_uk"),
    "quality_police_uk_forces": Dataset("quality.quality_police_uk_forces", ("force_slug", "rows_loaded"), extract="police_uk"),
    "raw_columns": Dataset("raw tables against the extract contract", ("source",), "source"),
    "load_change": Dataset("raw.load_audit against the last published", ("source",), "source"),
    "withdrawn_files": Dataset("raw.load_withdrawn", ("source", "file_key"), "source"),
}

# The figures as published, each row beside its catalogue entry (unit, minimum sample, whether a
# rate's numerator and denominator come from different rows, the extract whose warnings apply) and
# whether it is in the latest month of the force's extracts, the month publication is decided on.
MEASURE_VALUES = """
with latest as (
    select max(period_month) as period_month
    from marts.measure_values
    where measure_id in (select measure_id from intermediate.int_measures_catalogued where data_source = 'force_extracts')
)
select
    measure_values.*,
    catalogue.unit,
    catalogue.min_n,
    catalogue.is_volume_basis,
    catalogue.quality_extract,
    coalesce(measure_values.period_month = latest.period_month, false) as is_latest_month
from marts.measure_values
inner join intermediate.int_measures_catalogued as catalogue
    on measure_values.measure_id = catalogue.measure_id
cross join latest
order by measure_values.measure_id, geography_level, geography, period_month, period_window
"""


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
            elif name == "measure_values":
                frames[name] = connection.execute(MEASURE_VALUES).df()
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
