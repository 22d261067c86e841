"""The pipeline: its steps in order, the command each runs, and the one place a step runs dbt.

`make run`, `make nightly` and each step run alone (`make load`, `make build`, ...) call this module
under the warehouse's lock; the benchmark (scripts/bench.py) and the as-at build take their dbt
build from it too. Every value reaches a program as one argument, never as shell text.

    python -m scripts.pipeline run                      # generate (if empty), load, build, validate, publish, pack
    python -m scripts.pipeline nightly                  # new extracts only, incremental build, gate, publish, pack
    python -m scripts.pipeline build --full-refresh     # one step
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from scripts import build_scope, runner
from scripts.load import full_refresh_marker
from scripts.settings import PROJECT_ROOT, raw_data_dir, warehouse_path

RUN = ("generate", "load", "build", "validate", "publish", "pack")
NIGHTLY = tuple(step for step in RUN if step != "generate")  # the extracts are a force's own
STEPS = (*RUN, "test-dbt", "docs")

# The nightly run: only new or re-exported extracts are loaded; its build builds only the nodes new
# rows reach or whose code changed (scripts/build_scope.py) and its tests read the rows loaded since
# the last fully checked build (macros/row_checks.sql); its unit tests and seeds are left to CI
# and `make run` (code and reference data do not change overnight); the published dbt docs are
# carried over. A night with nothing new gives the warehouse no new build identity, and then the
# gate and publish, finding that build already gated and published by the same checks and code, do
# nothing (scripts/already_published.py).
NIGHTLY_LOAD = ("--new-files-only",)
NIGHTLY_ROW_CHECKS = "new"
ROW_CHECKS_VARIABLE = "DBT_ROW_CHECKS"  # read by macros/row_checks.sql
# a resource-type exclusion, not a node one: the build still covers every model, so when its tests
# all pass the row-checks watermark moves (macros/row_checks.sql)
NIGHTLY_BUILD = ("--exclude-resource-type", "unit_test", "seed")
NIGHTLY_VALIDATE = ("--skip-if-published",)
NIGHTLY_PUBLISH = ("--keep-dbt-docs", "--skip-if-published")


@dataclass(frozen=True)
class Options:
    """What a run is given (the make variables of the same names)."""

    warehouse: Path
    raw: Path
    police_uk: Path | None = None
    force_extracts: bool = True
    month: str | None = None
    force: str | None = None
    full_refresh: bool = False
    row_checks: str | None = None
    new_rows_only: bool = False  # build only the nodes new rows reach (the nightly, reading new rows)
    load_args: tuple[str, ...] = ()
    build_args: tuple[str, ...] = ()
    validate_args: tuple[str, ...] = ()
    publish_args: tuple[str, ...] = ()

    def nightly(self) -> Options:
        """The same options as the nightly run takes them."""
        return replace(
            self,
            load_args=(*NIGHTLY_LOAD, *self.load_args),
            row_checks=self.row_checks or NIGHTLY_ROW_CHECKS,
            new_rows_only=(self.row_checks or NIGHTLY_ROW_CHECKS) == NIGHTLY_ROW_CHECKS,
            build_args=(*NIGHTLY_BUILD, *self.build_args),
            validate_args=(*NIGHTLY_VALIDATE, *self.validate_args),
            publish_args=(*NIGHTLY_PUBLISH, *self.publish_args),
        )


def dbt_build(warehouse: Path, full_refresh: bool, *extra: str, vars_: dict[str, str] | None = None) -> list[str]:
    """The `dbt build` command line every build runs (make, the nightly, the benchmark, as-at)."""
    args = ["build", "--fail-fast", *(("--full-refresh",) if full_refresh else ()), *extra]
    return runner.dbt_command(warehouse, *args, vars_=vars_)


def build_environment(
    warehouse: Path, row_checks: str | None = None, new_rows_only: bool = False, **extra: str
) -> dict[str, str]:
    """The environment a step runs in, with the rows a build's data tests read (ROW_CHECKS_VARIABLE,
    'all' unless given; macros/row_checks.sql) and, for a build of only the nodes new rows reach,
    its scope (build_scope.SCOPE_VARIABLE). They are environment variables, not dbt vars, so the
    nightly build reuses the parse of the full build before it: dbt parses the whole project again
    whenever --vars differ from the last run's (about 8 s), and the macros read them only at run
    time, where partial parsing does not track them."""
    scope = {build_scope.SCOPE_VARIABLE: build_scope.NEW_ROWS} if new_rows_only else {}
    return runner.pipeline_environment(warehouse, **{ROW_CHECKS_VARIABLE: row_checks or "all"}, **scope, **extra)


def build_selection(warehouse: Path, full_refresh: bool, new_rows_only: bool, given: tuple[str, ...]) -> tuple[str, ...]:
    """The selection of a build: only the nodes new rows reach or whose code changed, for a nightly
    build that is not a full refresh, is given no selection of its own (given: its arguments) and
    has a saved state to go by (scripts/build_scope.py); otherwise none."""
    if full_refresh or not new_rows_only or build_scope.selects_nodes(given):
        return ()
    return build_scope.selection(warehouse) or ()


def timed_build(
    warehouse: Path,
    full_refresh: bool,
    row_checks: str | None = None,
    *extra: str,
    vars_: dict[str, str] | None = None,
    new_rows_only: bool = False,
) -> runner.Step:
    """dbt_build run to its end with its output kept, its time and peak memory measured (the
    benchmark, as-at); StepFailed when it fails. The manifest of a build of every node that
    succeeded is saved as the state the next nightly compares with."""
    line = dbt_build(
        warehouse, full_refresh, *extra, *build_selection(warehouse, full_refresh, new_rows_only, extra), vars_=vars_
    )
    step = runner.run_step(line, build_environment(warehouse, row_checks, new_rows_only))
    build_scope.save_state(warehouse, extra)
    return step


def timed_nightly_build(warehouse: Path) -> runner.Step:
    """The nightly run's build, timed (the benchmarks): incremental, its tests on the new rows, only
    the nodes new rows reach."""
    return timed_build(warehouse, False, NIGHTLY_ROW_CHECKS, *NIGHTLY_BUILD, new_rows_only=True)


def needs_full_refresh(options: Options) -> bool:
    """Asked for, or the last load replaced raw rows rather than only adding them (its marker file)."""
    return options.full_refresh or full_refresh_marker(options.warehouse).exists()


def command(step: str, options: Options) -> list[str] | None:
    """The command line of one step (None: nothing to run)."""
    python, warehouse = [runner.PYTHON, "-m"], str(options.warehouse)
    if step == "generate":
        return [*python, "scripts.generate", "--out", str(options.raw), "--if-empty"] if options.force_extracts else None
    if step == "load":
        police_uk = ["--police-uk", str(options.police_uk)] if options.police_uk else []
        no_force = [] if options.force_extracts else ["--no-force-extracts"]
        return [
            *python,
            "scripts.load",
            "--raw",
            str(options.raw),
            "--warehouse",
            warehouse,
            *police_uk,
            *no_force,
            *options.load_args,
        ]
    if step == "build":
        full_refresh = needs_full_refresh(options)
        selected = build_selection(options.warehouse, full_refresh, options.new_rows_only, options.build_args)
        return dbt_build(options.warehouse, full_refresh, *options.build_args, *selected)
    if step == "validate":
        return [*python, "scripts.validate", "--warehouse", warehouse, *options.validate_args]
    if step == "publish":
        return [*python, "scripts.publish", "--warehouse", warehouse, *options.publish_args]
    if step == "pack":
        month = ["--month", options.month] if options.month else []
        return [*python, "scripts.pack", *month, *(["--force", options.force] if options.force else [])]
    if step == "test-dbt":
        return runner.dbt_command(options.warehouse, "test")
    if step == "docs":
        return runner.dbt_command(options.warehouse, "docs", "generate")
    raise ValueError(f"no step {step!r}: the steps are {', '.join(STEPS)}")


def run_steps(steps: tuple[str, ...], options: Options) -> int:
    """Run the steps in order, each as its own process with its output on ours; stop at the first
    that fails and return its exit code."""
    environment = build_environment(
        options.warehouse, options.row_checks, options.new_rows_only, DBT_USE_COLORS=os.environ.get("DBT_USE_COLORS", "false")
    )
    for step in steps:
        line = command(step, options)
        print(f"== {step}" + (" (full refresh)" if step == "build" and "--full-refresh" in (line or []) else ""), flush=True)
        if line is None:
            print("skipped: no force extracts (FORCE_EXTRACTS=no)", flush=True)
            continue
        code = subprocess.run(line, cwd=PROJECT_ROOT, env=environment).returncode
        if code != 0:
            print(f"== {step} failed (exit {code}); the steps after it did not run", file=sys.stderr, flush=True)
            return code
        if step == "build":
            full_refresh_marker(options.warehouse).unlink(missing_ok=True)
            build_scope.save_state(options.warehouse, options.build_args)
    return 0


def parse(argv: list[str] | None) -> tuple[str, Options]:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.pipeline",
        description="Run the pipeline (run, nightly) or one of its steps on a warehouse.",
    )
    parser.add_argument("what", choices=("run", "nightly", *STEPS), help="the whole run, the nightly run, or one step")
    parser.add_argument("--warehouse", type=Path, default=warehouse_path(), help="the working warehouse (WAREHOUSE_PATH)")
    parser.add_argument("--raw", type=Path, default=raw_data_dir(), help="the force's extracts (RAW_DATA_DIR)")
    parser.add_argument("--police-uk", type=Path, help="a folder of data.police.uk files to load as well (POLICE_UK_DIR)")
    parser.add_argument("--no-force-extracts", action="store_true", help="the police.uk files alone (FORCE_EXTRACTS=no)")
    parser.add_argument("--month", help="the pack's month, YYYY-MM (MONTH; default the latest)")
    parser.add_argument("--force", help="a force's data.police.uk pack (FORCE)")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild every incremental model (FULL_REFRESH=yes)")
    parser.add_argument("--row-checks", choices=("all", "new"), help="which rows the data tests read (ROW_CHECKS)")
    for step in ("load", "build", "publish"):
        parser.add_argument(
            f"--{step}-arg", action="append", default=[], metavar="ARG", help=f"one more argument for {step} (repeat for more)"
        )
    args = parser.parse_args(argv)
    options = Options(
        warehouse=args.warehouse,
        raw=args.raw,
        police_uk=args.police_uk,
        force_extracts=not args.no_force_extracts,
        month=args.month,
        force=args.force,
        full_refresh=args.full_refresh,
        row_checks=args.row_checks,
        load_args=tuple(args.load_arg),
        build_args=tuple(args.build_arg),
        publish_args=tuple(args.publish_arg),
    )
    return args.what, options


def main(argv: list[str] | None = None) -> int:
    what, options = parse(argv)
    if what == "nightly":
        return run_steps(NIGHTLY, options.nightly())
    return run_steps(RUN if what == "run" else (what,), options)


if __name__ == "__main__":
    sys.exit(main())
