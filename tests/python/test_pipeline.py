"""The pipeline's one definition (scripts/pipeline.py): the order of the steps, what the nightly run
changes, when a build is a full refresh, and that a failed step stops the ones after it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scripts import pipeline
from scripts.load import full_refresh_marker
from scripts.settings import PROJECT_ROOT


def options(tmp_path: Path, **changes) -> pipeline.Options:
    return pipeline.Options(warehouse=tmp_path / "warehouse.duckdb", raw=tmp_path / "raw", **changes)


def vars_given(line: list[str]) -> dict:
    return json.loads(line[line.index("--vars") + 1]) if "--vars" in line else {}


def test_run_and_nightly_take_the_steps_in_order() -> None:
    assert pipeline.RUN == ("generate", "load", "build", "validate", "publish", "pack")
    assert pipeline.NIGHTLY == pipeline.RUN[1:]


def test_the_nightly_loads_new_files_tests_new_rows_and_keeps_the_published_docs(tmp_path: Path) -> None:
    every_night = options(tmp_path).nightly()
    assert "--new-files-only" in pipeline.command("load", every_night)
    build = pipeline.command("build", every_night)
    assert rows_checked(every_night) == "new" and "--full-refresh" not in build
    assert build[build.index("--exclude") + 1 :][:2] == ["resource_type:unit_test", "resource_type:seed"]
    assert "--keep-dbt-docs" in pipeline.command("publish", every_night)
    weekly = options(tmp_path, row_checks="all").nightly()
    assert rows_checked(weekly) == "all"
    # a full run is none of that, and the rows checked are never a dbt var (the next test)
    assert rows_checked(options(tmp_path)) == "all"
    assert "--new-files-only" not in pipeline.command("load", options(tmp_path))
    assert vars_given(build) == vars_given(pipeline.command("build", options(tmp_path))) == {}


def rows_checked(given: pipeline.Options) -> str:
    return pipeline.build_environment(given.warehouse, given.row_checks)[pipeline.ROW_CHECKS_VARIABLE]


def test_the_nightly_build_reuses_the_parse_of_the_full_build_before_it(tmp_path: Path) -> None:
    """The nightly differs from `make run` in the rows its tests read; dbt must not parse the whole
    project again for that (it does when --vars change), nor parse again the files whose parse read
    an environment variable that changed. The two builds select nothing, so only their parse runs
    (its debug log says what it parsed)."""
    outputs = []
    for given in (options(tmp_path), options(tmp_path).nightly()):
        line = [*pipeline.command("build", given), "--select", "nothing_is_called_this"]
        environment = pipeline.build_environment(given.warehouse, given.row_checks, DBT_DEBUG="true")
        result = subprocess.run(line, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout[-2000:]
        outputs.append(result.stdout)
    assert "Starting full parse" in outputs[0]
    assert "no changes found" in outputs[1], outputs[1][-2000:]


def test_a_build_is_a_full_refresh_when_asked_or_when_the_load_replaced_rows(tmp_path: Path) -> None:
    assert "--full-refresh" not in pipeline.command("build", options(tmp_path))
    assert "--full-refresh" in pipeline.command("build", options(tmp_path, full_refresh=True))
    full_refresh_marker(tmp_path / "warehouse.duckdb").touch()
    assert "--full-refresh" in pipeline.command("build", options(tmp_path))


def test_police_uk_alone_generates_nothing_and_loads_no_force_extracts(tmp_path: Path) -> None:
    alone = options(tmp_path, force_extracts=False, police_uk=tmp_path / "police_uk")
    assert pipeline.command("generate", alone) is None
    load = pipeline.command("load", alone)
    assert "--no-force-extracts" in load and str(tmp_path / "police_uk") in load


def test_a_failed_step_stops_the_steps_after_it(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    code = pipeline.run_steps(("validate", "publish"), options(tmp_path))
    out, err = capfd.readouterr()
    assert code != 0 and "== validate" in out and "== publish" not in out
    assert "validate failed" in err and "not found" in err


def test_an_unknown_step_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="the steps are generate, load"):
        pipeline.command("deploy", options(tmp_path))
