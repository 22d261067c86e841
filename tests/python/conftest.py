"""Shared fixtures: small SYNTHETIC extracts and a warehouse built from them by real dbt runs."""

from __future__ import annotations

import csv
import gzip
import hashlib
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from scripts import runner
from scripts.generate import generate
from scripts.load import load
from scripts.settings import PROJECT_ROOT

SMALL = {"seed": 7, "scale": 0.25, "first": date(2019, 12, 1), "last": date(2020, 2, 1)}


def run_dbt(warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    """Run dbt in a subprocess against the given DuckDB file (no lock outlives the run)."""
    return subprocess.run(
        runner.dbt_command(warehouse, *args),
        cwd=PROJECT_ROOT,
        env=runner.pipeline_environment(warehouse),
        capture_output=True,
        text=True,
        timeout=900,
    )


def table_digests(
    warehouse: Path, work: Path, schemas: tuple[str, ...] = ("marts",), facts: tuple[str, ...] = ()
) -> dict[str, str]:
    """MD5 of each table's rows written to CSV in sorted order (facts, named in intermediate or as
    schema.table, without their load time where they have one)."""
    digests = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = [
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' "
                f"and table_schema in ({', '.join(repr(s) for s in schemas)}) order by all"
            ).fetchall()
        ]
        fact_tables = [name if "." in name else f"intermediate.{name}" for name in facts]
        for table in tables + fact_tables:
            target = work / f"{table}.csv"
            columns = {row[0] for row in connection.execute(f"describe {table}").fetchall()}
            exclude = " exclude (loaded_at)" if table in fact_tables and "loaded_at" in columns else ""
            connection.execute(f"copy (select *{exclude} from {table} order by all) to '{target}' (header)")
            digests[table] = hashlib.md5(target.read_bytes()).hexdigest()
            assert target.stat().st_size > 0
    return digests


def project_copy(target: Path) -> Path:
    """A copy of the project's source (no warehouse, data or dbt artefacts) that a test may edit."""
    ignore = shutil.ignore_patterns(".git", ".venv", "warehouse", "data", "target", "logs", "__pycache__")
    shutil.copytree(PROJECT_ROOT, target, ignore=ignore)
    return target


def append_row(path: Path, row: list[str]) -> None:
    """One more row at the end of a CSV seed, ended as the seed's own lines are (some end in CRLF)."""
    ending = "\r\n" if path.read_bytes().endswith(b"\r\n") else "\n"
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator=ending).writerow(row)


def run_dbt_in(project: Path, warehouse: Path, work: Path, *args: str) -> None:
    """dbt with the given project (a copy) on the given warehouse; fails the test when dbt does."""
    command = [
        runner.DBT,
        *args,
        "--project-dir",
        str(project),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    result = subprocess.run(
        command, cwd=project, env=runner.pipeline_environment(warehouse), capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:]


# a registry entry's columns for a count of rows, summed over districts and windows
COUNT_ENTRY = {
    "window_aggregation": "sum",
    "significance_test": "poisson_counts",
    "lowest_geography_level": "district",
    "is_strategic": "false",
}


def add_measure(
    project: Path, warehouse: Path, work: Path, catalogue: str, catalogue_row: list[str], components: str, **entry: str
) -> None:
    """A new measure in a copy of the project: its row appended to the catalogue seed and its entry
    (registry columns by name; a count summed over districts unless given; the rest empty) to the
    registry, both seeded, the components model and everything after it run on the warehouse, and
    the registry's own data test run."""
    entry = {**COUNT_ENTRY, **entry}
    append_row(project / "seeds" / f"{catalogue}.csv", catalogue_row)
    registry = project / "seeds" / "measure_registry.csv"
    header = registry.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(entry) <= set(header), f"not registry columns: {set(entry) - set(header)}"
    append_row(registry, [entry.get(column, "") for column in header])
    for args in (
        ["seed", "--select", catalogue, "measure_registry"],
        ["run", "--select", f"{components}+", "int_measures_catalogued+"],
        ["test", "--select", "assert_every_measure_has_a_registry_entry"],
    ):
        run_dbt_in(project, warehouse, work, *args)


def run_tool(tool: str, warehouse: Path, published: Path, *options: str) -> subprocess.CompletedProcess:
    """A pipeline step (validate, publish) on a warehouse and a published folder, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", f"scripts.{tool}", "--warehouse", str(warehouse), "--published", str(published), *options],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def load_build_validate(folder: Path, work: Path) -> subprocess.CompletedProcess:
    """Load a police.uk folder instead of the force extracts, build, and run the gate; the gate's result."""
    warehouse = work / "warehouse.duckdb"
    loaded = subprocess.run(
        [sys.executable, "-m", "scripts.load", "--no-force-extracts", "--police-uk", str(folder), "--warehouse", str(warehouse)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    built = run_dbt(warehouse, "build")
    assert built.returncode == 0, built.stdout[-4000:]
    return subprocess.run(
        [sys.executable, "-m", "scripts.validate", "--warehouse", str(warehouse), "--published", str(work / "published")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def query(warehouse: Path, sql: str) -> list[tuple]:
    """The rows of one query on a warehouse opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def audit(warehouse: Path) -> list[tuple]:
    """The load audit: per source and file, rows read, loaded and quarantined."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select source, source_file, rows_read, rows_loaded, rows_quarantined from raw.load_audit order by 1, 2"
        ).fetchall()


def read_lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def write_lines(path: Path, lines: list[str]) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def small_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three months of extracts, defects included, generated once per test session (read-only)."""
    out = tmp_path_factory.mktemp("extracts")
    generate(out, progress=False, **SMALL)
    return out


@pytest.fixture
def extracts(small_extracts: Path, tmp_path: Path) -> Path:
    """A private copy of the small extracts that a test may break."""
    copy = tmp_path / "raw"
    shutil.copytree(small_extracts, copy)
    return copy


@pytest.fixture(scope="session")
def built_warehouse(small_extracts: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small extracts loaded and built with `dbt build` (read-only for tests)."""
    warehouse = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    load(small_extracts, warehouse, progress=False)
    result = run_dbt(warehouse, "build")
    assert result.returncode == 0, result.stdout[-4000:]
    return warehouse


@pytest.fixture
def warehouse_copy(built_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the built warehouse that a test may break."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, copy)
    return copy


# Markers: `build` for tests that load, build or read a built warehouse (minutes), `unit` for the
# rest (seconds). `make test` runs both; `make test-fast` only the unit tests.
BUILD_FIXTURES = {"small_extracts", "extracts", "built_warehouse", "warehouse_copy", "manifest"}
BUILD_MODULES = {
    "test_nightly",
    "test_bench",
    "test_police_uk",
    "test_police_uk_all_forces",
    "test_police_uk_faulty_download",
    "test_quality_gate",
    "test_pipeline_lock",
    "test_measure_values",
    "test_measure_registry",
    "test_releases",
}


def _needs_a_run(item: pytest.Item) -> bool:
    """Skipped without the warehouse `make run` builds (the reason says so)."""
    return any("make run" in str(marker.kwargs.get("reason", "")) for marker in item.iter_markers("skipif"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        is_build = (
            BUILD_FIXTURES & set(getattr(item, "fixturenames", ())) or item.module.__name__ in BUILD_MODULES or _needs_a_run(item)
        )
        item.add_marker(pytest.mark.build if is_build else pytest.mark.unit)
