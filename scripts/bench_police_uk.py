"""Benchmark the public-data path on the real download: every force of data.police.uk.

The files are the real ones in ../shared/data/police_uk_all_forces (41 force ids, January to March
2025, with their gaps: four force areas absent, British Transport Police in January only, repeated
and reused Crime IDs). For more months of volume the real months are repeated under later month
names (2025-04 is January's files again, with the Month field relabelled), so every row keeps its
real shape. A repeat's Crime IDs are new ones (each a SHA-256 of the real ID and the repeat's
number, so the IDs a real month shares with another real month it still shares within its repeat): a
real later month brings new crimes, and under 1% of the real IDs span two months, where an unchanged
repeat would make every ID of a later month a reused one. Then it times, each as its own process,
what `make run POLICE_UK_DIR=... FORCE_EXTRACTS=no` does on every month but the last: load, the full
`dbt build`, the quality gate, publish, and one force's public pack; then the last month arrives and
what `make nightly` does follows: load the new files only, an incremental build whose tests read the
new rows, the gate, publish and the pack; then the same nightly once more with no new file (what a
nightly costs whatever the data). Each step is timed as its own process, with its peak memory.
Figures go to bench/police_uk.json and docs/benchmarks.md. They are measurements for the record,
never asserted by a test.

    python -m scripts.bench_police_uk                 # 7 months: six built, the seventh added nightly
    python -m scripts.bench_police_uk --months 37     # three years, then a month
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from scripts import pipeline, runner
from scripts.settings import PROJECT_ROOT
from scripts.sql_text import literal

SHARED = PROJECT_ROOT.parent / "shared" / "data" / "police_uk_all_forces"
RESULTS = PROJECT_ROOT / "bench" / "police_uk.json"
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)


def month_names(first: str, count: int) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    return [f"{year + (month - 1 + step) // 12}-{(month - 1 + step) % 12 + 1:02d}" for step in range(count)]


def make_files(source: Path, out: Path, months: int) -> int:
    """Copy the real files for as many months as asked, repeating the real months in turn under later
    month names (the Month field relabelled, each Crime ID made the repeat's own); return the street
    rows written."""
    real = sorted(path.name for path in source.iterdir() if path.is_dir())
    connection = duckdb.connect()
    columns = dict.fromkeys(HEADER.split(","), "VARCHAR")
    written = 0
    for step, target in enumerate(month_names(real[0], months)):
        origin = real[step % len(real)]
        (out / target).mkdir(parents=True, exist_ok=True)
        for path in sorted((source / origin).glob("*-street.csv*")):
            name = target + path.name[len(origin) :]
            if target == origin:
                shutil.copy(path, out / target / name)
                written += connection.execute(
                    f"select count(*) from read_csv({literal(path)}, columns = {columns}, header = true, "
                    "auto_detect = false, delim = ',', quote = '\"', escape = '\"')"
                ).fetchone()[0]
                continue
            connection.execute(f"""
                copy (
                    select * replace (
                        {literal(target)} as "Month",
                        sha256("Crime ID" || '#' || {step // len(real)}) as "Crime ID"
                    )
                    from read_csv({literal(path)}, columns = {columns}, header = true, auto_detect = false,
                                  delim = ',', quote = '"', escape = '"')
                ) to {literal(out / target / name)} (format csv, header true, compression gzip)""")
            written += connection.execute(
                f"select count(*) from read_csv({literal(out / target / name)}, columns = {columns}, "
                "header = true, auto_detect = false)"
            ).fetchone()[0]
    return written


STEPS = ("load", "dbt_build", "validate", "publish", "pack")
NIGHTLY = "nightly_"
IDLE = "idle_"  # the nightly once more with no new file: its cost whatever the data


def run_steps(warehouse: Path, files: Path, published: Path, pack: Path, prefix: str) -> dict[str, runner.Step]:
    """The five steps as `make run` (prefix "") or `make nightly` (NIGHTLY or IDLE) runs them on the
    police.uk files alone, each timed as its own process; keyed by step, with the prefix before it."""
    nightly = bool(prefix)
    load = ["--no-force-extracts", "--warehouse", str(warehouse), "--police-uk", str(files), "--quiet"]
    publish = ["--warehouse", str(warehouse), "--published", str(published), *(pipeline.NIGHTLY_PUBLISH if nightly else ())]
    steps = {}
    steps["load"] = runner.script(warehouse, "load", *load, *(pipeline.NIGHTLY_LOAD if nightly else ()))
    steps["dbt_build"] = pipeline.timed_nightly_build(warehouse) if nightly else pipeline.timed_build(warehouse, True)
    validate = ["--warehouse", str(warehouse), "--published", str(published), *(pipeline.NIGHTLY_VALIDATE if nightly else ())]
    steps["validate"] = runner.script(warehouse, "validate", *validate)
    steps["publish"] = runner.script(warehouse, "publish", *publish)
    steps["pack"] = runner.script(
        warehouse, "pack", "--warehouse", str(published / "warehouse.duckdb"), "--force", "kent", "--out", str(pack)
    )
    return {f"{prefix}{name}": step for name, step in steps.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench_police_uk", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--months",
        type=int,
        default=7,
        help="months of files, the real ones repeated; the last is the nightly's (default: %(default)s)",
    )
    parser.add_argument("--source", type=Path, default=SHARED, help="the real download (default: %(default)s)")
    parser.add_argument(
        "--work", type=Path, default=PROJECT_ROOT / "warehouse" / "bench", help="scratch folder (default: %(default)s)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON figures (default: %(default)s)")
    parser.add_argument("--doc", type=Path, default=DOC, help="page to write the figures into (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"bench: {args.source} not found; the benchmark runs on the shared all-forces download", file=sys.stderr)
        return 2
    shutil.rmtree(args.work, ignore_errors=True)
    made, files = args.work / "made", args.work / "police_uk"
    warehouse, published = args.work / "warehouse.duckdb", args.work / "published"
    started = time.perf_counter()
    rows = make_files(args.source, made, args.months)
    make_seconds = time.perf_counter() - started
    size_mb = sum(path.stat().st_size for path in made.rglob("*.gz")) / 1e6
    months = sorted(path.name for path in made.iterdir())
    files.mkdir()
    for month in months[:-1]:  # moved, not linked: the loader's discovery does not follow links
        shutil.move(made / month, files / month)
    steps = run_steps(warehouse, files, published, args.work / "pack-kent.html", "")
    shutil.move(made / months[-1], files / months[-1])
    for prefix in (NIGHTLY, IDLE):  # the new month, then nothing new
        steps.update(run_steps(warehouse, files, published, args.work / "pack-kent.html", prefix))
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        loaded, forces = connection.execute(
            "select sum(rows_loaded), count(distinct regexp_extract(source_file, "
            "'\\d{4}-\\d{2}-(.+)-street', 1)) from raw.load_audit "
            "where source = 'police_uk_street'"
        ).fetchone()
        coverage = connection.execute(
            "select forces_counted, forces_expected from marts.police_uk_area_totals "
            "where geography = 'England and Wales' and period_window = 'month' "
            "order by period_month desc limit 1"
        ).fetchone()
    full, nightly, idle = (sum(steps[f"{prefix}{name}"].seconds for name in STEPS) for prefix in ("", NIGHTLY, IDLE))
    figures = {
        "measured_on": date.today().isoformat(),
        "machine": runner.machine(),
        "force_ids": int(forces),
        "months": args.months,
        "england_and_wales_coverage": f"{coverage[0]} of {coverage[1]}",
        "street_rows_written": rows,
        "street_rows_loaded": int(loaded),
        "gzip_mb": round(size_mb, 1),
        "seconds": {"make_files": round(make_seconds, 1), **{name: round(step.seconds, 1) for name, step in steps.items()}},
        "peak_mib": {name: round(step.peak_mib) for name, step in steps.items()},
        "load_rows_per_second": round(loaded / steps["load"].seconds),
        "nightly_over_full_build": round(steps[f"{NIGHTLY}dbt_build"].seconds / steps["dbt_build"].seconds, 2),
        "nightly_over_full_pipeline": round(nightly / full, 2),
        "idle_nightly_over_full_pipeline": round(idle / full, 2),
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(figures, indent=2) + "\n")
    write_doc(figures, args.doc)
    print(json.dumps(figures, indent=2))
    return 0


STEP_LABELS = {
    "load": "load (read, cast, audit, quarantine)",
    "dbt_build": "`dbt build` (all models and tests)",
    "validate": "quality gate (Great Expectations)",
    "publish": "publish (copy, Parquet, Data Docs)",
    "pack": "public pack for one force (`make pack FORCE=kent`)",
}
NIGHTLY_LABELS = {
    "load": "load the new month only",
    "dbt_build": "incremental `dbt build` (tests on the new rows)",
    "validate": "quality gate",
    "publish": "publish",
    "pack": "public pack for one force",
}


def write_doc(figures: dict, doc: Path = DOC) -> None:
    seconds, peaks = figures["seconds"], figures["peak_mib"]
    rows = "\n".join(
        [f"| {label} | {seconds[step]} | {peaks[step]:,} |" for step, label in STEP_LABELS.items()]
        + [
            f"| nightly: {label} | {seconds[NIGHTLY + step]} | {peaks[NIGHTLY + step]:,} |"
            for step, label in NIGHTLY_LABELS.items()
        ]
        + [
            f"| idle nightly (no new file): {label} | {seconds[IDLE + step]} | {peaks[IDLE + step]:,} |"
            for step, label in NIGHTLY_LABELS.items()
            if IDLE + step in seconds
        ]
    )
    section = f"""<!-- police_uk:start -->
## Public data: the real all-forces download (`make bench-police-uk`)

The real data.police.uk street files of every force in `../shared/data/police_uk_all_forces`
({figures["force_ids"]} force ids; January to March 2025, repeated under later month names with the
Month field relabelled and the Crime IDs made new to make {figures["months"]} months): {figures["street_rows_loaded"]:,} rows,
{figures["gzip_mb"]} MB gzipped. Every month but the last is run as `make run POLICE_UK_DIR=...
FORCE_EXTRACTS=no` runs them; then the last month is added as `make nightly` adds it.
England and Wales coverage in the latest month: {figures["england_and_wales_coverage"]} force areas.

| step | seconds | peak memory (MiB) |
|---|---|---|
{rows}

Nightly build / full build: {figures["nightly_over_full_build"]}x; nightly pipeline / full pipeline (load, build,
gate, publish, pack): {figures["nightly_over_full_pipeline"]}x; the same nightly with no new file (its cost
whatever the data, the floor under that ratio): {figures.get("idle_nightly_over_full_pipeline", "–")}x.
Load: {figures["load_rows_per_second"]:,} rows a second. Preparing the files took {seconds["make_files"]} s (not part of a run).
Measured {figures["measured_on"]} on {figures["machine"]["cores"]} cores ({figures["machine"]["cpu"]}),
{figures["machine"]["memory_gib"]} GiB, Python {figures["machine"]["python"]}, DuckDB {figures["machine"]["duckdb"]}.
Raw figures: `bench/police_uk.json`.
<!-- police_uk:end -->"""
    text = (
        doc.read_text()
        if doc.exists()
        else "# Benchmarks\n\nFigures measured by the benchmark commands, never asserted in tests.\n"
    )
    if "<!-- police_uk:start -->" in text:
        start, end = text.index("<!-- police_uk:start -->"), text.index("<!-- police_uk:end -->") + len("<!-- police_uk:end -->")
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    doc.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
