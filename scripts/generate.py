"""Generate SYNTHETIC force extracts: seeded, month by month, into data/raw/<source>/.

Every row is made up. Volumes, mixes and trends follow config/generator.yml, which
is calibrated against the published figures in ../shared/reference/calibration_targets.csv.
Each (month, source) draws from its own random stream, so the same seed gives the same bytes,
and extending the end month never changes the months already generated.

    python -m scripts.generate                      # April 2014 to last month, scale 1
    python -m scripts.generate --scale 45 --out /tmp/national
    python -m scripts.generate --start-month 2019-01 --end-month 2019-03 --no-defects
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import defaultdict, deque
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scripts.contract import load_contract
from scripts.settings import load_config, load_generator_config, raw_data_dir
from scripts.synth.audits import generate_cdi_audits, generate_dqat_assessments, generate_vcc_checks
from scripts.synth.calendar import Month, last_full_month, month_range, parse_month
from scripts.synth.crimes import generate_crimes, generate_outcomes, monthly_crime_means
from scripts.synth.defects import active_rates, inject_defects
from scripts.synth.operations import generate_calls, generate_incidents
from scripts.synth.surveys import generate_survey_responses
from scripts.synth.writer import ExtractWriter

SOURCES = ("crimes", "crime_outcomes", "incidents", "calls", "survey_responses", "cdi_audits", "vcc_checks", "dqat_assessments")
NOTICE = """SYNTHETIC DATA. Every file below this folder was made up by scripts/generate.py
(seed {seed}, scale {scale}, {first} to {last}). No row describes a real crime, call or person.
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    config = load_generator_config()
    parser = argparse.ArgumentParser(
        prog="python -m scripts.generate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=raw_data_dir(), help="folder to write into (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=config["seed"], help="random seed (default: %(default)s)")
    parser.add_argument(
        "--scale", type=float, default=config["scale"], help="volume multiplier; 45 is roughly national (default: %(default)s)"
    )
    parser.add_argument("--start-month", default=config["start_month"], help="first month, YYYY-MM (default: %(default)s)")
    parser.add_argument("--end-month", default=config["end_month"], help="last month, YYYY-MM (default: the last full month)")
    parser.add_argument("--no-defects", action="store_true", help="write clean extracts (no duplicates, unknown codes, ...)")
    parser.add_argument("--no-gzip", action="store_true", help="write plain .csv instead of .csv.gz")
    parser.add_argument("--if-empty", action="store_true", help="do nothing when the folder already holds extracts")
    parser.add_argument("--replace", action="store_true", help="delete the folder's extracts first")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    try:
        args.first = parse_month(args.start_month)
        args.last = parse_month(args.end_month) if args.end_month else last_full_month(date.today())
    except ValueError as error:
        parser.error(str(error))
    return args


def has_extracts(folder: Path) -> bool:
    """True when the folder already holds at least one extract file of any source."""
    return any(next((folder / source).glob(f"{source}_*.csv*"), None) is not None for source in SOURCES)


def generate(
    out: Path, seed: int, scale: float, first: date, last: date, defects: bool = True, gzip: bool = True, progress: bool = True
) -> dict[str, int]:
    """Write the extracts and return rows written per source."""
    settings = load_config()
    config: dict[str, Any] = dict(load_generator_config(), scale=scale)
    contract = load_contract()
    months = month_range(first, last)
    extract_end = np.datetime64(months[-1].end64, "D")
    means = monthly_crime_means(config, months) * scale
    rates = active_rates(config, defects)
    writer = ExtractWriter(out, gzip, settings["csv"])
    pending_outcomes: dict[str, list[pd.DataFrame]] = defaultdict(list)
    recent_crimes: deque[pd.DataFrame] = deque(maxlen=3)
    rows = dict.fromkeys(SOURCES, 0)
    started = time.perf_counter()

    def stream(month: Month, source: str) -> np.random.Generator:
        return np.random.default_rng([seed, month.yyyymm, SOURCES.index(source)])

    def emit(month: Month, source: str, batch: pd.DataFrame) -> None:
        damaged = inject_defects(np.random.default_rng([seed, month.yyyymm, SOURCES.index(source), 99]), source, batch, rates)
        writer.write(contract[source], month.label, damaged)
        rows[source] += len(damaged)

    for position, month in enumerate(months):
        busy = config["seasonality"][month.start.month - 1] * config["lockdown"].get(month.label, 1.0)
        crimes = generate_crimes(stream(month, "crimes"), config, month, means[position])
        emit(month, "crimes", crimes)

        outcomes = generate_outcomes(stream(month, "crime_outcomes"), config, month, crimes)
        outcomes = outcomes[outcomes["outcome_date"].to_numpy() < extract_end]
        for label, part in outcomes.groupby(outcomes["outcome_date"].dt.strftime("%Y-%m"), sort=True):
            pending_outcomes[label].append(part)
        due = pending_outcomes.pop(month.label, [])
        emit(
            month,
            "crime_outcomes",
            _stack(due, outcomes.head(0)).sort_values(["outcome_date", "outcome_reference"], kind="stable"),
        )

        incidents = generate_incidents(stream(month, "incidents"), config, month, crimes, busy)
        emit(month, "incidents", incidents)
        emit(month, "calls", generate_calls(stream(month, "calls"), config, month, busy))
        recent_crimes.append(crimes)
        emit(
            month,
            "survey_responses",
            generate_survey_responses(stream(month, "survey_responses"), config, month, recent_crimes[0]),
        )
        emit(month, "cdi_audits", generate_cdi_audits(stream(month, "cdi_audits"), config, month, incidents))
        emit(month, "vcc_checks", generate_vcc_checks(stream(month, "vcc_checks"), config, month, crimes))
        emit(month, "dqat_assessments", generate_dqat_assessments(stream(month, "dqat_assessments"), config, month))

        if progress and (month.start.month == 3 or month is months[-1]):
            print(f"  generated to {month.label}: {sum(rows.values()):,} rows, {time.perf_counter() - started:.1f}s", flush=True)

    (out / "SYNTHETIC.txt").write_text(NOTICE.format(seed=seed, scale=scale, first=months[0].label, last=months[-1].label))
    return rows


def _stack(parts: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    if not parts:
        return empty
    frame = pd.concat(parts, ignore_index=True)
    frame["outcome_code"] = frame["outcome_code"].astype("category")
    return frame


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.if_empty and has_extracts(args.out):
        print(f"generate: {args.out} already holds extracts; leaving them (use --replace to regenerate)")
        return 0
    if has_extracts(args.out):
        if not args.replace:
            print(f"generate: {args.out} already holds extracts; pass --replace to overwrite them", file=sys.stderr)
            return 2
        for source in SOURCES:
            shutil.rmtree(args.out / source, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(
        f"generate: SYNTHETIC extracts {args.first:%Y-%m} to {args.last:%Y-%m}, seed {args.seed}, scale {args.scale:g} -> {args.out}"
    )
    rows = generate(args.out, args.seed, args.scale, args.first, args.last, not args.no_defects, not args.no_gzip, not args.quiet)
    summary = ", ".join(f"{source} {count:,}" for source, count in rows.items())
    print(f"generate: {sum(rows.values()):,} rows in {time.perf_counter() - started:.1f}s ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
