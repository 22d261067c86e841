"""Benchmark the force pipeline at scale 1 (a force), 10 and 45 (England and Wales).

For each run in config/warehouse.yml (bench.runs) it generates SYNTHETIC extracts and times every
step as its own process, with its peak memory: generate, load, `dbt build --full-refresh`,
validate, publish and report (the pack). Then three yardsticks:

- loading: DuckDB's own read_csv of the same files into tables (scripts/read_csv_yardstick.py),
  against the load (which also casts to the contract, quarantines, audits and accounts for every
  line);

- tooling: `dbt run --full-refresh` (models only) against the same models' compiled SQL run
  directly over one DuckDB connection (scripts/compiled_sql.py): the ratio is what dbt costs;
- nightly: the last month's extracts arrive and the nightly run (`make nightly`) follows:
  `load --new-files-only`, an incremental `dbt build` whose tests read the new rows, the gate,
  publish and the pack, against the full pipeline (load, full build, gate, publish, pack);
- idle nightly: the nightly run once more with no new file, its cost whatever the data (the
  floor under the nightly ratio for the design as it stands).

Figures go to bench/force.json and docs/benchmarks.md. They are measurements for the record,
never asserted by a test (these machines are shared and noisy).

    python -m scripts.bench                          # every run in the config
    python -m scripts.bench --scale 1                # one run (the others' figures are kept)
    python -m scripts.bench --scale 45 --months all  # the full national history
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from scripts import pipeline, runner
from scripts.bench_report import DOC, RESULTS, write_doc, write_results
from scripts.generate import SOURCES
from scripts.months import add_months, last_full_month, parse_month
from scripts.settings import PROJECT_ROOT, load_config, load_generator_config
from scripts.synth.calendar import month_range

PIPELINE = ("load", "dbt_build", "validate", "publish", "report")
NIGHTLY = tuple(f"nightly_{name}" for name in PIPELINE)
# the nightly run again with no new file: what a nightly costs whatever the data (the start-ups,
# every node's own cost, the models not yet proportional to the new rows), the nightly's floor
IDLE = tuple(f"idle_{name}" for name in PIPELINE)
SLOWEST = 12  # nodes of each dbt build kept in bench/force.json


def months_of(setting: int | str) -> tuple[date, date]:
    """First and last month of a run: the latest `setting` months, or all of the generator's history."""
    last = last_full_month(date.today())
    if setting == "all":
        return parse_month(load_generator_config()["start_month"]), last
    return add_months(last, -(int(setting) - 1)), last


def link_months(generated: Path, extracts: Path, labels: list[str]) -> None:
    """Make the given months' extracts visible to the loader (symbolic links, no copying)."""
    for source in SOURCES:
        (extracts / source).mkdir(parents=True, exist_ok=True)
        for label in labels:
            for path in (generated / source).glob(f"{source}_{label}.csv*"):
                (extracts / source / path.name).symlink_to(path)


@dataclass
class _Run:
    """One scale's benchmark as it goes: its folders and each step's time and peak memory."""

    scale: float
    folder: Path
    progress: bool
    steps: dict[str, runner.Step] = field(default_factory=dict)

    @property
    def warehouse(self) -> Path:
        return self.folder / "warehouse" / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.folder / "published"

    def step(self, name: str, run: Callable[[], runner.Step]) -> None:
        self.steps[name] = run()
        if self.progress:
            print(
                f"  scale {self.scale:g}: {name:<18} {self.steps[name].seconds:8.1f}s  peak {self.steps[name].peak_mib:8,.0f} MiB",
                flush=True,
            )

    def gate_publish_report(self, prefix: str) -> None:
        """validate, publish and pack, as `make run` (prefix "") or `make nightly` (any other) runs them."""
        warehouse, published = self.warehouse, self.published
        self.step(
            f"{prefix}validate",
            lambda: runner.script(
                warehouse,
                "validate",
                "--warehouse",
                str(warehouse),
                "--published",
                str(published),
                *(pipeline.NIGHTLY_VALIDATE if prefix else ()),
            ),
        )
        self.step(
            f"{prefix}publish",
            lambda: runner.script(
                warehouse,
                "publish",
                "--warehouse",
                str(warehouse),
                "--published",
                str(published),
                # as `make nightly` publishes: the dbt docs of the full run carried over
                *(pipeline.NIGHTLY_PUBLISH if prefix else ()),
            ),
        )
        self.step(
            f"{prefix}report",
            lambda: runner.script(
                warehouse, "pack", "--warehouse", str(published / "warehouse.duckdb"), "--out", str(self.folder / "pack.html")
            ),
        )

    def yardsticks(self) -> None:
        """dbt run alone, and the same compiled SQL run straight on a copy of the warehouse."""
        warehouse = self.warehouse
        self.step("dbt_run", lambda: runner.dbt(warehouse, "run", "--full-refresh"))
        direct = self.folder / "direct" / "warehouse.duckdb"
        direct.parent.mkdir()
        shutil.copyfile(warehouse, direct)
        self.step(
            "compiled_sql",
            lambda: runner.script(
                direct,
                "compiled_sql",
                "--warehouse",
                str(direct),
                "--manifest",
                str(warehouse.parent / "target" / "manifest.json"),
            ),
        )
        shutil.rmtree(direct.parent)


def bench_run(scale: float, months: int | str, work: Path, progress: bool = True, yardsticks: bool = True) -> dict[str, Any]:
    """Generate at a scale and time every step; return the figures. Without yardsticks the dbt run
    and compiled-SQL comparison is left out (the pipeline's own steps and read_csv stay)."""
    first, last = months_of(months)
    labels = [month.label for month in month_range(first, last)]
    folder = work / f"scale-{scale:g}"
    shutil.rmtree(folder, ignore_errors=True)
    run = _Run(scale, folder, progress)
    generated, extracts, warehouse = folder / "generated", folder / "extracts", run.warehouse
    warehouse.parent.mkdir(parents=True)
    generate = ["--out", str(generated), "--scale", f"{scale:g}", "--start-month", labels[0], "--end-month", labels[-1]]
    run.step("generate", lambda: runner.script(warehouse, "generate", *generate, "--quiet"))
    link_months(generated, extracts, labels[:-1])
    run.step("load", lambda: runner.script(warehouse, "load", "--raw", str(extracts), "--warehouse", str(warehouse), "--quiet"))
    scratch = folder / "read_csv" / "yardstick.duckdb"
    scratch.parent.mkdir()
    run.step(
        "read_csv", lambda: runner.script(scratch, "read_csv_yardstick", "--raw", str(extracts), "--warehouse", str(scratch))
    )
    shutil.rmtree(scratch.parent)
    run.step("dbt_build", lambda: pipeline.timed_build(warehouse, True))
    work_split = {"dbt_build": dbt_work(warehouse)}
    run.gate_publish_report("")
    rows_loaded = _rows_loaded(warehouse)
    if yardsticks:
        run.yardsticks()
    link_months(generated, extracts, labels[-1:])
    nightly_load = ["--raw", str(extracts), "--warehouse", str(warehouse), *pipeline.NIGHTLY_LOAD, "--quiet"]
    for prefix in ("nightly_", "idle_"):  # the new month, then nothing new
        run.step(f"{prefix}load", lambda: runner.script(warehouse, "load", *nightly_load))
        run.step(f"{prefix}dbt_build", lambda: pipeline.timed_nightly_build(warehouse))
        work_split[f"{prefix}dbt_build"] = dbt_work(warehouse)
        run.gate_publish_report(prefix)
    return _summary(run, labels, rows_loaded, _rows_loaded(warehouse) - rows_loaded, work_split, yardsticks)


def _rows_loaded(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return int(connection.execute("select sum(rows_loaded) from raw.load_audit").fetchone()[0])


def _summary(
    run: _Run, labels: list[str], rows_loaded: int, rows_nightly: int, work_split: dict[str, Any], yardsticks: bool
) -> dict[str, Any]:
    """A scale's figures as docs/benchmarks.md and bench/force.json give them."""
    steps = run.steps
    rows_generated = rows_loaded + rows_nightly
    seconds = {name: round(result.seconds, 1) for name, result in steps.items()}
    return {
        "scale": run.scale,
        "months": len(labels),
        "first_month": labels[0],
        "last_month": labels[-1],
        "rows_generated_and_loaded": int(rows_generated),
        "rows_full_build": int(rows_loaded),
        "rows_nightly": int(rows_nightly),
        "warehouse_gib": round(run.warehouse.stat().st_size / 2**30, 2),
        "seconds": seconds,
        "peak_mib": {name: round(result.peak_mib) for name, result in steps.items()},
        "rows_per_second": {
            "generate": round(rows_generated / steps["generate"].seconds),
            "load": round(rows_loaded / steps["load"].seconds),
            "dbt_build": round(rows_loaded / steps["dbt_build"].seconds),
        },
        "dbt_seconds_by_kind": work_split,
        **({"dbt_over_compiled_sql": round(steps["dbt_run"].seconds / steps["compiled_sql"].seconds, 2)} if yardsticks else {}),
        "load_over_read_csv": round(steps["load"].seconds / steps["read_csv"].seconds, 2),
        "nightly_over_full_build": round(steps["nightly_dbt_build"].seconds / steps["dbt_build"].seconds, 2),
        **{
            f"{kind}_over_full_pipeline": round(
                sum(steps[name].seconds for name in names) / sum(steps[name].seconds for name in PIPELINE), 2
            )
            for kind, names in (("nightly", NIGHTLY), ("idle_nightly", IDLE))
        },
    }


def dbt_work(warehouse: Path) -> dict[str, float]:
    """Seconds dbt's last run spent on models (seeds and snapshot included) and on tests, summed over
    its threads, the run's own elapsed time and its slowest nodes: where a build's time goes."""
    results = json.loads((warehouse.parent / "target" / "run_results.json").read_text())
    split = {"models": 0.0, "tests": 0.0}
    for result in results["results"]:
        split["tests" if result["unique_id"].startswith(("test.", "unit_test.")) else "models"] += result["execution_time"]
    slowest = sorted(results["results"], key=lambda result: result["execution_time"], reverse=True)[:SLOWEST]
    return {
        **{kind: round(seconds, 1) for kind, seconds in split.items()},
        "elapsed": round(results["elapsed_time"], 1),
        "slowest": {result["unique_id"]: round(result["execution_time"], 1) for result in slowest},
    }


def main(argv: list[str] | None = None) -> int:
    settings = load_config()["bench"]
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, action="append", help="run only this scale (repeatable; default: bench.runs)")
    parser.add_argument("--months", help="months of history for the --scale runs: a number, or all")
    parser.add_argument(
        "--work", type=Path, default=PROJECT_ROOT / settings["work_dir"], help="scratch folder (default: %(default)s)"
    )
    parser.add_argument("--keep", action="store_true", help="keep each run's extracts and warehouse (default: removed after)")
    parser.add_argument(
        "--no-yardsticks",
        action="store_true",
        help="leave out the dbt run / compiled SQL comparison (for the national full history)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="machine-readable figures (default: %(default)s)")
    parser.add_argument("--doc", type=Path, default=DOC, help="page to write the figures into (default: %(default)s)")
    args = parser.parse_args(argv)
    configured = {float(run["scale"]): run["months"] for run in settings["runs"]}
    scales = args.scale or list(configured)
    if args.months is not None and args.months != "all" and not (args.months.isdigit() and int(args.months) >= 2):
        parser.error("--months must be a number of months (2 or more: the last is the nightly month) or 'all'")
    runs = []
    started = time.perf_counter()
    for scale in scales:
        months = args.months or configured.get(scale, "all")
        print(f"bench: scale {scale:g}, {months} months -> {args.work}", flush=True)
        try:
            runs.append(
                bench_run(scale, months if months == "all" else int(months), args.work, yardsticks=not args.no_yardsticks)
            )
        except runner.StepFailed as error:
            print(
                f"bench: ERROR at scale {scale:g}: {error}\nbench: its extracts, warehouse and dbt logs are kept in "
                f"{args.work / f'scale-{scale:g}'}",
                file=sys.stderr,
            )
            return 1
        if not args.keep:
            shutil.rmtree(args.work / f"scale-{scale:g}", ignore_errors=True)
        write_doc(write_results(runs, args.results), args.doc)
    print(f"bench: done in {time.perf_counter() - started:.0f}s; figures in {args.results} and {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
