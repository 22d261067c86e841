"""Writes one month of one source as a CSV extract, formatted exactly as the contract says."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from scripts.contract import Table
from scripts.sql_text import literal
from scripts.synth.defects import GARBLE_COLUMN

# Pseudonymous reference columns are generated as numbers and written with these prefixes.
REFERENCE_PREFIXES = {
    "crime_reference": "CR",
    "linked_crime_reference": "CR",
    "outcome_reference": "OC",
    "incident_reference": "IN",
    "call_reference": "CL",
    "response_reference": "SR",
    "audit_reference": "CD",
    "check_reference": "VC",
    "assessment_reference": "DQ",
}


class ExtractWriter:
    """Formats batches with DuckDB and writes them as (gzipped) CSV, byte for byte repeatable."""

    def __init__(self, out_dir: Path, gzip: bool, csv_options: dict) -> None:
        self.out_dir = out_dir
        self.gzip = gzip
        self.timestamp_format = csv_options["timestamp_format"]
        self.date_format = csv_options["date_format"]
        self.connection = duckdb.connect()
        self.connection.execute("set threads = 1")

    def write(self, table: Table, label: str, batch: pd.DataFrame) -> Path:
        folder = self.out_dir / table.name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{table.name}_{label}.csv{'.gz' if self.gzip else ''}"
        garbled = _main_time_column(batch)
        select = ",\n".join(
            f"{self._expression(column.name, column.data_type, column.name == garbled)} as {column.name}"
            for column in table.columns
        )
        # one thread keeps the rows in the frame's order
        self.connection.register("batch", batch)
        compression = "gzip" if self.gzip else "none"
        self.connection.execute(
            f"copy (select {select} from batch) to {literal(path)} "
            f"(format csv, header true, delimiter ',', quote '\"', compression {compression})"
        )
        self.connection.unregister("batch")
        return path

    def _expression(self, name: str, data_type: str, garbled: bool) -> str:
        if data_type in ("TIMESTAMP", "DATE"):
            fmt = self.timestamp_format if data_type == "TIMESTAMP" else self.date_format
            wrong = "%d/%m/%Y %H:%M" if data_type == "TIMESTAMP" else "%d/%m/%Y"
            if garbled:
                return f"case when {GARBLE_COLUMN} then strftime({name}, '{wrong}') else strftime({name}, '{fmt}') end"
            return f"strftime({name}, '{fmt}')"
        if data_type == "BOOLEAN":
            return f"case when {name} then 'Y' when not {name} then 'N' end"
        if name in REFERENCE_PREFIXES:
            return f"'{REFERENCE_PREFIXES[name]}' || {name}::varchar"
        return f"{name}::varchar"


def _main_time_column(batch: pd.DataFrame) -> str | None:
    """The first timestamp or date column, the one a garbled row gets wrong."""
    for name in batch.columns:
        if pd.api.types.is_datetime64_any_dtype(batch[name]):
            return name
    return None
