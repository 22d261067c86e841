"""The generator is deterministic, stable as history grows, and writes what the contract says."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import SMALL, read_lines

from scripts.contract import load_contract
from scripts.generate import SOURCES, generate, has_extracts
from scripts.settings import PROJECT_ROOT


def fingerprints(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_the_same_bytes(small_extracts: Path, tmp_path: Path) -> None:
    generate(tmp_path, progress=False, **SMALL)
    first, second = fingerprints(small_extracts), fingerprints(tmp_path)
    assert len(first) == len(SOURCES) * 3 + 1
    assert first == second


def test_months_made_in_parallel_give_the_same_bytes(small_extracts: Path, tmp_path: Path) -> None:
    """A month a chunk on two worker processes: each survey's crimes of two months before are
    drawn again in another process, the outcomes written by the parent in month order."""
    generate(tmp_path, progress=False, workers=2, chunk_months=1, **SMALL)
    assert fingerprints(tmp_path) == fingerprints(small_extracts)


def test_another_seed_gives_other_bytes(small_extracts: Path, tmp_path: Path) -> None:
    generate(tmp_path, progress=False, **dict(SMALL, seed=SMALL["seed"] + 1))
    first, second = fingerprints(small_extracts), fingerprints(tmp_path)
    assert first.keys() == second.keys()
    assert first["crimes/crimes_2020-01.csv.gz"] != second["crimes/crimes_2020-01.csv.gz"]


def test_extending_the_end_month_keeps_earlier_months(small_extracts: Path, tmp_path: Path) -> None:
    generate(tmp_path, progress=False, **dict(SMALL, last=date(2020, 1, 1)))
    shorter, longer = fingerprints(tmp_path), fingerprints(small_extracts)
    for name in ("crimes/crimes_2019-12.csv.gz", "crimes/crimes_2020-01.csv.gz", "calls/calls_2020-01.csv.gz"):
        assert shorter[name] == longer[name], name


def test_every_file_has_the_contract_header_and_synthetic_notice(small_extracts: Path) -> None:
    contract = load_contract()
    for source in SOURCES:
        files = sorted((small_extracts / source).glob("*.csv.gz"))
        assert [path.name for path in files] == [f"{source}_{month}.csv.gz" for month in ("2019-12", "2020-01", "2020-02")]
        for path in files:
            lines = read_lines(path)
            assert lines[0] == ",".join(contract[source].column_names), path
            assert len(lines) > 1, path
    assert "SYNTHETIC" in (small_extracts / "SYNTHETIC.txt").read_text()


def test_scale_multiplies_volumes(tmp_path: Path) -> None:
    month = dict(SMALL, first=date(2020, 1, 1), last=date(2020, 1, 1))
    small = generate(tmp_path / "small", progress=False, **dict(month, scale=0.5))
    large = generate(tmp_path / "large", progress=False, **dict(month, scale=2.0))
    for source in ("crimes", "incidents", "calls"):
        assert 3.5 < large[source] / small[source] < 4.5, source


def test_defects_can_be_turned_off(tmp_path: Path) -> None:
    generate(tmp_path, progress=False, defects=False, **dict(SMALL, first=date(2020, 1, 1), last=date(2020, 1, 1)))
    lines = read_lines(tmp_path / "crimes" / "crimes_2020-01.csv.gz")[1:]
    references = [line.split(",")[0] for line in lines]
    assert len(references) == len(set(references))
    assert not [line for line in lines if "99Z" in line or "/" in line]


def test_cli_explains_itself_and_refuses_to_overwrite(small_extracts: Path) -> None:
    helped = subprocess.run(
        [sys.executable, "-m", "scripts.generate", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert helped.returncode == 0 and "SYNTHETIC" in helped.stdout and "--scale" in helped.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "scripts.generate", "--out", str(small_extracts)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert refused.returncode == 2 and "--replace" in refused.stderr
    bad_month = subprocess.run(
        [sys.executable, "-m", "scripts.generate", "--end-month", "2020/13"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert bad_month.returncode == 2 and "YYYY-MM" in bad_month.stderr


def test_if_empty_generates_into_an_empty_folder_only(small_extracts: Path, tmp_path: Path) -> None:
    (tmp_path / "crimes").mkdir()
    (tmp_path / ".gitkeep").touch()
    assert not has_extracts(tmp_path)
    assert has_extracts(small_extracts)
    month = ["--start-month", "2020-01", "--end-month", "2020-01", "--scale", "0.05", "--quiet"]
    first = subprocess.run(
        [sys.executable, "-m", "scripts.generate", "--out", str(tmp_path), "--if-empty", *month],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0 and (tmp_path / "crimes" / "crimes_2020-01.csv.gz").exists(), first.stderr
    second = subprocess.run(
        [sys.executable, "-m", "scripts.generate", "--out", str(tmp_path), "--if-empty", *month],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert second.returncode == 0 and "leaving them" in second.stdout
