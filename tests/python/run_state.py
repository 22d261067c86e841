"""What a warehouse's last runs left behind, as the nightly tests (test_nightly.py) read it: the
row-checks watermarks, the models the last dbt run built, and the build identity."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from scripts import build_identity


def watermarks(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("select checked_through from raw.row_checks_watermark order by checked_at").fetchall()


def models_built(warehouse: Path) -> set[str]:
    """The models the warehouse's last dbt run built (its run_results.json)."""
    results = json.loads((warehouse.parent / "target" / "run_results.json").read_text())["results"]
    return {result["unique_id"].split(".")[-1] for result in results if result["unique_id"].startswith("model.")}


def current_build(warehouse: Path) -> str | None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return build_identity.current(connection)
