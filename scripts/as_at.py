"""Rebuild the warehouse's figures as they stood at an earlier extract date, and write that pack.

The working warehouse keeps every extract it has loaded and, in snapshots.crime_outcomes_snapshot,
the history of each crime's outcome. An as-at build copies it and runs `dbt build --full-refresh`
with var as_at: only rows from extracts taken on or before the date, and each crime's outcome as
the snapshot had it then. The copy and its pack go to warehouse/as_at/<date>/; the working and
published warehouses are not touched.

    python -m scripts.as_at --date 2025-04-01            # figures as published after the March extract
    python -m scripts.as_at --date 2025-04-01 --out /tmp/as_at
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from scripts import pipeline, runner
from scripts.settings import warehouse_path


def build_as_at(source: Path, as_at: date, out: Path) -> Path:
    """Copy the warehouse into out and rebuild it as at the date; return the copy."""
    if not source.exists():
        raise FileNotFoundError(f"{source}: warehouse not found; run `make run` first")
    out.mkdir(parents=True, exist_ok=True)
    copy = out / "warehouse.duckdb"
    shutil.copyfile(source, copy)
    exclude = ("--exclude", "resource_type:snapshot", "resource_type:unit_test")
    pipeline.timed_build(copy, True, None, *exclude, vars_={"as_at": as_at.isoformat()})
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.as_at", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--date",
        required=True,
        type=date.fromisoformat,
        help="extract date to rebuild as at, YYYY-MM-DD (an extract for month M is taken on the 1st of M+1)",
    )
    parser.add_argument(
        "--warehouse", type=Path, default=warehouse_path(), help="working warehouse to copy (default: %(default)s)"
    )
    parser.add_argument("--out", type=Path, help="folder to write into (default: warehouse/as_at/<date>)")
    args = parser.parse_args(argv)
    out = args.out or args.warehouse.parent / "as_at" / args.date.isoformat()
    started = time.perf_counter()
    try:
        copy = build_as_at(args.warehouse, args.date, out)
        pack = runner.script(
            copy,
            "pack",
            "--warehouse",
            str(copy),
            "--out",
            str(out / f"pack-as-at-{args.date}.html"),
            "--as-at",
            args.date.isoformat(),
        )
    except (FileNotFoundError, runner.StepFailed) as error:
        print(f"as_at: ERROR {error}", file=sys.stderr)
        return 2
    print(pack.output.strip())
    print(f"as_at: figures as at {args.date} in {copy} ({time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
