"""Write the monthly performance pack: one self-contained HTML file (prints to PDF by pillar).

Reads the published warehouse read-only, like any BI tool. One section per pillar: the board
table for the month, a trend chart with control limits and an area and district split for each
headline measure (config/warehouse.yml, pack.headlines), and the data-quality panel.

    python -m scripts.pack                    # the latest month -> warehouse/published/pack/
    python -m scripts.pack --month 2020-08 --out /tmp/pack.html
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from scripts.report import data, html
from scripts.settings import load_config, published_dir
from scripts.synth.calendar import parse_month


def write_pack(warehouse: Path, out: Path | None, month_text: str | None, as_at: str | None = None) -> Path:
    settings = load_config()["pack"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        month = parse_month(month_text) if month_text else data.latest_month(connection)
        content = data.read(connection, month, settings["headlines"], settings["trend_months"])
        names = dict(connection.execute("select measure_id, name from reference.measures").fetchall())
    target = out or warehouse.parent / "pack" / f"pack-{month:%Y-%m}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html.render(content, settings["headlines"], names, as_at), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.pack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month", help="month to report, YYYY-MM (default: the latest in the warehouse)")
    parser.add_argument("--warehouse", type=Path, default=published_dir() / "warehouse.duckdb",
                        help="published DuckDB file (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="HTML file to write (default: pack/pack-YYYY-MM.html beside the warehouse)")
    parser.add_argument("--as-at", help="say on the pack that its figures were rebuilt as at this extract date (scripts/as_at.py)")
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(f"pack: {args.warehouse} not found; run `make run` first", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        target = write_pack(args.warehouse, args.out, args.month, args.as_at)
    except data.NothingToReport as notice:
        print(f"pack: skipped: {notice}; the pack reports the force's own measures")
        return 0
    except ValueError as error:
        print(f"pack: ERROR {error}", file=sys.stderr)
        return 2
    print(f"pack: {target} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
