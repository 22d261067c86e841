"""Incremental nightly builds equal a full refresh, and an as-at build reproduces what was published.

Six months of SYNTHETIC extracts arrive as a nightly job would see them: four months first, then
one month a night. Each later month carries outcomes for crimes of earlier months (late outcomes),
some replacing an interim outcome; the first later night also carries a crime recorded late, in a
month already built, so the measure layer must rebuild from that month (macros/measure_rebuild.sql).
The same holds for data.police.uk files arriving a month a night. Every comparison is of the
tables' bytes, written out sorted.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import read_lines, table_digests, write_lines
from nightly_extracts import (
    FIRST,
    FIRST_NIGHT_MONTHS,
    LAST,
    LATE_RECORDED_MONTH,
    LATER_MONTHS,
    add_months,
    early_outcome_references,
    record_a_crime_late,
    repeat_first_night_rows,
    send_an_outcome_before_its_crime,
    send_the_crime_after_its_outcome,
)
from run_state import current_build, models_built, watermarks

from scripts import build_scope, pipeline, runner
from scripts.generate import SOURCES, generate
from scripts.load import load
from scripts.settings import PROJECT_ROOT

AS_AT = date(2020, 2, 1)  # the day the January extract was taken
# Fast builds: the data tests guard data, not incrementality, and run in every other build.
BUILD = ("build", "--exclude", "resource_type:test", "resource_type:unit_test")
FACTS = (
    "int_measure_comparisons",
    "int_crimes_classified",
    "int_outcomes_ranked",
    "int_incidents_timed",
    "int_calls_deduplicated",
    "int_survey_answers_scored",
    "int_response_medians_windowed",
    "int_response_times_counted",
    "int_measure_components_monthly",
    "int_outcomes_checked",
    "marts.response_times_by_incident_type",
    "marts.outcome_mix",
    "marts.recorded_crime_by_offence_group",
    *(f"staging.stg_force__{name}" for name in SOURCES),
)


@pytest.fixture(scope="module")
def nightly(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An incremental warehouse after three nights, its first-night marts, and the extracts."""
    root = tmp_path_factory.mktemp("nightly")
    generated, raw = root / "generated", root / "raw"
    generate(generated, seed=11, scale=0.25, first=FIRST, last=LAST, progress=False)
    add_months(generated, raw, FIRST_NIGHT_MONTHS)
    send_an_outcome_before_its_crime(raw)
    warehouse = root / "incremental" / "warehouse.duckdb"
    load(raw, warehouse, progress=False)
    runner.dbt(warehouse, *BUILD)
    first_night = root / "first_night.duckdb"
    shutil.copyfile(warehouse, first_night)
    snapshot_misses = [outcomes_the_snapshot_misses(warehouse)]
    for month in LATER_MONTHS:
        add_months(generated, raw, [month])
        if month == LATER_MONTHS[0]:
            repeat_first_night_rows(raw, month)
            record_a_crime_late(raw, month)
            send_the_crime_after_its_outcome(raw, month)
        results = load(raw, warehouse, progress=False, new_files_only=True)
        assert {result.path.name for result in results} == {f"{name}_{month}.csv.gz" for name in SOURCES}
        runner.dbt(warehouse, *BUILD)
        snapshot_misses.append(outcomes_the_snapshot_misses(warehouse))
    return {
        "root": root,
        "raw": raw,
        "warehouse": warehouse,
        "first_night": first_night,
        "snapshot_misses": snapshot_misses,
    }


def outcomes_the_snapshot_misses(warehouse: Path) -> int:
    """Crimes whose current outcome is not the one current in the outcome snapshot. The extracts
    arrive in the order they were taken, so after every build each crime's current outcome is the
    snapshot's current row for it."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("""
            select count(*)
            from intermediate.int_outcomes_ranked as ranked
            left join snapshots.crime_outcomes_snapshot as snapshot
                on ranked.crime_reference = snapshot.crime_reference
                and snapshot.dbt_valid_to is null
            where ranked.is_current
                and snapshot.outcome_reference is distinct from ranked.outcome_reference
        """).fetchone()[0]


def test_late_outcomes_arrive_for_crimes_of_earlier_months(nightly: dict[str, Path]) -> None:
    """The case the test is for: later extracts change the outcome of crimes already built."""
    with duckdb.connect(str(nightly["warehouse"]), read_only=True) as connection:
        changed = connection.execute("""
            select count(*) from snapshots.crime_outcomes_snapshot
            where dbt_valid_to is not null
        """).fetchone()[0]
        late = connection.execute("""
            select count(*) from intermediate.int_crimes_classified
            where recorded_month <= date '2020-01-01' and current_outcome_month >= date '2020-02-01'
        """).fetchone()[0]
    assert changed > 0 and late > 0


def test_each_night_the_outcome_snapshot_holds_every_crimes_current_outcome(nightly: dict[str, Path]) -> None:
    """A later night's snapshot reads only the outcomes loaded since its newest row
    (is_loaded_since_last_run): it still records every late outcome that replaced an earlier one."""
    assert nightly["snapshot_misses"] == [0] * (1 + len(LATER_MONTHS))


@pytest.fixture(scope="module")
def full_refresh(nightly: dict[str, Path]) -> dict[str, str]:
    """The digests of a full refresh of every month the nights loaded."""
    full = nightly["root"] / "full" / "warehouse.duckdb"
    load(nightly["raw"], full, progress=False)
    runner.dbt(full, *BUILD, "--full-refresh")
    (nightly["root"] / "digests" / "full").mkdir(parents=True)
    return table_digests(full, nightly["root"] / "digests" / "full", facts=FACTS)


def differences(warehouse: Path, work: Path, expected: dict[str, str]) -> list[str]:
    """The tables whose rows differ from the expected digests."""
    work.mkdir(parents=True)
    found = table_digests(warehouse, work, facts=FACTS)
    assert len(expected) > len(FACTS)
    return [table for table in expected if found.get(table) != expected[table]]


def test_incremental_nights_equal_a_full_refresh(nightly: dict[str, Path], full_refresh: dict[str, str]) -> None:
    different = differences(nightly["warehouse"], nightly["root"] / "digests" / "incremental", full_refresh)
    assert not different, f"incremental build differs from a full refresh in {different}"


def test_the_late_recorded_crime_changed_a_month_already_built(nightly: dict[str, Path]) -> None:
    """What makes the test above a test of the measure layer's rebuild: a month of the first night
    holds different figures after the later nights, which only a rebuild from that month gives."""
    month = f"{LATE_RECORDED_MONTH}-01"
    sql = (
        "select value from marts.measure_values where measure_id = 'crimes__all' and geography_level = 'force' "
        f"and period_window = 'month' and period_month = date '{month}'"
    )
    with duckdb.connect(str(nightly["first_night"]), read_only=True) as connection:
        before = connection.execute(sql).fetchone()[0]
    with duckdb.connect(str(nightly["warehouse"]), read_only=True) as connection:
        after = connection.execute(sql).fetchone()[0]
    assert after == before + 1


def test_an_outcome_sent_before_its_crime_is_matched_when_the_crime_arrives(nightly: dict[str, Path]) -> None:
    """What makes the comparison above a test of int_outcomes_checked's nightly: an outcome checked
    on the first night (no crime) is checked again on the night its crime arrives."""
    outcome, _ = early_outcome_references(nightly["raw"])
    sql = f"select has_no_crime from intermediate.int_outcomes_checked where outcome_reference = '{outcome}'"
    flags = []
    for warehouse in (nightly["first_night"], nightly["warehouse"]):
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            flags.append(connection.execute(sql).fetchall())
    assert flags == [[(True,)], [(False,)]]


def test_an_interrupted_night_is_rebuilt_whole_by_the_next(
    nightly: dict[str, Path], full_refresh: dict[str, str], tmp_path: Path
) -> None:
    """A night stopped before the last rebuilt model (here: the commentary left out) records nothing,
    so the next night rebuilds from the month the stopped one would have: the same as a full refresh."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(nightly["first_night"], copy)
    load(nightly["raw"], copy, progress=False, new_files_only=True)
    runner.dbt(copy, *BUILD, "measure_commentary")
    with duckdb.connect(str(copy), read_only=True) as connection:
        recorded = connection.execute("select max(period_month) from raw.measure_inputs_built").fetchone()[0]
    assert recorded == date(2020, 1, 1)
    runner.dbt(copy, *BUILD)
    different = differences(copy, tmp_path / "digests", full_refresh)
    assert not different, f"the night after an interrupted one differs from a full refresh in {different}"


def test_as_at_build_reproduces_the_figures_published_that_day(nightly: dict[str, Path]) -> None:
    out = nightly["root"] / "as_at"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.as_at",
            "--date",
            AS_AT.isoformat(),
            "--warehouse",
            str(nightly["warehouse"]),
            "--out",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rebuilt = out / "warehouse.duckdb"
    assert f"As at {AS_AT.isoformat()}" in (out / f"pack-as-at-{AS_AT.isoformat()}.html").read_text()
    work = nightly["root"] / "as_at_digests"
    (work / "then").mkdir(parents=True)
    (work / "rebuilt").mkdir()
    then = table_digests(nightly["first_night"], work / "then")
    again = table_digests(rebuilt, work / "rebuilt")
    assert then == again
    # and it is not simply today's warehouse: the current figures for those months have moved on
    (work / "today").mkdir()
    today = table_digests(nightly["warehouse"], work / "today")
    assert today["marts.measure_values"] != then["marts.measure_values"]


def test_an_incremental_as_at_build_of_the_working_warehouse_stops(nightly: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(nightly["warehouse"], copy)
    result = subprocess.run(
        runner.dbt_command(copy, "run", "--select", "int_incidents_timed", vars_={"as_at": AS_AT.isoformat()}),
        cwd=PROJECT_ROOT,
        env=runner.pipeline_environment(copy),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode != 0
    assert "make as-at" in result.stdout


def test_a_nightly_build_builds_only_what_new_rows_or_changed_code_reach(nightly: dict[str, Path], tmp_path: Path) -> None:
    """scripts/build_scope.py: with nothing new the nightly builds nothing; a survey extract alone
    builds what survey rows reach and not the crimes' or calls' models, and its passing tests move
    the watermark; a model whose code changed is built, with what is downstream of it."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(nightly["warehouse"], copy)
    pipeline.timed_build(copy, False)  # every node, its tests on every row: the watermark and the saved state
    checked = watermarks(copy)
    assert checked
    raw = tmp_path / "raw"
    shutil.copytree(nightly["raw"], raw)
    # nothing new: no file loaded, no model built, and so no new build identity (the gate and
    # publish then have nothing to do: scripts/already_published.py)
    identity = current_build(copy)
    assert load(raw, copy, progress=False, new_files_only=True) == []
    pipeline.timed_nightly_build(copy)
    assert models_built(copy) == set()
    assert current_build(copy) == identity
    latest = raw / "survey_responses" / f"survey_responses_{LATER_MONTHS[-1]}.csv.gz"
    header, *rows = read_lines(latest)
    write_lines(latest.with_name("survey_responses_2020-04.csv.gz"), [header, *(row.replace(",", "N,", 1) for row in rows[:50])])
    assert [result.path.name for result in load(raw, copy, progress=False, new_files_only=True)] == [
        "survey_responses_2020-04.csv.gz"
    ]
    loaded_build = current_build(copy)
    assert loaded_build != identity
    pipeline.timed_nightly_build(copy)
    assert current_build(copy) not in {identity, loaded_build}
    built = models_built(copy)
    assert {"stg_force__survey_responses", "int_survey_answers_scored", "measure_values"} <= built
    assert not built & {"stg_force__calls", "stg_force__crimes", "int_crimes_classified", "stg_police_uk__street_records"}
    with duckdb.connect(str(copy), read_only=True) as connection:
        survey_loaded = connection.execute("select max(loaded_at) from raw.load_audit").fetchone()[0]
    assert watermarks(copy)[-1] == (survey_loaded,) and survey_loaded > checked[-1][0]
    manifest_path = build_scope.state_dir(copy) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["nodes"]["model.police_performance.int_calls_deduplicated"]["raw_code"] += "\n-- as the last build had it"
    manifest_path.write_text(json.dumps(manifest))
    pipeline.timed_nightly_build(copy)
    built = models_built(copy)
    assert {"int_calls_deduplicated", "measure_values"} <= built and "stg_force__calls" not in built


def test_a_nightly_run_checks_the_rows_loaded_since_the_last_checked_build(nightly: dict[str, Path], tmp_path: Path) -> None:
    """row_checks=new: a test on a table with loaded_at reads the rows loaded after the watermark;
    row_checks=all reads every row. A fault in a checked night passes the nightly run, a fault in
    the new night fails it, and the full re-check finds both."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(nightly["warehouse"], copy)
    with duckdb.connect(str(copy)) as connection:
        first, last = connection.execute("select min(loaded_at), max(loaded_at) from staging.stg_force__calls").fetchone()
        assert first < last
        connection.execute("insert into raw.row_checks_watermark values (?, current_timestamp, 'test')", [first])
        connection.execute(
            "update staging.stg_force__calls set received_at = null where rowid = "
            "(select min(rowid) from staging.stg_force__calls where loaded_at = ?)",
            [first],
        )
    check = ("test", "--select", "not_null_stg_force__calls_received_at")
    new_rows = pipeline.build_environment(copy, "new")
    runner.dbt(copy, *check, environment=new_rows)
    runner.dbt(copy, *check, environment=pipeline.build_environment(copy, "all"), ok_codes=(1,))
    runner.dbt(copy, *check, vars_={"row_checks": "all"}, environment=new_rows, ok_codes=(1,))  # a var wins
    with duckdb.connect(str(copy)) as connection:
        connection.execute(
            "update staging.stg_force__calls set received_at = null where rowid = "
            "(select min(rowid) from staging.stg_force__calls where loaded_at = ?)",
            [last],
        )
    runner.dbt(copy, *check, environment=new_rows, ok_codes=(1,))
    # a selected run never moves the watermark
    assert watermarks(copy) == [(first,)]


def test_the_watermark_moves_only_after_every_test_passed(nightly: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(nightly["warehouse"], copy)
    with duckdb.connect(str(copy)) as connection:
        loaded = connection.execute("select max(loaded_at) from raw.load_audit").fetchone()[0]
        connection.execute("create table staging.kept as select * from staging.stg_force__calls")
        connection.execute("update staging.stg_force__calls set received_at = null where rowid = 0")
    runner.dbt(copy, "test", "--exclude", "resource_type:unit_test", ok_codes=(1,))
    assert watermarks(copy) == []
    with duckdb.connect(str(copy)) as connection:
        connection.execute("create or replace table staging.stg_force__calls as select * from staging.kept")
        connection.execute("drop table staging.kept")
    runner.dbt(copy, "test")
    assert watermarks(copy) == [(loaded,)]


POLICE_UK = PROJECT_ROOT.parent / "shared" / "data" / "police_uk"
# the incremental tables of the police.uk path (the staged street rows' crime-ID flags included)
POLICE_UK_FACTS = ("int_measure_comparisons", "int_police_uk_street_placed", "staging.stg_police_uk__street_records")


def reuse_a_crime_id(earlier: Path, later: Path) -> None:
    """Append to a street file of the later month a record of the same force with a crime ID from
    the earlier month (an ID reused across months, as data.police.uk files carry)."""
    street = sorted(earlier.glob("*-street.csv.gz"))[0]
    header, *rows = csv.reader(read_lines(street))
    row = next(row for row in rows if row[0])
    row[header.index("Month")] = later.name
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    target = later / street.name.replace(earlier.name, later.name, 1)
    write_lines(target, [*read_lines(target), out.getvalue()])


@pytest.mark.skipif(not POLICE_UK.exists(), reason="../shared/data/police_uk is not beside the project")
def test_police_uk_months_arriving_a_night_at_a_time_equal_a_full_refresh(tmp_path: Path) -> None:
    """The data.police.uk path: four months of the real files, then one month a night, each loaded
    and built as the nightly loads and builds them (new files only; only the nodes their rows reach,
    scripts/build_scope.py), against one full refresh."""
    files = tmp_path / "police_uk"
    months = sorted(path.name for path in POLICE_UK.iterdir() if path.is_dir())
    assert len(months) >= 6
    for month in months[:4]:
        shutil.copytree(POLICE_UK / month, files / month)
    warehouse = tmp_path / "incremental" / "warehouse.duckdb"
    load(None, warehouse, progress=False, police_uk_dir=files)
    pipeline.timed_build(warehouse, False)  # every node, its tests on every row: the watermark and the saved state
    for month in months[4:]:
        shutil.copytree(POLICE_UK / month, files / month)
        if month == months[-1]:  # a crime ID of the first month seen again: the first month's row is flagged again
            reuse_a_crime_id(files / months[0], files / month)
        results = load(None, warehouse, progress=False, police_uk_dir=files, new_files_only=True)
        assert results and all(result.path.parent.name == month for result in results)
        pipeline.timed_nightly_build(warehouse)  # as `make nightly` builds: only the nodes the new rows reach
        built = models_built(warehouse)
        assert "stg_police_uk__street_records" in built and "measure_values" in built
        assert not {name for name in built if name.startswith("stg_force__")}, (
            "a night of police.uk files built the force's staging"
        )
    full = tmp_path / "full" / "warehouse.duckdb"
    load(None, full, progress=False, police_uk_dir=files)
    runner.dbt(full, *BUILD, "--full-refresh")
    (tmp_path / "digests" / "full").mkdir(parents=True)
    expected = table_digests(full, tmp_path / "digests" / "full", facts=POLICE_UK_FACTS)
    (tmp_path / "digests" / "incremental").mkdir()
    found = table_digests(warehouse, tmp_path / "digests" / "incremental", facts=POLICE_UK_FACTS)
    assert "marts.police_uk_force_context" in expected
    with duckdb.connect(str(full), read_only=True) as connection:  # the reused ID is flagged in its first month too
        reused = connection.execute(
            "select min(period_month) from staging.stg_police_uk__street_records where is_reused_crime_id"
        ).fetchone()[0]
    assert reused is not None and f"{reused:%Y-%m}" == months[0]
    different = [table for table in expected if found.get(table) != expected[table]]
    assert not different, f"the nightly police.uk build differs from a full refresh in {different}"
