"""Generate SYNTHETIC force extracts: seeded, month by month, into data/raw/<source>/.

Every row is made up. Volumes, mixes and trends follow config/generator.yml, which
is calibrated against the published figures in ../shared/reference/calibration_targets.csv.
Each (month, source) draws from its own random stream, so the same seed gives the same bytes,
extending the end month never changes the months already generated, and months can be made in
parallel (chunks of months on worker processes) with the same bytes as one process.

    python -m scripts.generate                      # April 2014 to last month, scale 1
    python -m scripts.generate --scale 45 --out /tmp/national
    python -m scripts.generate --start-month 2019-01 --end-month 2019-03 --no-defects
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections import defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scripts.contract import load_contract
from scripts.months import last_full_month, parse_month
from scripts.settings import load_config, load_generator_config, raw_data_dir
from scripts.synth.audits import generate_cdi_audits, generate_dqat_assessments, generate_vcc_checks
from scripts.synth.calendar import month_range
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
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes making months (default: generate.workers in config/generator.yml, 0 = one per core); "
        "the bytes are the same for any number",
    )
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    if args.workers is not None and args.workers < 0:
        parser.error("--workers must be 0 (one per core) or more")
    try:
        args.first = parse_month(args.start_month)
        args.last = parse_month(args.end_month) if args.end_month else last_full_month(date.today())
    except ValueError as error:
        parser.error(str(error))
    return args


def has_extracts(folder: Path) -> bool:
    """True when the folder already holds at least one extract file of any source."""
    return any(next((folder / source).glob(f"{source}_*.csv*"), None) is not None for source in SOURCES)


@dataclass(frozen=True)
class Run:
    """What every month of a run is drawn from: the same in the parent and in each worker."""

    out: Path
    seed: int
    scale: float
    first: date
    last: date
    defects: bool
    gzip: bool


@dataclass
class ChunkResult:
    """A worker's months: rows written per source, and the outcomes it drew, by the month they fall in."""

    rows: dict[str, int]
    outcomes: list[tuple[str, pd.DataFrame]] = field(default_factory=list)


class MonthMaker:
    """Draws and writes a run's months. Each (month, source) has its own random stream, so any
    month can be made in any process and the bytes are the same."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.config: dict[str, Any] = dict(load_generator_config(), scale=run.scale)
        self.contract = load_contract()
        self.months = month_range(run.first, run.last)
        self.extract_end = np.datetime64(self.months[-1].end64, "D")
        self.means = monthly_crime_means(self.config, self.months) * run.scale
        self.rates = active_rates(self.config, run.defects)
        self.writer = ExtractWriter(run.out, run.gzip, load_config()["csv"])

    def stream(self, position: int, source: str) -> np.random.Generator:
        return np.random.default_rng([self.run.seed, self.months[position].yyyymm, SOURCES.index(source)])

    def emit(self, position: int, source: str, batch: pd.DataFrame) -> int:
        month = self.months[position]
        rng = np.random.default_rng([self.run.seed, month.yyyymm, SOURCES.index(source), 99])
        damaged = inject_defects(rng, source, batch, self.rates)
        self.writer.write(self.contract[source], month.label, damaged)
        return len(damaged)

    def crimes(self, position: int) -> pd.DataFrame:
        return generate_crimes(self.stream(position, "crimes"), self.config, self.months[position], self.means[position])

    def chunk(self, start: int, stop: int) -> ChunkResult:
        """Months start..stop-1, every source but the outcomes, which come back to be written in
        the month they fall in. The survey samples the crimes of two months before (the first
        month's while there are none), drawn again here when they precede the chunk."""
        result = ChunkResult(dict.fromkeys(SOURCES, 0))
        recent = deque((self.crimes(position) for position in range(max(start - 2, 0), start)), maxlen=3)
        for position in range(start, stop):
            month = self.months[position]
            busy = self.config["seasonality"][month.start.month - 1] * self.config["lockdown"].get(month.label, 1.0)
            crimes = self.crimes(position)
            result.rows["crimes"] += self.emit(position, "crimes", crimes)
            outcomes = generate_outcomes(self.stream(position, "crime_outcomes"), self.config, month, crimes)
            outcomes = outcomes[outcomes["outcome_date"].to_numpy() < self.extract_end]
            result.outcomes += list(outcomes.groupby(outcomes["outcome_date"].dt.strftime("%Y-%m"), sort=True))
            incidents = generate_incidents(self.stream(position, "incidents"), self.config, month, crimes, busy)
            result.rows["incidents"] += self.emit(position, "incidents", incidents)
            calls = generate_calls(self.stream(position, "calls"), self.config, month, busy)
            result.rows["calls"] += self.emit(position, "calls", calls)
            recent.append(crimes)
            surveys = generate_survey_responses(self.stream(position, "survey_responses"), self.config, month, recent[0])
            result.rows["survey_responses"] += self.emit(position, "survey_responses", surveys)
            audits = generate_cdi_audits(self.stream(position, "cdi_audits"), self.config, month, incidents)
            result.rows["cdi_audits"] += self.emit(position, "cdi_audits", audits)
            checks = generate_vcc_checks(self.stream(position, "vcc_checks"), self.config, month, crimes)
            result.rows["vcc_checks"] += self.emit(position, "vcc_checks", checks)
            assessments = generate_dqat_assessments(self.stream(position, "dqat_assessments"), self.config, month)
            result.rows["dqat_assessments"] += self.emit(position, "dqat_assessments", assessments)
        return result


_worker_maker: MonthMaker | None = None


def _start_worker(run: Run) -> None:
    global _worker_maker
    _worker_maker = MonthMaker(run)


def _make_chunk(bounds: tuple[int, int]) -> ChunkResult:
    assert _worker_maker is not None, "worker not started"
    return _worker_maker.chunk(*bounds)


def chunks(months: int, workers: int, size: int) -> list[tuple[int, int]]:
    """Consecutive months in chunks of `size` (one chunk when there is one worker)."""
    step = months if workers == 1 else max(1, size)
    return [(start, min(start + step, months)) for start in range(0, months, step)]


def generate(
    out: Path,
    seed: int,
    scale: float,
    first: date,
    last: date,
    defects: bool = True,
    gzip: bool = True,
    progress: bool = True,
    workers: int | None = None,
    chunk_months: int | None = None,
) -> dict[str, int]:
    """Write the extracts and return rows written per source. Months are made in chunks by
    `workers` processes (generate.workers in config/generator.yml; 0: one per core); this process
    writes each month's outcomes once every month before it is made, so the bytes never depend on
    the number of workers."""
    run = Run(out, seed, scale, first, last, defects, gzip)
    maker = MonthMaker(run)
    settings = maker.config["generate"]
    workers = workers or settings["workers"] or os.cpu_count() or 1
    bounds = chunks(len(maker.months), workers, chunk_months or settings["chunk_months"])
    rows = dict.fromkeys(SOURCES, 0)
    pending: dict[str, list[pd.DataFrame]] = defaultdict(list)
    started = time.perf_counter()
    with ExitStack() as stack:
        if workers > 1 and len(bounds) > 1:
            pool = stack.enter_context(
                ProcessPoolExecutor(
                    min(workers, len(bounds)), mp_context=get_context("spawn"), initializer=_start_worker, initargs=(run,)
                )
            )
            results = pool.map(_make_chunk, bounds)
        else:
            results = (maker.chunk(*chunk) for chunk in bounds)
        for (start, stop), result in zip(bounds, results, strict=True):
            for source, count in result.rows.items():
                rows[source] += count
            for label, part in result.outcomes:
                pending[label].append(part)
            for position in range(start, stop):
                due = pending.pop(maker.months[position].label, [])
                empty = result.outcomes[0][1].head(0) if result.outcomes else _no_outcomes(maker, position)
                batch = _stack(due, empty).sort_values(["outcome_date", "outcome_reference"], kind="stable")
                rows["crime_outcomes"] += maker.emit(position, "crime_outcomes", batch)
            if progress:
                print(
                    f"  generated to {maker.months[stop - 1].label}: {sum(rows.values()):,} rows, "
                    f"{time.perf_counter() - started:.1f}s",
                    flush=True,
                )
    (out / "SYNTHETIC.txt").write_text(
        NOTICE.format(seed=seed, scale=scale, first=maker.months[0].label, last=maker.months[-1].label)
    )
    return rows


def _no_outcomes(maker: MonthMaker, position: int) -> pd.DataFrame:
    """An empty outcomes frame with the columns and types of a drawn one."""
    crimes = maker.crimes(position).head(0)
    return generate_outcomes(maker.stream(position, "crime_outcomes"), maker.config, maker.months[position], crimes).head(0)


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
    rows = generate(
        args.out,
        args.seed,
        args.scale,
        args.first,
        args.last,
        not args.no_defects,
        not args.no_gzip,
        not args.quiet,
        workers=args.workers,
    )
    summary = ", ".join(f"{source} {count:,}" for source, count in rows.items())
    print(f"generate: {sum(rows.values()):,} rows in {time.perf_counter() - started:.1f}s ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
