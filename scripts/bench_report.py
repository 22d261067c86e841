"""The force benchmark's figures written down: bench/force.json (runs at other scales kept) and
the force section of docs/benchmarks.md (scripts/bench.py measures them)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from scripts import runner
from scripts.settings import PROJECT_ROOT, load_generator_config

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
    "idle_load": "idle nightly (no new file): load",
    "idle_dbt_build": "idle nightly: incremental `dbt build`",
    "idle_validate": "idle nightly: quality gate",
    "idle_publish": "idle nightly: publish",
    "idle_report": "idle nightly: report (the pack)",
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
    """A run is kept per scale and length of history (scale 45 over 36 months and over all of it). A
    run over the whole history is one whatever its months: a month later it replaces the last one
    (its months are 0 here, so it sorts first)."""
    whole = run["first_month"] == str(load_generator_config()["start_month"])
    return run["scale"], 0 if whole else run["months"]


def _ratio(run: dict[str, Any], key: str) -> str:
    return f"{run[key]}x" if key in run else "–"


def _timing(run: dict[str, Any], name: str) -> str:
    """A step's seconds and peak memory, or a dash for a run measured before the step was added."""
    if name not in run["seconds"]:
        return "–"
    return f"{run['seconds'][name]:,} s ({run['peak_mib'][name]:,} MiB)"


def _work(run: dict[str, Any], build: str) -> str:
    """A dbt build's seconds on models and on tests, or a dash for a run measured before it was."""
    work = run["dbt_seconds_by_kind"].get(build)
    return f"{work['models']} / {work['tests']}" if work else "–"


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
        ("dbt build, full: models / tests (s, summed over threads)", lambda run: _work(run, "dbt_build")),
        ("dbt build, nightly: models / tests (s, summed over threads)", lambda run: _work(run, "nightly_dbt_build")),
        ("dbt build, idle nightly: models / tests (s, summed over threads)", lambda run: _work(run, "idle_dbt_build")),
        ("load / DuckDB read_csv of the same files", lambda run: _ratio(run, "load_over_read_csv")),
        ("dbt run / compiled SQL direct", lambda run: _ratio(run, "dbt_over_compiled_sql")),
        ("nightly incremental build / full build", lambda run: _ratio(run, "nightly_over_full_build")),
        (
            "nightly pipeline / full pipeline (load, build, gate, publish, pack)",
            lambda run: _ratio(run, "nightly_over_full_pipeline"),
        ),
        ("idle nightly pipeline / full pipeline (the floor)", lambda run: _ratio(run, "idle_nightly_over_full_pipeline")),
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
            "last; the nightly steps then add the last month (late outcomes for older crimes included), and the",
            "idle nightly runs them once more with no new file: what a nightly costs whatever the data.",
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
