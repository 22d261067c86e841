"""Benchmark the public-data path at national size: 43 forces x 12 months of data.police.uk files.

SYNTHETIC files: every row is a real row of ../shared/data/police_uk (three forces, six months),
resampled and relabelled as one of the 43 forces and 12 months, so the files have the real
shape, quoting traps and no-LSOA rows, at about the national volume (~4 million rows). Then it
times, each as its own process: loading them (beside one month of sample force extracts), the
full `dbt build`, and the quality gate. Figures go to bench/police_uk.json and docs/benchmarks.md.
They are measurements for the record, never asserted by a test.

    python -m scripts.bench_police_uk                 # ~4M rows
    python -m scripts.bench_police_uk --rows 500000   # a quicker look
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from scripts import runner
from scripts.generate import generate
from scripts.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared" / "data" / "police_uk"
RESULTS = PROJECT_ROOT / "bench" / "police_uk.json"
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
MONTHS = [f"{2024 + (6 + m) // 12}-{(6 + m) % 12 + 1:02d}" for m in range(12)]   # 2024-07 .. 2025-06
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
          "Crime type,Last outcome category,Context")


def make_files(out: Path, total_rows: int) -> int:
    """Write 43 x 12 gzipped street files resampled from the shared ones; return rows written."""
    with (PROJECT_ROOT / "seeds" / "police_uk_forces.csv").open(newline="") as handle:
        forces = [(row["force_slug"], row["force_name"]) for row in csv.DictReader(handle)]
    per_file = max(1, total_rows // (len(forces) * len(MONTHS)))
    connection = duckdb.connect()
    columns = {name: "VARCHAR" for name in HEADER.split(",")}
    connection.execute(f"""
        create table pool as select * from read_csv('{SHARED}/*/*-street.csv.gz', columns = {columns},
            header = true, auto_detect = false, delim = ',', quote = '"', escape = '"')
    """)
    written = 0
    for number, (slug, name) in enumerate(forces):
        for month in MONTHS:
            folder = out / month
            folder.mkdir(parents=True, exist_ok=True)
            connection.execute(f"""
                copy (
                    select
                        case when "Crime ID" is null then null else md5('{slug}{month}' || row_number() over ()) end as "Crime ID",
                        '{month}' as "Month", '{name} Police' as "Reported by", '{name} Police' as "Falls within",
                        "Longitude", "Latitude", "Location", "LSOA code", "LSOA name", "Crime type",
                        "Last outcome category", "Context"
                    from pool using sample reservoir({per_file} rows) repeatable ({number * 100 + int(month[5:])})
                ) to '{folder / f"{month}-{slug}-street.csv.gz"}' (format csv, header true, compression gzip)
            """)
            written += per_file
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_police_uk", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=4_000_000, help="street rows to write in all (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "warehouse" / "bench", help="scratch folder (default: %(default)s)")
    args = parser.parse_args(argv)
    if not SHARED.exists():
        print(f"bench: {SHARED} not found; the benchmark resamples the shared police.uk files", file=sys.stderr)
        return 2
    shutil.rmtree(args.work, ignore_errors=True)
    files, extracts, warehouse = args.work / "police_uk", args.work / "extracts", args.work / "warehouse.duckdb"
    started = time.perf_counter()
    rows = make_files(files, args.rows)
    make_seconds = time.perf_counter() - started
    generate(extracts, seed=1, scale=1.0, first=date(2025, 6, 1), last=date(2025, 6, 1), progress=False)
    size_mb = sum(path.stat().st_size for path in files.rglob("*.gz")) / 1e6
    load = runner.script(warehouse, "load", "--raw", str(extracts), "--warehouse", str(warehouse), "--police-uk", str(files), "--quiet")
    build = runner.dbt(warehouse, "build")
    validate = runner.script(warehouse, "validate", "--warehouse", str(warehouse), "--published", str(args.work / "published"),
                             ok_codes=(0, 1))
    peak_mib = max(load.peak_mib, build.peak_mib, validate.peak_mib)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        loaded = connection.execute("select sum(rows_loaded) from raw.load_audit where source = 'police_uk_street'").fetchone()[0]
    figures = {
        "measured_on": date.today().isoformat(), "machine": runner.machine(), "forces": 43, "months": len(MONTHS),
        "street_rows_written": rows, "street_rows_loaded": int(loaded), "gzip_mb": round(size_mb, 1),
        "seconds": {"make_files": round(make_seconds, 1), "load": round(load.seconds, 1),
                    "dbt_build": round(build.seconds, 1), "validate": round(validate.seconds, 1)},
        "load_rows_per_second": round(loaded / load.seconds),
        "peak_child_rss_mib": round(peak_mib),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    write_doc(figures)
    print(json.dumps(figures, indent=2))
    return 0


def write_doc(figures: dict) -> None:
    seconds = figures["seconds"]
    section = f"""<!-- police_uk:start -->
## Public data at national size (`make bench-police-uk`)

{figures['forces']} forces x {figures['months']} months of data.police.uk street files, SYNTHETIC (real rows of
the shared files resampled and relabelled as each force and month): {figures['street_rows_loaded']:,} rows,
{figures['gzip_mb']} MB gzipped, loaded beside one month of sample force extracts.

| step | seconds |
|---|---|
| load (read, cast, audit, quarantine) | {seconds['load']} |
| `dbt build` (all models and tests, force and public) | {seconds['dbt_build']} |
| quality gate (Great Expectations) | {seconds['validate']} |

Load: {figures['load_rows_per_second']:,} rows a second. Peak memory of any step: {figures['peak_child_rss_mib']:,} MiB.
Measured {figures['measured_on']} on {figures['machine']['cores']} cores ({figures['machine']['cpu']}),
{figures['machine']['memory_gib']} GiB, Python {figures['machine']['python']}, DuckDB {figures['machine']['duckdb']}.
Raw figures: `bench/police_uk.json`.
<!-- police_uk:end -->"""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\nFigures measured by the benchmark commands, never asserted in tests.\n"
    if "<!-- police_uk:start -->" in text:
        start, end = text.index("<!-- police_uk:start -->"), text.index("<!-- police_uk:end -->") + len("<!-- police_uk:end -->")
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
