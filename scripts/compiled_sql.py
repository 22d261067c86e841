"""Run the dbt project's compiled model SQL directly, in dependency order, over one DuckDB connection.

The benchmark's yardstick: the same models `dbt run --full-refresh` builds, but with nothing
around the SQL (no dbt process, parsing, adapter, threads or bookkeeping). It reads the compiled
SQL from a manifest written by a full-refresh dbt run against the same warehouse, and rebuilds
every model of the project in place: tables as `create or replace table`, views as views.

    python -m scripts.compiled_sql --warehouse /tmp/copy/warehouse.duckdb --manifest target/manifest.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from scripts.settings import duckdb_config

PROJECT = "police_performance"


def models_in_order(manifest: dict) -> list[dict]:
    """The project's model nodes, each after the models it reads."""
    models = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == PROJECT
    }
    graph = {uid: [parent for parent in node["depends_on"]["nodes"] if parent in models] for uid, node in models.items()}
    return [models[uid] for uid in TopologicalSorter(graph).static_order()]


def run(warehouse: Path, manifest_path: Path) -> int:
    """Rebuild every model from its compiled SQL; return how many were built."""
    manifest = json.loads(manifest_path.read_text())
    nodes = models_in_order(manifest)
    missing = [node["name"] for node in nodes if not node.get("compiled_code")]
    if missing:
        raise SystemExit(f"{manifest_path}: no compiled SQL for {missing[:3]}...; run `dbt run --full-refresh` first")
    # as dbt's profile has it; the loader keeps insertion order (its line numbers depend on it)
    with duckdb.connect(str(warehouse), config=dict(duckdb_config(), preserve_insertion_order="false")) as connection:
        for schema in sorted({node["schema"] for node in nodes}):
            connection.execute(f'create schema if not exists "{schema}"')
        for node in nodes:
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            connection.execute(f"create or replace {kind} {node['relation_name']} as\n{node['compiled_code']}")
    return len(nodes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.compiled_sql", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, required=True, help="DuckDB file dbt built (its models are rebuilt in place)")
    parser.add_argument("--manifest", type=Path, required=True, help="manifest.json of a full-refresh dbt run on it")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    count = run(args.warehouse, args.manifest)
    print(f"compiled_sql: {count} models in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
