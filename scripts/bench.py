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
  publish and the pack, against the full pipeline (load, full build, gate, publish, pack).

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
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from scripts import runner
from scripts.generate import SOURCES
from scripts.months import add_months, last_full_month, parse_month
from scripts.settings import PROJECT_ROOT, load_config, load_generator_config
from scripts.synth.calendar import month_range

RESULTS = PROJECT_ROOT / "bench" / "force.json"
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
STEP_LABELS = {
    "generate": "generate SYNTHETIC extracts",
    "load": "load (read, cast, audit, quarantine)",
    "read_csv": "yardstick: DuckDB read_csv of the same files (scripts/read_csv_yardstick.py)",
    "dbt_build": "`dbt build --full-refresh` (seeds, models, snapshot, tests)",
    "validate": "quality gate (Great Expectations)",
    "publish": "publish (copy, Parquet, Data Docs)",
    "report": "report (the pack)",
    "dbt_run": "yardstick: `dbt run --full-refresh` (models only)",
    "compiled_sql": "yardstick: the same compiled SQL, one DuckDB connection",
    "nightly_load": "nightly: load the new month only",
    "nightly_dbt_build": "nightly: incremental `dbt build` (tests on the new rows)",
    "nightly_validate": "nightly: quality gate",
    "nightly_publish": "nightly: publish",
    "nightly_report": "nightly: report (the pack)",
}
PIPELINE = ("load", "dbt_build", "validate", "publish", "report")
NIGHTLY = tuple(f"nightly_{name}" for name in PIPELINE)
# The nightly build as `make nightly` runs it (Makefile): tests on the rows loaded since the last
# fully checked build, unit tests left to CI and `make run`, seeds not reloaded.
NIGHTLY_BUILD = ("build", "--exclude", "resource_type:unit_test", "resource_type:seed")
NIGHTLY_VARS = {"row_checks": "new"}
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


def bench_run(scale: float, months: int | str, work: Path, progress: bool = True, yardsticks: bool = True) -> dict[str, Any]:
    """Generate at a scale and time every step; return the figures. Without yardsticks the dbt run
    and compiled-SQL comparison is left out (the pipeline's own steps and read_csv stay)."""
    first, last = months_of(months)
    labels = [month.label for month in month_range(first, last)]
    folder = work / f"scale-{scale:g}"
    shutil.rmtree(folder, ignore_errors=True)
    generated, extracts, published = folder / "generated", folder / "extracts", folder / "published"
    warehouse = folder / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    steps: dict[str, runner.Step] = {}

    def step(name: str, run: Any) -> None:
        steps[name] = run()
        if progress:
            print(f"  scale {scale:g}: {name:<18} {steps[name].seconds:8.1f}s  peak {steps[name].peak_mib:8,.0f} MiB", flush=True)

    step(
        "generate",
        lambda: runner.script(
            warehouse,
            "generate",
            "--out",
            str(generated),
            "--scale",
            f"{scale:g}",
            "--start-month",
            labels[0],
            "--end-month",
            labels[-1],
            "--quiet",
        ),
    )
    link_months(generated, extracts, labels[:-1])
    step("load", lambda: runner.script(warehouse, "load", "--raw", str(extracts), "--warehouse", str(warehouse), "--quiet"))
    scratch = folder / "read_csv" / "yardstick.duckdb"
    scratch.parent.mkdir()
    step("read_csv", lambda: runner.script(scratch, "read_csv_yardstick", "--raw", str(extracts), "--warehouse", str(scratch)))
    shutil.rmtree(scratch.parent)
    step("dbt_build", lambda: runner.dbt(warehouse, "build", "--full-refresh"))
    work_split = {"dbt_build": dbt_work(warehouse)}

    def gate_publish_report(prefix: str) -> None:
        step(
            f"{prefix}validate",
            lambda: runner.script(warehouse, "validate", "--warehouse", str(warehouse), "--published", str(published)),
        )
        step(
            f"{prefix}publish",
            lambda: runner.script(
                warehouse,
                "publish",
                "--warehouse",
                str(warehouse),
                "--published",
                str(published),
                # as `make nightly` publishes: the dbt docs of the full run carried over
                *(("--keep-dbt-docs",) if prefix else ()),
            ),
        )
        step(
            f"{prefix}report",
            lambda: runner.script(
                warehouse, "pack", "--warehouse", str(published / "warehouse.duckdb"), "--out", str(folder / "pack.html")
            ),
        )

    gate_publish_report("")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows_loaded = connection.execute("select sum(rows_loaded) from raw.load_audit").fetchone()[0]
    if yardsticks:
        step("dbt_run", lambda: runner.dbt(warehouse, "run", "--full-refresh"))
        direct = folder / "direct" / "warehouse.duckdb"
        direct.parent.mkdir()
        shutil.copyfile(warehouse, direct)
        step(
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
    link_months(generated, extracts, labels[-1:])
    step(
        "nightly_load",
        lambda: runner.script(
            warehouse, "load", "--raw", str(extracts), "--warehouse", str(warehouse), "--new-files-only", "--quiet"
        ),
    )
    step("nightly_dbt_build", lambda: runner.dbt(warehouse, *NIGHTLY_BUILD, vars_=NIGHTLY_VARS))
    work_split["nightly_dbt_build"] = dbt_work(warehouse)
    gate_publish_report("nightly_")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows_nightly = connection.execute("select sum(rows_loaded) from raw.load_audit").fetchone()[0] - rows_loaded
    rows_generated = rows_loaded + rows_nightly
    seconds = {name: round(result.seconds, 1) for name, result in steps.items()}
    return {
        "scale": scale,
        "months": len(labels),
        "first_month": labels[0],
        "last_month": labels[-1],
        "rows_generated_and_loaded": int(rows_generated),
        "rows_full_build": int(rows_loaded),
        "rows_nightly": int(rows_nightly),
        "warehouse_gib": round(warehouse.stat().st_size / 2**30, 2),
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
        "nightly_over_full_pipeline": round(
            sum(steps[name].seconds for name in NIGHTLY) / sum(steps[name].seconds for name in PIPELINE), 2
        ),
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


def write_results(runs: list[dict[str, Any]], results: Path = RESULTS) -> dict[str, Any]:
    """Merge the runs into bench/force.json (runs at other scales are kept) and return it all."""
    previous = json.loads(results.read_text()) if results.exists() else {"runs": []}
    kept = [run for run in previous["runs"] if run_key(run) not in {run_key(new) for new in runs}]
    figures = {
        "measured_on": date.today().isoformat(),
        "machine": runner.machine(),
        "runs": sorted(
            kept + [dict(run, measured_on=date.today().isoformat(), machine=runner.machine()) for run in runs],
            key=run_key,
        ),
    }
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def run_key(run: dict[str, Any]) -> tuple[float, int]:
    """A run is kept per scale and length of history (scale 45 over 36 months and over all of it)."""
    return run["scale"], run["months"]


def _ratio(run: dict[str, Any], key: str) -> str:
    return f"{run[key]}x" if key in run else "–"


def _timing(run: dict[str, Any], name: str) -> str:
    """A step's seconds and peak memory, or a dash for a run measured before the step was added."""
    if name not in run["seconds"]:
        return "–"
    return f"{run['seconds'][name]:,} s ({run['peak_mib'][name]:,} MiB)"


def write_doc(figures: dict[str, Any], doc: Path = DOC) -> None:
    """The force section of docs/benchmarks.md, between its markers."""
    runs = figures["runs"]
    header = "| step | " + " | ".join(f"scale {run['scale']:g}, {run['months']} months" for run in runs) + " |"
    rule = "|---|" + "---|" * len(runs)
    lines = [header, rule]
    for name, label in STEP_LABELS.items():
        lines.append(f"| {label} | " + " | ".join(_timing(run, name) for run in runs) + " |")
    facts = [
        ("months of history", lambda run: f"{run['months']} ({run['first_month']} to {run['last_month']})"),
        ("rows (all sources)", lambda run: f"{run['rows_generated_and_loaded']:,}"),
        ("rows in the nightly month", lambda run: f"{run['rows_nightly']:,}"),
        ("warehouse file", lambda run: f"{run['warehouse_gib']} GiB"),
        (
            "rows a second: generate / load / dbt build",
            lambda run: " / ".join(f"{run['rows_per_second'][key]:,}" for key in ("generate", "load", "dbt_build")),
        ),
        (
            "dbt build, full: models / tests (s, summed over threads)",
            lambda run: (
                f"{run['dbt_seconds_by_kind']['dbt_build']['models']} / {run['dbt_seconds_by_kind']['dbt_build']['tests']}"
            ),
        ),
        (
            "dbt build, nightly: models / tests (s, summed over threads)",
            lambda run: (
                f"{run['dbt_seconds_by_kind']['nightly_dbt_build']['models']} / "
                f"{run['dbt_seconds_by_kind']['nightly_dbt_build']['tests']}"
            ),
        ),
        ("load / DuckDB read_csv of the same files", lambda run: _ratio(run, "load_over_read_csv")),
        ("dbt run / compiled SQL direct", lambda run: _ratio(run, "dbt_over_compiled_sql")),
        ("nightly incremental build / full build", lambda run: _ratio(run, "nightly_over_full_build")),
        (
            "nightly pipeline / full pipeline (load, build, gate, publish, pack)",
            lambda run: _ratio(run, "nightly_over_full_pipeline"),
        ),
        ("measured on", lambda run: f"{run['measured_on']}, {run['machine']['cores']} cores, {run['machine']['memory_gib']} GiB"),
    ]
    for label, value in facts:
        lines.append(f"| {label} | " + " | ".join(value(run) for run in runs) + " |")
    machine = figures["machine"]
    section = "\n".join(
        [
            "<!-- force:start -->",
            "## The force pipeline at scale 1, 10 and 45 (`make bench`)",
            "",
            "SYNTHETIC extracts (scripts/generate.py) at each scale; every step run as its own process, wall time",
            "with the step's peak memory (resident set) in brackets. The full build is on every month but the",
            "last; the nightly steps then add the last month (late outcomes for older crimes included).",
            "",
            *lines,
            "",
            f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, Python {machine['python']},",
            f"DuckDB {machine['duckdb']}; DuckDB limited to 8GB of memory and 2 threads (profiles/profiles.yml).",
            "Raw figures: `bench/force.json`.",
            "<!-- force:end -->",
        ]
    )
    text = (
        doc.read_text()
        if doc.exists()
        else "# Benchmarks\n\nFigures measured by the benchmark commands, never asserted in tests.\n"
    )
    if "<!-- force:start -->" in text:
        start, end = text.index("<!-- force:start -->"), text.index("<!-- force:end -->") + len("<!-- force:end -->")
        text = text[:start] + section + text[end:]
    else:
        heading_end = text.index("\n\n", text.index("# Benchmarks")) + 2 if "# Benchmarks" in text else 0
        text = text[:heading_end] + section + "\n\n" + text[heading_end:]
    doc.write_text(text)


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
