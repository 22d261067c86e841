"""Which nodes a nightly build builds: those new rows reach, and those whose code changed.

A nightly build whose tests read only the new rows (row checks 'new', macros/row_checks.sql) is
given this dbt selection:

- `source:<source>.<table>+` for each source table holding a row loaded after the last fully
  checked build (its `loaded_at_field` against raw.row_checks_watermark); a source table with no
  loaded_at field, or one the warehouse does not hold, is always selected, since nothing says it
  has nothing new;
- `state:modified+` against the manifest of the last successful build, saved beside the warehouse
  (`<warehouse>.build-state/manifest.json`), so a changed model, macro or seed, and a new model,
  are built with everything downstream of them even when no new row reaches them.

Every other node is left as the last build left it: no row has reached it since, and its code is
the same. Its tests passed then over every row it holds (the watermark moves only after a build
whose tests all passed), so nothing goes unchecked. The selection is every node a new row can
change, so a selected build whose tests pass moves the watermark too (DBT_BUILD_SCOPE, read by
macros/row_checks.sql). With no watermark, no saved manifest, a manifest from another dbt version
or a full refresh, every node is built (None).

    python -m scripts.build_scope --warehouse warehouse/warehouse.duckdb   # print the selection
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import duckdb

from scripts.settings import warehouse_path
from scripts.sql_text import identifier

SCOPE_VARIABLE = "DBT_BUILD_SCOPE"  # read by macros/row_checks.sql
NEW_ROWS = "new_rows"  # the scope's value when the selection is this module's
# dbt's arguments that select or exclude nodes (excluding whole resource types is not one)
NODE_SELECTION = frozenset(("--select", "-s", "--models", "--model", "-m", "--exclude", "--selector", "--inline"))
WATERMARK = "select max(checked_through) from raw.row_checks_watermark"


def state_dir(warehouse: Path) -> Path:
    """Where the manifest of the warehouse's last successful build is kept."""
    return warehouse.with_name(warehouse.name + ".build-state")


def selects_nodes(arguments: Sequence[str]) -> bool:
    """True when dbt arguments select or exclude nodes (excluding whole resource types does not)."""
    return any(argument.split("=", 1)[0] in NODE_SELECTION for argument in arguments)


def save_state(warehouse: Path, given: Sequence[str]) -> bool:
    """After a build that succeeded: its manifest becomes the state the next nightly compares with,
    unless the build was given a node selection of its own (given: its arguments besides this
    module's selection), which may have left a changed node unbuilt. Written whole, then renamed, so
    an interrupted copy never leaves half a manifest. True when saved."""
    if selects_nodes(given):
        return False
    manifest = warehouse.parent / "target" / "manifest.json"
    folder = state_dir(warehouse)
    folder.mkdir(exist_ok=True)
    staged = folder / "manifest.json.tmp"
    shutil.copyfile(manifest, staged)
    os.replace(staged, folder / "manifest.json")
    return True


def saved_sources(warehouse: Path) -> list[dict] | None:
    """The source tables of the saved manifest, or None when there is no usable one (none saved, or
    saved by another dbt version, whose manifest dbt may not read as state)."""
    path = state_dir(warehouse) / "manifest.json"
    if not path.exists():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("metadata", {}).get("dbt_version") != version("dbt-core"):
        return None
    return list(manifest.get("sources", {}).values())


def has_new_rows(connection: duckdb.DuckDBPyConnection, source: dict) -> bool:
    """True when the source table holds a row loaded after the watermark, or when that cannot be
    told (no loaded_at field, no such table or column)."""
    column = source.get("loaded_at_field")
    if not column:
        return True
    try:
        newest = connection.execute(
            f"select max({identifier(column)}) > ({WATERMARK}) "
            f"from {identifier(source['schema'])}.{identifier(source['identifier'])}"
        ).fetchone()[0]
    except (duckdb.CatalogException, duckdb.BinderException):
        return True
    return bool(newest)


def selection(warehouse: Path) -> tuple[str, ...] | None:
    """The nightly build's dbt selection arguments, or None when every node must be built."""
    sources = saved_sources(warehouse)
    if sources is None or not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        try:
            watermark = connection.execute(WATERMARK).fetchone()[0]
        except duckdb.CatalogException:
            return None
        if watermark is None:
            return None
        reached = sorted(
            f"source:{source['source_name']}.{source['name']}+" for source in sources if has_new_rows(connection, source)
        )
    return ("--select", *reached, "state:modified+", "--state", str(state_dir(warehouse)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.build_scope", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, default=warehouse_path(), help="working DuckDB file (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        found = selection(args.warehouse)
    except duckdb.IOException as error:
        print(f"build_scope: {args.warehouse} is in use ({error}); try again when the run holding it ends", file=sys.stderr)
        return 1
    print("every node (no watermark or saved state)" if found is None else " ".join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
