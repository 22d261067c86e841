"""One pipeline at a time per warehouse, and a lock conflict is one line, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from scripts.settings import PROJECT_ROOT

LOCK = [sys.executable, "-m", "scripts.pipeline_lock"]


def test_a_second_pipeline_refuses_naming_the_first_and_runs_once_it_is_done(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    first = subprocess.Popen([*LOCK, "--warehouse", str(warehouse), "--name", "make run", "--", "sleep", "4"], cwd=PROJECT_ROOT)
    try:
        time.sleep(1.5)
        second = subprocess.run(
            [*LOCK, "--warehouse", str(warehouse), "--name", "make nightly", "--", "true"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        assert second.returncode == 3
        assert re.search(r"make nightly: REFUSED .*warehouse\.duckdb is in use by `make run` \(pid \d+, since ", second.stderr)
        assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr
        waited = subprocess.run(
            [*LOCK, "--warehouse", str(warehouse), "--name", "make publish", "--wait", "30", "--", "echo", "ran"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        assert waited.returncode == 0 and waited.stdout.strip() == "ran" and "waiting for `make run`" in waited.stderr
    finally:
        first.wait(timeout=30)
    assert first.returncode == 0


def test_steps_inside_a_locked_pipeline_do_not_lock_again(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    inner = f"{sys.executable} -m scripts.pipeline_lock --warehouse {warehouse} --name step -- echo inner"
    result = subprocess.run(
        [*LOCK, "--warehouse", str(warehouse), "--name", "make run", "--", "bash", "-c", inner],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.strip() == "inner"


def test_a_duckdb_lock_conflict_is_one_line_for_every_tool(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    published = tmp_path / "published"
    published.mkdir()
    holder = duckdb.connect(str(warehouse))  # a writer holds the working file ...
    other = duckdb.connect(str(published / "warehouse.duckdb"))  # ... and the published one
    try:
        for tool, args in (
            ("validate", ["--warehouse", str(warehouse), "--published", str(published)]),
            ("publish", ["--warehouse", str(warehouse), "--published", str(published)]),
            ("pack", ["--warehouse", str(published / "warehouse.duckdb")]),
            ("sql", ["--warehouse", str(published / "warehouse.duckdb"), "-c", "select 1"]),
        ):
            result = subprocess.run(
                [sys.executable, "-m", f"scripts.{tool}", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 3, (tool, result.stderr)
            assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, (tool, result.stderr)
            assert "in use by another process" in result.stderr
    finally:
        holder.close()
        other.close()


def test_every_make_target_that_writes_the_warehouse_takes_the_lock() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for target in ("load", "build", "nightly", "as-at", "validate", "publish", "run", "test-dbt"):
        recipe = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
        assert recipe and "$(LOCK)" in recipe.group(1), target


def test_make_load_refuses_while_another_pipeline_holds_the_warehouse(small_extracts: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    first = subprocess.Popen([*LOCK, "--warehouse", str(warehouse), "--name", "make run", "--", "sleep", "6"], cwd=PROJECT_ROOT)
    try:
        time.sleep(1.5)
        second = subprocess.run(
            ["make", "--no-print-directory", "load", f"WAREHOUSE_PATH={warehouse}", f"RAW_DATA_DIR={small_extracts}"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        first.wait(timeout=30)
    assert second.returncode != 0
    assert "make load: REFUSED" in second.stderr and "in use by `make run`" in second.stderr
    assert not warehouse.exists()  # the refused load wrote nothing
