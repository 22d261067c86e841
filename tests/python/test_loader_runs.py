"""The loader across runs: a nightly adds only new files, a re-export replaces its rows (whatever its
compression), and discovery is strict."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import audit, read_lines, write_lines

from scripts.gate import datasets
from scripts.load import LoadError, full_refresh_marker, load
from scripts.settings import PROJECT_ROOT


def nightly_load(extracts: Path, warehouse: Path) -> subprocess.CompletedProcess:
    """`python -m scripts.load --new-files-only` as the nightly runs it, in its own process."""
    command = ["-m", "scripts.load", "--raw", str(extracts), "--warehouse", str(warehouse), "--new-files-only", "--quiet"]
    return subprocess.run([sys.executable, *command], cwd=PROJECT_ROOT, capture_output=True, text=True)


def test_nightly_load_adds_only_new_files(extracts: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, progress=False)
    before = audit(warehouse)
    assert load(extracts, warehouse, progress=False, new_files_only=True) == []
    assert audit(warehouse) == before
    crimes = sorted((extracts / "crimes").glob("crimes_*.csv.gz"))
    moved = tmp_path / crimes[-1].name
    crimes[-1].rename(moved)
    load(extracts, warehouse, progress=False)  # a full load without the last month ...
    moved.rename(crimes[-1])
    results = load(extracts, warehouse, progress=False, new_files_only=True)  # ... which arrives at night
    assert [(result.path.name, result.replaced) for result in results] == [(crimes[-1].name, False)]
    assert audit(warehouse) == before


def test_reexported_file_replaces_its_rows_and_asks_for_a_full_refresh(extracts: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, progress=False)
    path = sorted((extracts / "crimes").glob("crimes_*.csv.gz"))[0]
    lines = read_lines(path)
    write_lines(path, lines[:-10])  # re-exported with ten rows fewer
    marker = full_refresh_marker(warehouse)
    marker.unlink(missing_ok=True)
    result = nightly_load(extracts, warehouse)
    assert result.returncode == 0, result.stderr
    assert "re-exported" in result.stdout and marker.exists()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        in_table = connection.execute("select count(*) from raw.crimes where _source_file = ?", [str(path)]).fetchone()[0]
        audited = connection.execute(
            "select rows_read, rows_loaded + rows_quarantined from raw.load_audit where source_file = ?", [str(path)]
        ).fetchall()
        quarantined = connection.execute("select count(*) from raw.quarantine where source_file = ?", [str(path)]).fetchone()[0]
    assert audited == [(len(lines) - 11, len(lines) - 11)]
    assert in_table + quarantined == len(lines) - 11


@pytest.mark.parametrize(
    "name, why",
    [
        ("crimes_2020-01 (copy).csv.gz", "expected crimes_YYYY-MM.csv"),
        ("crimes_2020-01.csv", "a second file for 2020-01"),
        ("crimes_202001.csv.gz", "expected crimes_YYYY-MM.csv"),
        ("crimes_2020-13.csv.gz", "expected crimes_YYYY-MM.csv"),
        ("CRIMES_2020-01.CSV.GZ", "expected crimes_YYYY-MM.csv"),
        ("incidents_2020-01.csv.gz", "expected crimes_YYYY-MM.csv"),
    ],
)
def test_strict_discovery_stops_on_any_file_that_is_not_one_extract_per_month(
    extracts: Path, tmp_path: Path, name: str, why: str
) -> None:
    shutil.copy(extracts / "crimes" / "crimes_2020-01.csv.gz", extracts / "crimes" / name)
    (extracts / "calls" / "notes.txt").write_text("not an extract\n")
    with pytest.raises(LoadError) as stopped:
        load(extracts, tmp_path / "w.duckdb", progress=False)
    message = str(stopped.value)
    assert name in message and why in message
    assert "notes.txt (expected calls_YYYY-MM.csv" in message  # every offending file in one message
    assert not (tmp_path / "w.duckdb").exists()


def test_nightly_re_export_with_other_compression_replaces_and_a_withdrawn_file_is_reported(
    extracts: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, progress=False)
    before = audit(warehouse)
    packed = extracts / "crimes" / "crimes_2020-01.csv.gz"
    plain = packed.with_suffix("")
    plain.write_text("\n".join(read_lines(packed)) + "\n", encoding="utf-8")  # re-exported as .csv
    packed.unlink()
    gone = sorted((extracts / "calls").glob("calls_*.csv.gz"))[-1]
    gone.unlink()  # withdrawn from the folder
    result = nightly_load(extracts, warehouse)
    assert result.returncode == 0, result.stderr
    assert f"calls {gone.name.removesuffix('.gz')}" in result.stdout and "no longer in the folder" in result.stdout
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        files = [
            name
            for (name,) in connection.execute(
                "select source_file from raw.load_audit where source = 'crimes' and source_file like '%2020-01%'"
            ).fetchall()
        ]
        crimes = connection.execute("select count(*) from raw.crimes").fetchone()[0]
        withdrawn = connection.execute("select source, source_file from raw.load_withdrawn").fetchall()
    assert files == [str(plain)]  # loaded once, not twice
    assert crimes == sum(row[3] for row in before if row[0] == "crimes")  # the same rows, once
    assert withdrawn == [("calls", str(gone))]
    frame = datasets.fetch(warehouse, None, {"withdrawn_files"})["withdrawn_files"]
    assert frame.to_dict("records") == [{"source": "calls", "file_key": gone.name.removesuffix(".gz"), "is_in_folder": False}]
