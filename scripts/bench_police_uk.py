"""Benchmark the public-data path on the real download: every force of data.police.uk.

The files are the real ones in ../shared/data/police_uk_all_forces (41 force ids, January to March
2025, with their gaps: four force areas absent, British Transport Police in January only, repeated
and reused Crime IDs). For more months of volume the real months are repeated under later month
names (2025-04 is January's files again, with only the Month field relabelled), so every row keeps
its real shape. Then it times, each as its own process, what `make run POLICE_UK_DIR=...
FORCE_EXTRACTS=no` does: load, the full `dbt build`, the quality gate, publish, and one force's
public pack; with the peak memory of each. Figures go to bench/police_uk.json and docs/benchmarks.md.
They are measurements for the record, never asserted by a test.

    python -m scripts.bench_police_uk                 # 12 months (about 4 million rows)
    python -m scripts.bench_police_uk --months 36     # three years
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
    month names (only the Month field changes); return the street rows written."""
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
                    select * replace ({literal(target)} as "Month")
                    from read_csv({literal(path)}, columns = {columns}, header = true, auto_detect = false,
                                  delim = ',', quote = '"', escape = '"')
                ) to {literal(out / target / name)} (format csv, header true, compression gzip)""")
            written += connection.execute(
                f"select count(*) from read_csv({literal(out / target / name)}, columns = {columns}, "
                "header = true, auto_detect = false)"
            ).fetchone()[0]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench_police_uk", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--months", type=int, default=12, help="months of files, the real ones repeated (default: %(default)s)")
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
    files, warehouse, published = args.work / "police_uk", args.work / "warehouse.duckdb", args.work / "published"
    started = time.perf_counter()
    rows = make_files(args.source, files, args.months)
    make_seconds = time.perf_counter() - started
    size_mb = sum(path.stat().st_size for path in files.rglob("*.gz")) / 1e6
    steps = {
        "load": runner.script(
            warehouse, "load", "--no-force-extracts", "--warehouse", str(warehouse), "--police-uk", str(files), "--quiet"
        ),
        "dbt_build": pipeline.timed_build(warehouse, False),
        "validate": runner.script(warehouse, "validate", "--warehouse", str(warehouse), "--published", str(published)),
        "publish": runner.script(warehouse, "publish", "--warehouse", str(warehouse), "--published", str(published)),
        "pack": runner.script(
            warehouse,
            "pack",
            "--warehouse",
            str(published / "warehouse.duckdb"),
            "--force",
            "kent",
            "--out",
            str(args.work / "pack-kent.html"),
        ),
    }
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


def write_doc(figures: dict, doc: Path = DOC) -> None:
    seconds, peaks = figures["seconds"], figures["peak_mib"]
    rows = "\n".join(f"| {label} | {seconds[step]} | {peaks[step]:,} |" for step, label in STEP_LABELS.items())
    section = f"""<!-- police_uk:start -->
## Public data: the real all-forces download (`make bench-police-uk`)

The real data.police.uk street files of every force in `../shared/data/police_uk_all_forces`
({figures["force_ids"]} force ids; January to March 2025, repeated under later month names with only the
Month field relabelled to make {figures["months"]} months): {figures["street_rows_loaded"]:,} rows,
{figures["gzip_mb"]} MB gzipped, run as `make run POLICE_UK_DIR=... FORCE_EXTRACTS=no` runs them.
England and Wales coverage in the latest month: {figures["england_and_wales_coverage"]} force areas.

| step | seconds | peak memory (MiB) |
|---|---|---|
{rows}

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
