"""`python -m scripts.load`: the command line of the load (its help is the package's docstring)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import scripts.load as package
from scripts.load.run import load
from scripts.load.tables import LoadError, full_refresh_marker
from scripts.settings import raw_data_dir, warehouse_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.load", description=package.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--raw", type=Path, default=raw_data_dir(), help="folder of extracts (default: %(default)s)")
    parser.add_argument("--warehouse", type=Path, default=warehouse_path(), help="DuckDB file (default: %(default)s)")
    parser.add_argument("--source", action="append", help="load only this source of the force's extracts (repeatable)")
    parser.add_argument("--police-uk", type=Path, help="also load data.police.uk files from this folder (laid out as downloaded)")
    parser.add_argument(
        "--no-force-extracts",
        action="store_true",
        help="run on the police.uk files instead of the force's extracts (their raw tables are emptied)",
    )
    parser.add_argument(
        "--new-files-only",
        action="store_true",
        help="the nightly load: keep what is loaded, add new files, reload re-exported ones",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(
        f"load: {'(no force extracts)' if args.no_force_extracts else args.raw}"
        f"{' + ' + str(args.police_uk) if args.police_uk else ''} -> {args.warehouse}"
    )
    try:
        results = load(
            None if args.no_force_extracts else args.raw,
            args.warehouse,
            args.source,
            not args.quiet,
            args.police_uk,
            args.new_files_only,
        )
    except LoadError as error:
        print(f"load: ERROR {error}", file=sys.stderr)
        return 2
    read = sum(r.rows_read for r in results)
    quarantined = sum(r.rows_quarantined for r in results)
    print(
        f"load: {len(results)} files, {read:,} rows read, {read - quarantined:,} loaded, "
        f"{quarantined:,} quarantined (see raw.quarantine) in {time.perf_counter() - started:.1f}s"
    )
    replaced = [r.path for r in results if r.replaced]
    if replaced:
        print(f"load: {len(replaced)} re-exported file(s) replaced their earlier rows (first: {replaced[0]})")
    if full_refresh_marker(args.warehouse).exists():
        print(
            f"load: raw rows were replaced, not only added: the next `make build` is a full refresh ({full_refresh_marker(args.warehouse).name})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
