"""Validate the working warehouse with the quality gate (expectations/*.yml) before it is published.

Runs every suite with Great Expectations on the profile tables dbt builds in the `quality`
schema, writes the Data Docs, stores a summary in quality.validation_results and
quality.validation_runs, and prints it. Exits 1 when a blocking expectation fails (the build
must not be published), 0 otherwise (warnings are published and stored beside the figures).

    python -m scripts.validate
    python -m scripts.validate --warehouse /tmp/w.duckdb --published /tmp/published
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from scripts import already_published, build_identity, pipeline_lock
from scripts.gate import carry as carrying
from scripts.gate import datasets
from scripts.gate.suites import SuiteError, load_checks
from scripts.settings import published_dir, warehouse_path

if TYPE_CHECKING:  # the runner imports Great Expectations (2 s): only a run that checks needs it
    from scripts.gate.runner import CheckResult

RESULTS_DDL = """
create table if not exists quality.validation_results (
    run_id varchar, suite varchar, expectation varchar, dataset varchar, severity varchar,
    passed boolean, observed_value varchar, unexpected_count bigint, where_failed varchar, description varchar,
    failed_extracts varchar[], in_words varchar, checked_column varchar, validation varchar
)"""
RUNS_DDL = """
create table if not exists quality.validation_runs (
    run_id varchar, validated_at timestamp, checks bigint, blocking_failures bigint, warnings bigint,
    is_publishable boolean, data_docs varchar, build_id varchar, checks_digest varchar, carried_from_run varchar,
    figures_checked bigint, figures_carried bigint, code_digest varchar
)"""
# Columns added after the first release (older warehouses gain them here).
UPGRADES = (
    "alter table quality.validation_runs add column if not exists build_id varchar",
    "alter table quality.validation_results add column if not exists failed_extracts varchar[]",
    "alter table quality.validation_results add column if not exists in_words varchar",
    "alter table quality.validation_results add column if not exists checked_column varchar",
    "alter table quality.validation_results add column if not exists validation varchar",
    "alter table quality.validation_runs add column if not exists checks_digest varchar",
    "alter table quality.validation_runs add column if not exists carried_from_run varchar",
    "alter table quality.validation_runs add column if not exists figures_checked bigint",
    "alter table quality.validation_runs add column if not exists figures_carried bigint",
    "alter table quality.validation_runs add column if not exists code_digest varchar",
)


def validate(work: Path, published: Path | None, docs_project: Path) -> tuple[str, list[CheckResult], Path, carrying.Carry]:
    """Run the gate on the working warehouse, store its summary there, and return it. The figures'
    month-wise checks read only the months changed since the last passing run (scripts/gate/carry.py)."""
    from scripts.gate.runner import run_checks

    checks = load_checks()
    digest = carrying.checks_digest(checks)
    frames = datasets.fetch(work, published, {check.dataset for check in checks})
    with duckdb.connect(str(work), read_only=True) as connection:
        build_id = build_identity.current(connection)
        carry = carrying.plan(connection, checks, frames[carrying.DATASET], digest)
    results, docs_index = run_checks(checks, frames, docs_project, carry)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    store(work, run_id, results, docs_index, build_id, (digest, already_published.code_digest()), carry)
    return run_id, results, docs_index, carry


def store(
    work: Path,
    run_id: str,
    results: list[CheckResult],
    docs_index: Path,
    build_id: str | None,
    digests: tuple[str, str],
    carry: carrying.Carry,
) -> None:
    """Write the run's results and summary, with the build identity it validated, the checks and code
    it ran (digests: the checks', the code's) and what it carried, and the digest of each month of the
    figures."""
    rows = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "suite": r.check.suite,
                "expectation": r.check.name,
                "dataset": r.check.dataset,
                "severity": r.check.severity,
                "passed": r.success,
                "observed_value": r.observed,
                "unexpected_count": r.unexpected_count,
                "where_failed": r.where_failed,
                "description": r.check.description,
                "failed_extracts": list(r.failed_extracts),
                "in_words": r.check.in_words or None,
                # the column the check reads, so that the pack can say how far a warning reaches
                # from the published results alone
                "checked_column": str(r.check.kwargs.get("column") or "") or None,
                "validation": r.validation or None,
            }
            for r in results
        ]
    )
    blocking = sum(not r.success and r.check.severity == "blocking" for r in results)
    warnings = sum(not r.success and r.check.severity == "warning" for r in results)
    with duckdb.connect(str(work)) as connection:
        connection.execute("create schema if not exists quality")
        connection.execute(RESULTS_DDL)
        connection.execute(RUNS_DDL)
        for upgrade in UPGRADES:
            connection.execute(upgrade)
        connection.register("new_results", rows)
        connection.execute("insert into quality.validation_results by name select * from new_results")
        connection.execute(
            "insert into quality.validation_runs by name select ? as run_id, current_timestamp as validated_at, "
            "? as checks, ? as blocking_failures, ? as warnings, ? as is_publishable, ? as data_docs, ? as build_id, "
            "? as checks_digest, ? as carried_from_run, ? as figures_checked, ? as figures_carried, ? as code_digest",
            [
                run_id,
                len(results),
                blocking,
                warnings,
                blocking == 0,
                str(docs_index),
                build_id,
                digests[0],
                carry.from_run,
                carry.rows_checked,
                carry.rows_carried,
                digests[1],
            ],
        )
        carrying.store(connection, run_id, carry)


def summary(results: list[CheckResult]) -> str:
    lines = [f"{'suite':<8} {'expectation':<36} {'severity':<9} {'passed':<7} observed"]
    for r in sorted(results, key=lambda r: (r.success, r.check.severity != "blocking", r.check.key)):
        observed = r.observed if len(r.observed) <= 60 else r.observed[:57] + "..."
        where = f"  at {r.where_failed}" if r.where_failed and not r.success else ""
        lines.append(
            f"{r.check.suite:<8} {r.check.name:<36} {r.check.severity:<9} {'yes' if r.success else 'NO':<7} {observed}{where}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.validate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, default=warehouse_path(), help="working DuckDB file (default: %(default)s)")
    parser.add_argument(
        "--published", type=Path, default=published_dir(), help="published folder, to compare row counts (default: %(default)s)"
    )
    already_published.add_option(parser, "check")
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(f"validate: {args.warehouse} not found; run `make build` first", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        if args.skip_if_published and already_published.skip("validate", args.warehouse, args.published):
            return 0
        run_id, results, docs, carry = validate(args.warehouse, args.published / "warehouse.duckdb", args.warehouse.parent / "gx")
    except SuiteError as error:
        print(f"validate: ERROR {error}", file=sys.stderr)
        return 2
    except duckdb.IOException as error:
        return pipeline_lock.busy("validate", error)
    print(summary(results))
    if carry.from_run:
        print(
            f"validate: {len(carry.checks)} checks of the figures read the {len(carry.digests) - len(carry.months)} months "
            f"changed since run {carry.from_run}; its results for the other {len(carry.months)} months "
            f"({carry.rows_carried:,} figures, unchanged) are carried"
        )
    failed = [r for r in results if not r.success and r.check.severity == "blocking"]
    warned = [r for r in results if not r.success and r.check.severity == "warning"]
    print(
        f"validate: run {run_id}: {len(results)} checks, {len(failed)} blocking failures, {len(warned)} warnings "
        f"in {time.perf_counter() - started:.1f}s; Data Docs: {docs}"
    )
    if failed:
        names = ", ".join(r.check.key + (f" ({r.where_failed})" if r.where_failed else "") for r in failed)
        print(f"validate: NOT PUBLISHABLE, blocking checks failed: {names}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
