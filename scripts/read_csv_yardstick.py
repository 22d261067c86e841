"""The loader's yardstick: DuckDB's own read_csv of the same extract files into tables, nothing else.

Each source's files are read with one read_csv call, typed as the contract says (Y/N markers as
text; a value DuckDB cannot cast drops its row: no quarantine, no audit, no line accounting), into
a table of a scratch DuckDB file: the least any loader built on DuckDB could take. `make bench`
runs it beside the load and reports load / read_csv.

    python -m scripts.read_csv_yardstick --raw data/raw --warehouse /tmp/yardstick.duckdb
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from scripts.contract import load_contract
from scripts.load import LoadError, discover
from scripts.settings import duckdb_config, load_config
from scripts.sql_text import identifier, literal


def read_all(raw: Path, warehouse: Path) -> int:
    """Read every source's extracts into a table of the given (new) DuckDB file; return the rows."""
    contract = load_contract()
    csv_options = load_config()["csv"]
    warehouse.unlink(missing_ok=True)
    rows = 0
    with duckdb.connect(str(warehouse), config=duckdb_config()) as connection:
        for name, paths in discover(raw, contract).items():
            files = "[" + ", ".join(literal(str(path)) for path in paths) + "]"
            types = ", ".join(
                f"{literal(column.name)}: {literal('VARCHAR' if column.data_type == 'BOOLEAN' else column.data_type)}"
                for column in contract[name].columns
            )
            connection.execute(
                f"create table {identifier(name)} as select * from read_csv({files}, columns = {{{types}}}, header = true, "
                f"auto_detect = false, dateformat = {literal(csv_options['date_format'])}, "
                f"timestampformat = {literal(csv_options['timestamp_format'])}, ignore_errors = true)"
            )
            rows += connection.execute(f"select count(*) from {identifier(name)}").fetchone()[0]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.read_csv_yardstick", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--raw", type=Path, required=True, help="folder of extracts, laid out as the loader reads them")
    parser.add_argument("--warehouse", type=Path, required=True, help="scratch DuckDB file to write (replaced)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        rows = read_all(args.raw, args.warehouse)
    except (LoadError, duckdb.Error) as error:
        print(f"read_csv_yardstick: ERROR {error}", file=sys.stderr)
        return 2
    print(f"read_csv_yardstick: {rows:,} rows in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
