"""Compare the warehouse's figures with the published ones in calibration_targets.csv.

Each target names a measure, a geography (`force` or `area:<name>`), the month its period ends,
a window and a tolerance (relative for counts, absolute otherwise). Windows that
marts.measure_values does not hold are re-derived from its rows: rolling_9m by summing month
rows, and the two year-on-year changes from the month and rolling 12 month values.

    python -m scripts.calibration                 # table of every target against the warehouse
    python -m scripts.calibration --misses-only
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from scripts.settings import PROJECT_ROOT, warehouse_path

TARGETS_FILE = PROJECT_ROOT.parent / "shared" / "reference" / "calibration_targets.csv"
DIRECT_WINDOWS = ("month", "rolling_3m", "rolling_12m")


@dataclass(frozen=True)
class Target:
    target_id: str
    measure_id: str
    geography: str
    period_end: str
    window: str
    value: float
    unit: str
    tolerance: float
    source: str

    @property
    def geography_filter(self) -> tuple[str, str | None]:
        level, _, name = self.geography.partition(":")
        return level, (name or None)

    @property
    def month(self) -> str:
        return f"{self.period_end}-01"

    def is_met_by(self, figure: float | None) -> bool:
        if figure is None:
            return False
        allowed = self.tolerance * abs(self.value) if self.unit == "count" else self.tolerance
        return abs(figure - self.value) <= allowed + 1e-9


@dataclass(frozen=True)
class Result:
    target: Target
    figure: float | None

    @property
    def is_met(self) -> bool:
        return self.target.is_met_by(self.figure)


def read_targets(path: Path = TARGETS_FILE) -> list[Target]:
    if not path.exists():
        raise FileNotFoundError(f"{path}: calibration targets not found; put ../shared beside the project")
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Target(
                row["target_id"],
                row["measure_id"],
                row["geography"],
                row["period_end"],
                row["window"],
                float(row["value"]),
                row["unit"],
                float(row["tolerance"]),
                row["source"],
            )
            for row in csv.DictReader(handle)
        ]


def figure_for(connection: duckdb.DuckDBPyConnection, target: Target) -> float | None:
    """The warehouse's figure for a target, re-derived from measure_values where needed."""
    level, name = target.geography_filter
    where = "measure_id = ? and geography_level = ? and (? is null or geography = ?)"
    key = [target.measure_id, level, name, name]

    def value(window: str, months_back: int = 0) -> float | None:
        row = connection.execute(
            f"select value from marts.measure_values where {where} and period_window = ? "
            "and period_month = cast(? as date) - to_months(?)",
            [*key, window, target.month, months_back],
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    if target.window in DIRECT_WINDOWS:
        return value(target.window)
    if target.window == "rolling_9m":
        row = connection.execute(
            f"select sum(numerator), sum(denominator), count(*) from marts.measure_values where {where} "
            "and period_window = 'month' and period_month between cast(? as date) - to_months(8) and cast(? as date)",
            [*key, target.month, target.month],
        ).fetchone()
        if row is None or row[2] != 9 or row[0] is None:
            return None
        return float(row[0]) if row[1] is None else float(row[0]) / float(row[1]) if row[1] else None
    if target.window == "month_vs_same_month_last_year":
        now, before = value("month"), value("month", 12)
    elif target.window == "rolling_12m_vs_previous_year":
        now, before = value("rolling_12m"), value("rolling_12m", 12)
    else:
        raise ValueError(f"{target.target_id}: window {target.window!r} is not one this tool can derive")
    return None if now is None or not before else now / before - 1


def compare(warehouse: Path, targets: list[Target]) -> list[Result]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return [Result(target, figure_for(connection, target)) for target in targets]


def format_table(results: list[Result], misses_only: bool = False) -> str:
    lines = [
        f"{'target':<6} {'measure':<46} {'geography':<11} {'period':<8} {'window':<29} {'published':>10} {'warehouse':>10}  ok"
    ]
    for result in results:
        if misses_only and result.is_met:
            continue
        t = result.target
        figure = "missing" if result.figure is None else f"{result.figure:.4g}"
        lines.append(
            f"{t.target_id:<6} {t.measure_id:<46} {t.geography:<11} {t.period_end:<8} {t.window:<29} "
            f"{t.value:>10.4g} {figure:>10}  {'yes' if result.is_met else 'NO'}"
        )
    met = sum(result.is_met for result in results)
    lines.append(f"{met} of {len(results)} targets met ({met / len(results):.0%})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.calibration", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, default=warehouse_path(), help="DuckDB file (default: %(default)s)")
    parser.add_argument("--targets", type=Path, default=TARGETS_FILE, help="targets CSV (default: %(default)s)")
    parser.add_argument("--misses-only", action="store_true", help="list only the targets missed")
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(f"calibration: {args.warehouse} not found; run `make run` first", file=sys.stderr)
        return 2
    print(format_table(compare(args.warehouse, read_targets(args.targets)), args.misses_only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
