"""A read-only SQL shell on the published warehouse, for analysts (end each statement with ;).

python -m scripts.sql                          # interactive
python -m scripts.sql -c "from marts.measure_values limit 5"
python -m scripts.sql < analyses/district_rolling_outcome_rate.sql   (plain SQL, no Jinja)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from scripts import pipeline_lock
from scripts.settings import published_dir


def run(connection: duckdb.DuckDBPyConnection, statement: str) -> None:
    try:
        relation = connection.sql(statement)
        if relation is not None:
            relation.show(max_rows=60, max_width=200)
    except duckdb.Error as error:
        print(f"error: {error}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.sql", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--warehouse", type=Path, default=published_dir() / "warehouse.duckdb", help="DuckDB file (default: %(default)s)"
    )
    parser.add_argument("-c", "--command", help="run one statement and exit")
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(f"sql: {args.warehouse} not found; run `make run` first", file=sys.stderr)
        return 2
    try:
        connection = duckdb.connect(str(args.warehouse), read_only=True)
    except duckdb.IOException as error:
        return pipeline_lock.busy("sql", error)
    if args.command:
        run(connection, args.command)
        return 0
    interactive = sys.stdin.isatty()
    if interactive:
        print(
            f"read-only on {args.warehouse}; schemas raw, reference, staging, intermediate, marts, quality. "
            "Start with marts.measure_values. End statements with ';', quit with Ctrl-D."
        )
    buffer = ""
    while True:
        try:
            line = input("sql> " if interactive and not buffer else ("...> " if interactive else ""))
        except EOFError:
            break
        buffer += line + "\n"
        if buffer.strip().endswith(";"):
            run(connection, buffer)
            buffer = ""
    if buffer.strip():
        run(connection, buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
