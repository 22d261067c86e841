"""Releases: each publish is a version, compared with the one before (scripts/release.py).

End to end: three months of SYNTHETIC extracts published, then a fourth month arrives carrying
outcomes for crimes of the earlier months (late outcomes), built incrementally and published again.
The second release's revised figures are checked against an independent diff of the two published
warehouses, the first kept read-only under releases/. Beside it, the rules on small hand-made files:
a repeated key or a mart without one stops the release, a column added or removed is a schema change.
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import SMALL, read_lines, run_tool, write_lines

from scripts import release, runner
from scripts.generate import SOURCES, generate
from scripts.load import load
from scripts.settings import PROJECT_ROOT

LATE_MONTH = "2020-03"
BUILD = ("build", "--exclude", "resource_type:test", "resource_type:unit_test")


def validate_and_publish(warehouse: Path, published: Path) -> str:
    """The gate, then publish; the release's version."""
    for tool in ("validate", "publish"):
        result = run_tool(tool, warehouse, published)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout.split("published as release ", 1)[1].split(" ", 1)[0]


def add_late_outcomes(raw: Path) -> None:
    """The fourth month's outcomes extract also carries charges assigned in January to January crimes
    that had no outcome, recorded only now (late): January's prosecution possible outcomes, already
    published, rise."""
    outcomes = raw / "crime_outcomes" / f"crime_outcomes_{LATE_MONTH}.csv.gz"
    with_outcome = {line.split(",")[1] for path in (raw / "crime_outcomes").iterdir() for line in read_lines(path)[1:]}
    crimes = [line.split(",", 1)[0] for line in read_lines(raw / "crimes" / "crimes_2020-01.csv.gz")[1:]]
    late = [crime for crime in crimes if crime not in with_outcome][:3]
    assert len(late) == 3, "no January crime without an outcome to give one"
    rows = [f"OCLATE{index:06d},{crime},1,2020-01-20" for index, crime in enumerate(late)]
    write_lines(outcomes, [*read_lines(outcomes), *rows])


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Three months published, then a fourth with late outcomes built incrementally and published."""
    root = tmp_path_factory.mktemp("releases")
    generated, raw, published = root / "generated", root / "raw", root / "published"
    generate(
        generated,
        seed=SMALL["seed"],
        scale=SMALL["scale"],
        first=SMALL["first"],
        last=SMALL["last"].replace(month=3),
        progress=False,
    )
    for name in SOURCES:
        (raw / name).mkdir(parents=True)
        for path in sorted((generated / name).iterdir()):
            if LATE_MONTH not in path.name:
                shutil.copy(path, raw / name)
    warehouse = root / "work" / "warehouse.duckdb"
    load(raw, warehouse, progress=False)
    runner.dbt(warehouse, *BUILD)
    first = validate_and_publish(warehouse, published)
    for name in SOURCES:
        for path in (generated / name).glob(f"*{LATE_MONTH}*"):
            shutil.copy(path, raw / name)
    add_late_outcomes(raw)
    assert load(raw, warehouse, progress=False, new_files_only=True), "the nightly load found no new files"
    runner.dbt(warehouse, *BUILD)
    second = validate_and_publish(warehouse, published)
    return {"published": published, "first": first, "second": second, "work": warehouse}


def _marts(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        return {name: connection.execute(f"select * from marts.{name}").df() for name in names}


def expected_revisions(before: Path, after: Path) -> set[tuple]:
    """Every number that differs between two builds in a row both have, found with pandas."""
    keys, revisions = release.mart_keys(), set()
    old_marts, new_marts = _marts(before), _marts(after)
    for mart, old in old_marts.items():
        new, key = new_marts[mart], keys[mart]
        both = old.merge(new, on=key, suffixes=("_before", "_after"), how="inner")
        for column in old.columns:
            numeric = pd.api.types.is_numeric_dtype(old[column]) and not pd.api.types.is_bool_dtype(old[column])
            if column in key or column not in new.columns or not numeric:
                continue
            was, now = both[f"{column}_before"], both[f"{column}_after"]
            differs = ~((was == now) | (was.isna() & now.isna()))
            for _, row in both[differs].iterrows():
                row_key = json.dumps({name: "None" if pd.isna(row[name]) else str(row[name]) for name in key}, sort_keys=True)
                revisions.add((mart, row_key, column, _number(row[f"{column}_before"]), _number(row[f"{column}_after"])))
    return revisions


def _number(value: object) -> float | None:
    return None if pd.isna(value) else round(float(value), 9)


def recorded_revisions(published: Path, version: str) -> set[tuple]:
    with duckdb.connect(str(published), read_only=True) as connection:
        rows = connection.execute(
            "select mart, row_key, figure, previous_value, current_value from releases.revised_figures where version = ?",
            [version],
        ).fetchall()
    return {
        (
            mart,
            json.dumps({name: _key_text(value) for name, value in json.loads(row_key).items()}, sort_keys=True),
            figure,
            _number(before),
            _number(after),
        )
        for mart, row_key, figure, before, after in rows
    }


def _key_text(value: object) -> str:
    """A key value as pandas prints it (a date as its timestamp, no value as None)."""
    if value is None:
        return "None"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value} 00:00:00"
    return str(value)


def test_a_late_outcome_is_listed_in_the_next_release_as_exactly_the_figures_it_revised(two_releases: dict) -> None:
    published, first, second = two_releases["published"], two_releases["first"], two_releases["second"]
    kept = published / "releases" / str(first) / "warehouse.duckdb"
    assert kept.exists() and not kept.stat().st_mode & stat.S_IWUSR, "the first release is kept read-only"
    expected = expected_revisions(kept, published / "warehouse.duckdb")
    recorded = recorded_revisions(published / "warehouse.duckdb", str(second))
    assert any(mart == "measure_values" for mart, *_ in expected), "the late outcomes revised no rate: nothing to test"
    assert recorded == expected, (
        f"left out: {sorted(expected - recorded, key=str)[:5]}; not revised: {sorted(recorded - expected, key=str)[:5]}"
    )
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as connection:
        log = connection.execute("select version, previous_version from releases.release_log order by released_at").fetchall()
        added = connection.execute(
            "select rows_added from releases.mart_changes where version = ? and mart = 'measure_values'", [second]
        ).fetchone()[0]
    assert log == [(first, None), (second, first)]
    assert added > 0, "the fourth month's rows are added rows, not revisions"
    note = (published / "RELEASE_NOTE.md").read_text()
    assert f"Compared with release {first}" in note and "Figures revised for months already published" in note


def test_the_nightly_gate_read_again_exactly_the_months_the_night_changed(two_releases: dict) -> None:
    """The second gate run carried the first's results for every month whose figures the night left
    as they were, and read the rest: the new month, the months the late outcomes revised and the
    month that stopped being the latest (scripts/gate/carry.py). The months expected are found by
    comparing the two published releases row by row."""
    published, first = two_releases["published"], two_releases["first"]
    kept = published / "releases" / str(first) / "warehouse.duckdb"
    with duckdb.connect() as connection:
        connection.execute(f"attach '{kept}' as before (read_only)")
        connection.execute(f"attach '{published / 'warehouse.duckdb'}' as after (read_only)")
        changed = {
            month
            for (month,) in connection.execute("""
                select period_month from (
                    (select * from before.marts.measure_values except select * from after.marts.measure_values)
                    union all
                    (select * from after.marts.measure_values except select * from before.marts.measure_values)
                )
                union select max(period_month) from before.marts.measure_values
                union select max(period_month) from after.marts.measure_values
            """).fetchall()
        }
    with duckdb.connect(str(two_releases["work"]), read_only=True) as connection:
        run, carried_from = connection.execute(
            "select run_id, carried_from_run from quality.validation_runs order by validated_at desc limit 1"
        ).fetchone()
        read = {
            month
            for (month,) in connection.execute(
                "select period_month from quality.validated_months where run_id = ? and not is_carried", [run]
            ).fetchall()
        }
        carried = connection.execute(
            "select count(*) from quality.validated_months where run_id = ? and is_carried", [run]
        ).fetchone()[0]
    assert carried_from is not None and carried > 0, "the nightly gate carried nothing"
    assert len(changed) > 2, "the late outcomes revised no earlier month: nothing to test"
    assert read == changed, f"read but unchanged: {sorted(read - changed)}; changed but carried: {sorted(changed - read)}"


def _mart_file(path: Path, rows: list[tuple], extra_column: bool = False) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        extra = ", note varchar" if extra_column else ""
        connection.execute(
            "create table marts.measure_values (measure_id varchar, geography_level varchar, geography varchar, "
            f"period_month date, period_window varchar, value double{extra})"
        )
        for row in rows:
            connection.execute(f"insert into marts.measure_values values ({', '.join('?' * len(row))})", list(row))
    return path


ROW = ("m", "force", "F", "2020-01-01", "month", 1.0)


def test_a_changed_value_is_revised_and_a_new_column_is_a_schema_change(tmp_path: Path) -> None:
    before = _mart_file(tmp_path / "before.duckdb", [ROW])
    after = _mart_file(
        tmp_path / "after.duckdb", [(*ROW[:5], 1.5, "x"), ("m", "force", "F", "2020-02-01", "month", 2.0, "y")], True
    )
    made = release.record(after, before, "b" * 32, "run")
    with duckdb.connect(str(after), read_only=True) as connection:
        revised = connection.execute(
            "select figure, previous_value, current_value, change from releases.revised_figures"
        ).fetchall()
        counts = connection.execute("select rows_added, rows_removed, rows_changed from releases.mart_changes").fetchall()
        schema = connection.execute("select column_name, change from releases.schema_changes").fetchall()
    assert revised == [("value", 1.0, 1.5, 0.5)]
    assert counts == [(1, 0, 1)]
    assert schema == [("note", "added")]
    assert "build published before releases had versions" in made.note


def test_a_repeated_key_stops_the_release(tmp_path: Path) -> None:
    before = _mart_file(tmp_path / "before.duckdb", [ROW])
    after = _mart_file(tmp_path / "after.duckdb", [ROW, ROW])
    with pytest.raises(release.ReleaseError, match="repeat in the current build"):
        release.record(after, before, "b" * 32, "run")


def test_every_mart_has_a_key_to_compare_its_rows_by() -> None:
    """A mart without a unique_combination test would stop every publish: each has one."""
    marts = sorted(path.stem for path in (PROJECT_ROOT / "models" / "marts").rglob("*.sql"))
    keys = release.mart_keys()
    assert marts and not [mart for mart in marts if mart not in keys]
