"""The pipeline's one definition (scripts/pipeline.py): the order of the steps, what the nightly run
changes, when a build is a full refresh, and that a failed step stops the ones after it."""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest

from scripts import build_scope, pipeline
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
    # whole resource types left out, not nodes: the build still covers every model (macros/row_checks.sql)
    assert build[build.index("--exclude-resource-type") + 1 :][:2] == ["unit_test", "seed"] and "--exclude" not in build
    assert every_night.new_rows_only
    assert "--keep-dbt-docs" in pipeline.command("publish", every_night)
    # a night with nothing new gates and publishes nothing (scripts/already_published.py); by hand, always
    for step in ("validate", "publish"):
        assert "--skip-if-published" in pipeline.command(step, every_night)
        assert "--skip-if-published" not in pipeline.command(step, options(tmp_path))
    weekly = options(tmp_path, row_checks="all").nightly()
    assert rows_checked(weekly) == "all" and not weekly.new_rows_only  # the full re-check builds every node
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
        environment = pipeline.build_environment(given.warehouse, given.row_checks, given.new_rows_only, DBT_DEBUG="true")
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


def saved_manifest(warehouse: Path, dbt_version: str) -> None:
    """A saved build state whose manifest names four source tables: two with a loaded_at field, one
    the warehouse does not hold, one with no loaded_at field."""
    sources = {
        f"source.p.{source}.{table}": {
            "source_name": source,
            "name": table,
            "schema": schema,
            "identifier": table,
            "loaded_at_field": field,
        }
        for source, schema, table, field in (
            ("force", "raw", "crimes", "_loaded_at"),
            ("force", "raw", "calls", "_loaded_at"),
            ("police_uk", "raw", "street", "_loaded_at"),
            ("quality_gate", "quality", "validation_runs", None),
        )
    }
    build_scope.state_dir(warehouse).mkdir(exist_ok=True)
    manifest = {"metadata": {"dbt_version": dbt_version}, "sources": sources}
    (build_scope.state_dir(warehouse) / "manifest.json").write_text(json.dumps(manifest))


def test_a_nightly_build_selects_what_new_rows_reach_and_what_changed(tmp_path: Path) -> None:
    """The calls hold a row loaded after the last fully checked build, the crimes none: the crimes'
    nodes are left out; a table that cannot say it has nothing new is kept; state:modified+ always."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.row_checks_watermark (checked_through timestamp, checked_at timestamp, build_id varchar)"
        )
        connection.execute("create table raw.crimes as select timestamp '2026-01-01 01:00' as _loaded_at")
        connection.execute("create table raw.calls as select timestamp '2026-01-01 01:00' as _loaded_at")
        connection.execute("insert into raw.calls values (timestamp '2026-02-01 01:00')")
    saved_manifest(warehouse, version("dbt-core"))
    nightly = options(tmp_path).nightly()
    assert build_scope.selection(warehouse) is None  # no fully checked build yet: every node
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("insert into raw.row_checks_watermark values (timestamp '2026-01-15', current_timestamp, 'b')")
    state = str(build_scope.state_dir(warehouse))
    expected = [
        "--select",
        "source:force.calls+",
        "source:police_uk.street+",
        "source:quality_gate.validation_runs+",
        "state:modified+",
        "--state",
        state,
    ]
    assert list(build_scope.selection(warehouse)) == expected
    build = pipeline.command("build", nightly)
    assert build[build.index("--select") :][: len(expected)] == expected
    # every node: the weekly re-check, a full refresh, a selection of the caller's, another dbt's state
    assert "--select" not in pipeline.command("build", options(tmp_path, row_checks="all").nightly())
    assert "--state" not in pipeline.command("build", options(tmp_path, full_refresh=True).nightly())
    own = pipeline.command("build", options(tmp_path, build_args=("--select", "measure_values")).nightly())
    assert "--state" not in own and own.count("--select") == 1
    saved_manifest(warehouse, "1.0.0")
    assert build_scope.selection(warehouse) is None


def test_the_state_is_saved_only_after_a_build_of_every_node(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text('{"metadata": {}}')
    assert not build_scope.save_state(warehouse, ("--select", "measure_values"))
    assert not build_scope.save_state(warehouse, ("--exclude=measure_values",))
    assert not (build_scope.state_dir(warehouse) / "manifest.json").exists()
    assert build_scope.save_state(warehouse, pipeline.NIGHTLY_BUILD)
    assert (build_scope.state_dir(warehouse) / "manifest.json").read_text() == '{"metadata": {}}'
