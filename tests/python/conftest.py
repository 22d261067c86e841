"""Shared fixtures: small SYNTHETIC extracts and a warehouse built from them by real dbt runs."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from scripts import runner
from scripts.generate import generate
from scripts.load import load
from scripts.settings import PROJECT_ROOT

SMALL = {"seed": 7, "scale": 0.25, "first": date(2019, 12, 1), "last": date(2020, 2, 1)}


def run_dbt(warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    """Run dbt in a subprocess against the given DuckDB file (no lock outlives the run)."""
    return subprocess.run(runner.dbt_command(warehouse, *args), cwd=PROJECT_ROOT, env=runner.pipeline_environment(warehouse),
                          capture_output=True, text=True, timeout=900)


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
