"""Publish the validated working warehouse for BI tools, atomically.

Refuses unless the working warehouse's latest quality gate run (quality.validation_runs) is
publishable and validated this very build: the warehouse's build identity (raw.build_identity, new
with every load and every dbt run that may change it) must be the one the gate recorded, so a
failed build, or a load with no gate run since, is never published. Then, inside the published
folder (paths.published, default warehouse/published):

- warehouse.duckdb: what readers need from the working warehouse (marts, reference, the gate's
  results, the load audit and the quarantine's reasons with file and line; no raw rows and no
  quarantined original values), swapped in with one rename, so a BI tool holding the old file open
  read-only keeps reading it undisturbed;
- parquet/: every marts table (and the validation summary) as Parquet, and in parquet/reference/
  every reference table (measures: names, units, polarity; districts; ...), a fresh folder swapped in
  by one symlink rename;
- data_docs/: the quality gate's Great Expectations Data Docs for this build, rewritten to open with
  no network (scripts/data_docs.py), swapped the same way;
- dbt_docs/index.html: the dbt docs of the project and this warehouse as one static file (`dbt docs
  generate --static`), swapped the same way; open either file straight from disk;
- a release (scripts/release.py): the version, what changed since the last published build (rows per
  mart, schema, figures revised for months already published) in the new file's releases schema
  and RELEASE_NOTE.md, and a read-only copy of the last few versions in releases/<version>/.

On any refusal or error the last published build is left exactly as it was (exit 1).

    python -m scripts.publish
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb

from scripts import already_published, build_identity, data_docs, pipeline_lock, release, runner
from scripts.settings import published_dir, warehouse_path
from scripts.sql_text import identifier, literal

KEEP_VERSIONS = 2


class PublishError(Exception):
    """The build may not be published; the message says why."""


def latest_run(work: Path) -> tuple[str, str, str]:
    """The latest gate run, if it passed and validated the build the warehouse holds now: its run id,
    the build identity it validated and its Data Docs page."""
    with duckdb.connect(str(work), read_only=True) as connection:
        build_id = build_identity.current(connection)
        # None too for a gate run from before build identities: validate again
        row = build_identity.latest_gate_run(connection, "run_id, is_publishable, blocking_failures, data_docs, build_id")
        failed = (
            connection.execute(
                "select string_agg(suite || '.' || expectation, ', ') from quality.validation_results "
                "where run_id = ? and not passed and severity = 'blocking'",
                [row[0]],
            ).fetchone()[0]
            if row
            else None
        )
    if row is None:
        raise PublishError(f"{work}: no quality gate run found for this build; run `make validate` first")
    run_id, publishable, blocking, docs, validated_build = row
    if build_id is None or validated_build != build_id:
        raise PublishError(
            f"{work}: the warehouse has changed since quality gate run {run_id} validated it (a load or a "
            "dbt run since, possibly a failed one); run `make build validate` and publish what passes"
        )
    if not publishable:
        raise PublishError(f"{work}: the latest quality gate run {run_id} failed {blocking} blocking check(s): {failed}")
    return run_id, build_id, docs


def warned_only(work: Path, run_id: str) -> frozenset[str]:
    """The run's validations (as the gate names them in GX: suite__dataset, and
    suite__dataset__changed_months for checks that read only the changed months) whose failed checks are
    all warnings: Data Docs show them passed with warnings, not failed."""
    with duckdb.connect(str(work), read_only=True) as connection:
        found = connection.execute(
            "select coalesce(validation, suite || '__' || dataset) as validation from quality.validation_results "
            "where run_id = ? group by all "
            "having bool_or(not passed) and not bool_or(not passed and severity = 'blocking')",
            [run_id],
        ).fetchall()
    return frozenset(name for (name,) in found)


def publish(work: Path, target: Path, keep_dbt_docs: bool = False) -> tuple[str, str]:
    """Publish the working warehouse into target; return the validation run published and the
    release's version (scripts/release.py). keep_dbt_docs:
    carry the published dbt docs over rather than generate them again (the nightly run: its code and
    models are those of the last full run), when there are any."""
    run_id, build_id, docs = latest_run(work)
    target.mkdir(parents=True, exist_ok=True)
    version = f"{run_id}"

    parquet = target / f".parquet-{version}"
    shutil.rmtree(parquet, ignore_errors=True)
    parquet.mkdir()
    with duckdb.connect(str(work), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where (table_schema = 'marts' and table_type = 'BASE TABLE') "
            "or (table_schema = 'quality' and table_name in ('validation_results', 'validation_runs'))"
        ).fetchall()
        for schema, table in tables:
            connection.execute(
                f"copy {identifier(schema)}.{identifier(table)} to {literal(parquet / (table + '.parquet'))} (format parquet)"
            )
        # the reference tables a BI model joins the marts to (measure names, units, polarity, geography)
        (parquet / "reference").mkdir()
        for (table,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'reference' and table_type = 'BASE TABLE' "
            "order by table_name"
        ).fetchall():
            connection.execute(
                f"copy reference.{identifier(table)} to {literal(parquet / 'reference' / (table + '.parquet'))} (format parquet)"
            )

    docs_copy = target / f".data_docs-{version}"
    shutil.rmtree(docs_copy, ignore_errors=True)
    if docs and Path(docs).exists():
        shutil.copytree(Path(docs).parent, docs_copy)
        data_docs.make_offline(docs_copy, warned_only(work, run_id))
    else:
        docs_copy.mkdir()
    dbt_docs = target / f".dbt_docs-{version}"
    shutil.rmtree(dbt_docs, ignore_errors=True)
    dbt_docs.mkdir()
    published_docs = target / "dbt_docs" / "index.html"
    if keep_dbt_docs and published_docs.exists():
        shutil.copy(published_docs, dbt_docs / "index.html")
    else:
        shutil.copy(static_dbt_docs(work), dbt_docs / "index.html")

    staged = target / ".warehouse.duckdb.tmp"
    write_reader_copy(work, staged)
    try:
        published_release = release.record(staged, target / "warehouse.duckdb", build_id, run_id)
    except release.ReleaseError as error:
        staged.unlink(missing_ok=True)
        raise PublishError(f"the release cannot be compared with the last one: {error}") from error
    with open(staged, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staged, target / "warehouse.duckdb")
    _swap_link(target / "parquet", parquet)
    _swap_link(target / "data_docs", docs_copy)
    _swap_link(target / "dbt_docs", dbt_docs)
    (target / "PUBLISHED_RUN").write_text(run_id + "\n")
    release.keep(target, published_release)
    _prune(target)
    return run_id, published_release.version


# What readers get: the marts, the reference seeds, the gate's results and the per-force police.uk
# quality tables, and the load's bookkeeping. Raw rows, quarantined original values,
# staging, intermediate and the outcome snapshot stay in the working warehouse for the data engineer.
READER_SCHEMAS = ("marts", "reference")
READER_QUALITY = (
    "validation_results",
    "validation_runs",
    "quality_police_uk_months",
    "quality_police_uk_forces",
    "quality_source_months",
    "quality_measure_flags",
)
READER_RAW = {"load_audit": "*", "quarantine": "* exclude (original_values)", "build_identity": "*", "load_withdrawn": "*"}


def write_reader_copy(work: Path, staged: Path) -> None:
    """Write the published DuckDB file: what BI tools and analysts need, without row-level extracts.
    Read from the working warehouse (so its views resolve there), written into the attached copy."""
    staged.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        working = work.stem  # dbt's views name their catalog after the file
        connection.execute(f"attach {literal(work)} as {identifier(working)} (read_only)")
        connection.execute(f"attach {literal(staged)} as reader_copy")
        connection.execute(f"use {identifier(working)}")
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = ? order by all", [working]
        ).fetchall()
        for schema, table in relations:
            if schema in READER_SCHEMAS or (schema == "quality" and table in READER_QUALITY):
                columns = "*"
            elif schema == "raw" and table in READER_RAW:
                columns = READER_RAW[table]
            else:
                continue
            connection.execute(f"create schema if not exists reader_copy.{identifier(schema)}")
            connection.execute(
                f"create table reader_copy.{identifier(schema)}.{identifier(table)} as "
                f"select {columns} from {identifier(schema)}.{identifier(table)}"
            )
        connection.execute("use memory")
        connection.execute("detach reader_copy")
        connection.execute(f"detach {identifier(working)}")


def static_dbt_docs(work: Path) -> Path:
    """dbt docs of the project and the working warehouse as one self-contained HTML file."""
    try:
        runner.dbt(work, "docs", "generate", "--static")
    except runner.StepFailed as error:
        raise PublishError(f"dbt docs generate failed: {error}") from error
    page = work.parent / "target" / "static_index.html"
    if not page.exists():
        raise PublishError(f"dbt docs generate wrote no {page}")
    return page


def _swap_link(link: Path, folder: Path) -> None:
    """Point link at folder with one atomic rename."""
    staged = link.with_name(f".{link.name}.link")
    if staged.is_symlink() or staged.exists():
        staged.unlink()
    staged.symlink_to(folder.name)
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(staged, link)


def _prune(target: Path) -> None:
    """Keep the published versions and the one before; a reader may still be on it."""
    for prefix in (".parquet-", ".data_docs-", ".dbt_docs-"):
        versions = sorted(target.glob(f"{prefix}*"))
        for old in versions[:-KEEP_VERSIONS]:
            shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.publish", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, default=warehouse_path(), help="working DuckDB file (default: %(default)s)")
    parser.add_argument("--published", type=Path, default=published_dir(), help="published folder (default: %(default)s)")
    parser.add_argument(
        "--keep-dbt-docs",
        action="store_true",
        help="carry the published dbt docs over instead of generating them again (the nightly run; about 8 s saved)",
    )
    already_published.add_option(parser, "publish")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if not args.warehouse.exists():
            raise PublishError(f"{args.warehouse}: working warehouse not found; run `make build` first")
        if args.skip_if_published and already_published.skip("publish", args.warehouse, args.published):
            return 0
        run_id, version = publish(args.warehouse, args.published, args.keep_dbt_docs)
    except PublishError as error:
        print(f"publish: REFUSED {error}. The last published warehouse is unchanged.", file=sys.stderr)
        return 1
    except duckdb.IOException as error:
        return pipeline_lock.busy("publish", error)
    print(
        f"publish: run {run_id} published as release {version} in {time.perf_counter() - started:.1f}s: "
        f"{args.published / 'warehouse.duckdb'} (open read-only), {args.published / 'parquet'}, "
        f"{args.published / 'data_docs' / 'index.html'}, {args.published / 'dbt_docs' / 'index.html'}; "
        f"what changed: {args.published / 'RELEASE_NOTE.md'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
