"""The quality gate bites: every expectation can fail, and a failing build is never published."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import run_dbt, run_tool

from scripts import already_published, build_identity
from scripts.gate import datasets
from scripts.gate.carry import checks_digest
from scripts.gate.runner import run_checks
from scripts.gate.suites import Check, SuiteError, load_checks

CHECKS = load_checks()


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_frames(built_warehouse: Path) -> dict:
    return datasets.fetch(built_warehouse, None, {check.dataset for check in CHECKS})


@pytest.fixture
def published_good(warehouse_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the small warehouse that passed the gate and was published into tmp_path/published."""
    published = tmp_path / "published"
    validated = run_tool("validate", warehouse_copy, published)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-2000:]
    assert run_tool("publish", warehouse_copy, published).returncode == 0
    return warehouse_copy, published


def broken(check: Check, frame):
    """The frame with the check's column pushed just past its bound on the first row it applies to."""
    frame = frame.copy()
    kwargs = check.kwargs
    if "column_list" in kwargs:  # a compound key: repeat the first row
        return pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    applies = check.rows(frame).index
    if "column_A" in kwargs:  # a pair: only rows where both are present count
        applies = check.rows(frame).dropna(subset=[kwargs["column_A"], kwargs["column_B"]]).index
    assert len(applies), f"{check.key}: no row of the good build is one it applies to ({check.where})"
    row = applies[0]
    if "column_A" in kwargs:  # a pair that must be equal, or A at least B: make A less than B
        frame[kwargs["column_A"]] = frame[kwargs["column_A"]].astype("float64")
        frame.loc[row, kwargs["column_A"]] = frame.loc[row, kwargs["column_B"]] - 1
        return frame
    column = kwargs["column"]
    frame[column] = frame[column].astype("object")
    if "value_set" in kwargs:
        frame.loc[row, column] = "not in the set"
    elif "max_value" in kwargs:
        frame.loc[row, column] = kwargs["max_value"] + 1
    elif "min_value" in kwargs:
        frame.loc[row, column] = kwargs["min_value"] - (0 if kwargs.get("strict_min") else 1)
    else:
        frame.loc[row, column] = None
    return frame


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.key)
def test_every_expectation_fails_on_data_that_breaks_it(check: Check, good_frames: dict, tmp_path: Path) -> None:
    frame = good_frames[check.dataset]
    if frame.empty:
        frame = frame.reindex([0])
    results, _ = run_checks([check], {check.dataset: broken(check, frame)}, tmp_path / "gx")
    assert [result.success for result in results] == [False]
    if check.dataset == "measure_values":  # the failing figure is named, and the extract it is about
        assert results[0].where_failed and results[0].failed_extracts, results[0]


def test_unknown_dataset_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text(
        "suite: x\nexpectations:\n  - {name: a, dataset: quality_nowhere, type: expect_column_values_to_not_be_null, "
        "kwargs: {column: c}, severity: blocking}\n"
    )
    with pytest.raises(SuiteError, match="quality_nowhere"):
        load_checks(tmp_path, {})


def test_unknown_threshold_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text(
        "suite: x\nexpectations:\n  - {name: a, dataset: measure_values, type: expect_column_values_to_be_between, "
        "kwargs: {column: c, max_value: '{nope}'}, severity: blocking}\n"
    )
    with pytest.raises(SuiteError, match="nope"):
        load_checks(tmp_path, {})


def test_good_build_passes_publishes_and_stores_its_summary(published_good: tuple[Path, Path]) -> None:
    _work, published = published_good
    assert (published / "parquet" / "measure_values.parquet").exists()
    assert (published / "data_docs" / "index.html").exists()
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select count(*), count(*) filter (where not passed and severity = 'blocking') from quality.validation_results"
        ).fetchone()
        measures = connection.execute(
            "select count(*) from read_parquet(?)", [str(published / "parquet" / "measure_values.parquet")]
        ).fetchone()[0]
    assert rows[0] == len(CHECKS) and rows[1] == 0 and measures > 0
    # BI joins the marts to the reference tables without the warehouse: names, units and polarity
    with duckdb.connect() as connection:
        names = connection.execute(
            "select count(*), count(*) filter (where name is not null and unit is not null and polarity is not null) "
            "from read_parquet(?)",
            [str(published / "parquet" / "reference" / "measures.parquet")],
        ).fetchone()
    assert names[0] == names[1] == 64
    assert (published / "parquet" / "reference" / "districts.parquet").exists()
    # Data Docs show the marts suite on the published figures' own columns
    pages = list((published / "data_docs").glob("validations/marts__measure_values/**/*.html"))
    assert pages, sorted(str(p) for p in (published / "data_docs").rglob("*.html"))[:20]
    page = pages[0].read_text(encoding="utf-8")
    assert all(column in page for column in ("is_low_sample", "sample_size", "vs_last_year", "cdi_compliance")), pages[0]


def _break_and_rebuild(work: Path, sql: str, rebuild: bool) -> None:
    with duckdb.connect(str(work)) as connection:
        connection.execute(sql)
    if rebuild:  # raw rows edited in place, not only added: a full refresh, as after any full load
        result = run_dbt(work, "run", "--full-refresh")
        assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(
    ("scenario", "sql", "rebuild", "failed_check"),
    [
        (
            "month missing",
            "delete from raw.crimes where recorded_at >= '2020-01-01' and recorded_at < '2020-02-01'",
            True,
            "raw.no_month_missing",
        ),
        (
            "CDI compliance at 70%",
            "update raw.cdi_audits set is_crime_recorded = false "
            "where is_crime_required and audited_date >= '2020-02-01' and _source_line % 10 < 3",
            True,
            "marts.cdi_compliance_at_threshold",
        ),
        (
            "a rate on n = 12 not flagged",
            "update marts.measure_values set sample_size = 12, is_low_sample = false "
            "where measure_id = 'ppo_rate__rape' and geography = 'Fenland' and period_window = 'month'",
            False,
            "marts.low_samples_flagged",
        ),
        (
            # the shares of flagged rows are the gate's alone (dbt's tests check what must always hold)
            "a fifth of crimes in no district",
            "update raw.crimes set district = 'Gotham' where _source_line % 5 = 0",
            True,
            "raw.districts_known_enough_to_report",
        ),
        (
            "one outcome in a hundred without its crime",
            "update raw.crime_outcomes set crime_reference = crime_reference || '-X' where _source_line % 100 = 0",
            True,
            "staging.outcomes_mostly_have_their_crime",
        ),
        (
            "negative response times",
            "update raw.incidents set first_arrived_at = created_at - interval 10 minute "
            "where first_arrived_at is not null and _source_line % 20 = 0",
            True,
            "staging.events_in_order",
        ),
    ],
)
def test_broken_data_is_refused_and_the_published_build_survives(
    published_good: tuple[Path, Path], scenario: str, sql: str, rebuild: bool, failed_check: str
) -> None:
    work, published = published_good
    before = fingerprint(published / "warehouse.duckdb")
    run_before = (published / "PUBLISHED_RUN").read_text()
    _break_and_rebuild(work, sql, rebuild)

    validated = run_tool("validate", work, published)
    assert validated.returncode == 1, scenario
    assert "NOT PUBLISHABLE" in validated.stderr and failed_check in validated.stderr, validated.stderr
    refused = run_tool("publish", work, published)
    assert refused.returncode == 1 and "REFUSED" in refused.stderr and failed_check in refused.stderr

    assert fingerprint(published / "warehouse.duckdb") == before
    assert (published / "PUBLISHED_RUN").read_text() == run_before
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.measure_values").fetchone()[0] > 0


def test_a_reader_holding_the_published_file_is_not_broken_by_a_publish(published_good: tuple[Path, Path]) -> None:
    work, published = published_good
    reader = duckdb.connect(str(published / "warehouse.duckdb"), read_only=True)
    try:
        before = reader.execute("select count(*) from marts.measure_values").fetchone()[0]
        first_run = (published / "PUBLISHED_RUN").read_text()
        assert run_tool("validate", work, published).returncode == 0
        assert run_tool("publish", work, published).returncode == 0
        assert (published / "PUBLISHED_RUN").read_text() != first_run
        assert reader.execute("select count(*) from marts.measure_values").fetchone()[0] == before
    finally:
        reader.close()
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as fresh:
        assert fresh.execute("select count(distinct run_id) from quality.validation_runs").fetchone()[0] == 2


def test_publish_refuses_a_build_that_was_never_validated(warehouse_copy: Path, tmp_path: Path) -> None:
    refused = run_tool("publish", warehouse_copy, tmp_path / "published")
    assert refused.returncode == 1 and "no quality gate run" in refused.stderr
    assert not (tmp_path / "published" / "warehouse.duckdb").exists()


def _published_state(published: Path) -> tuple[str, str]:
    return fingerprint(published / "warehouse.duckdb"), (published / "PUBLISHED_RUN").read_text()


def test_publish_refuses_a_build_that_failed_after_the_gate_passed(published_good: tuple[Path, Path]) -> None:
    work, published = published_good
    before = _published_state(published)
    # a dbt build that changes the warehouse and then fails: a raw row gone behind the loader's back
    # (no build identity of its own), which the load audit's balance test catches
    with duckdb.connect(str(work)) as connection:
        connection.execute("delete from raw.calls where _source_line = 2")
    failed = run_dbt(work, "build")
    assert failed.returncode != 0 and "assert_load_audit_balances" in failed.stdout
    refused = run_tool("publish", work, published)
    assert refused.returncode == 1 and "has changed since quality gate run" in refused.stderr
    assert _published_state(published) == before


def test_publish_refuses_a_load_with_no_gate_run_since(published_good: tuple[Path, Path], small_extracts: Path) -> None:
    from scripts.load import load

    work, published = published_good
    before = _published_state(published)
    load(small_extracts, work, sources=["crimes"], progress=False)
    refused = run_tool("publish", work, published)
    assert refused.returncode == 1 and "has changed since quality gate run" in refused.stderr
    assert _published_state(published) == before
    # the load replaced raw rows, so it asks for a full refresh, as `make build` then runs; validated
    # again, the same warehouse publishes, and PUBLISHED_RUN names the run that validated it
    from scripts.load import full_refresh_marker

    assert full_refresh_marker(work).exists()
    assert run_dbt(work, "build", "--full-refresh").returncode == 0
    validated = run_tool("validate", work, published)
    assert validated.returncode == 0
    assert run_tool("publish", work, published).returncode == 0
    run_id = validated.stdout.split("validate: run ", 1)[1].split(":", 1)[0]
    assert (published / "PUBLISHED_RUN").read_text().strip() == run_id


def _runs(work: Path) -> int:
    with duckdb.connect(str(work), read_only=True) as connection:
        return connection.execute("select count(*) from quality.validation_runs").fetchone()[0]


def test_the_nightly_gates_and_publishes_a_build_only_once(published_good: tuple[Path, Path]) -> None:
    """scripts/already_published.py: a nightly that finds the warehouse is the build already gated
    and published, by the same checks and code, checks and publishes nothing; each of the
    conditions, changed alone, gives the gate and publish their work back."""
    work, published = published_good
    before, runs = _published_state(published), _runs(work)
    for tool in ("validate", "publish"):
        skipped = run_tool(tool, work, published, "--skip-if-published")
        assert skipped.returncode == 0 and f"{tool}: nothing to do" in skipped.stdout, skipped.stderr[-2000:]
    assert (_published_state(published), _runs(work)) == (before, runs)

    checks, code, copy = checks_digest(CHECKS), already_published.code_digest(), published / "warehouse.duckdb"
    published_run = before[1].strip()
    assert already_published.already_published(work, copy, checks, code) == published_run
    assert already_published.already_published(work, copy, "other checks", code) is None
    assert already_published.already_published(work, copy, checks, "other code") is None
    # a gate run of the same build that is not yet published: publish has work, and does it
    assert run_tool("validate", work, published).returncode == 0
    assert already_published.already_published(work, copy, checks, code) is None
    republished = run_tool("publish", work, published, "--skip-if-published")
    assert republished.returncode == 0 and "nothing to do" not in republished.stdout
    assert _published_state(published)[1].strip() != published_run
    assert already_published.already_published(work, copy, checks, code) == _published_state(published)[1].strip()
    # a gate run that failed, then a new build
    with duckdb.connect(str(work)) as connection:
        connection.execute(
            "update quality.validation_runs set is_publishable = false "
            "where validated_at = (select max(validated_at) from quality.validation_runs)"
        )
    assert already_published.already_published(work, copy, checks, code) is None
    with duckdb.connect(str(work)) as connection:
        connection.execute("update quality.validation_runs set is_publishable = true")
        build_identity.record(connection, "test")
    assert already_published.already_published(work, copy, checks, code) is None


def test_the_code_digest_is_of_what_gates_and_publishes(tmp_path: Path) -> None:
    """Any file under scripts/, expectations/ or config/, or the pinned packages, changes the code
    digest (by its bytes or its name); compiled Python does not."""
    for name in ("scripts/gate/a.py", "expectations/raw.yml", "config/warehouse.yml", "requirements.txt", "models/m.sql"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    first = already_published.code_digest(tmp_path)
    (tmp_path / "scripts" / "gate" / "__pycache__").mkdir()
    (tmp_path / "scripts" / "gate" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"compiled")
    (tmp_path / "models" / "m.sql").write_text("select 2")  # dbt's code gives a new build instead
    assert already_published.code_digest(tmp_path) == first
    for name in ("scripts/gate/a.py", "expectations/raw.yml", "config/warehouse.yml", "requirements.txt"):
        (tmp_path / name).write_text(name + " changed")
        changed = already_published.code_digest(tmp_path)
        assert changed != first
        first = changed
    (tmp_path / "config" / "warehouse.yml").rename(tmp_path / "config" / "other.yml")
    assert already_published.code_digest(tmp_path) != first


def test_a_quote_in_the_published_folder_is_not_spliced_into_sql(warehouse_copy: Path, tmp_path: Path) -> None:
    published = tmp_path / 'board\'s "published" folder'
    assert run_tool("validate", warehouse_copy, published).returncode == 0
    result = run_tool("publish", warehouse_copy, published)
    assert result.returncode == 0, result.stderr
    assert (published / "parquet" / "measure_values.parquet").exists()


def test_dbt_vars_are_passed_quoted_whatever_they_hold(tmp_path: Path) -> None:
    import yaml

    from scripts import runner

    values = {"as_at": "2025-04-01", "note": 'it\'s "quoted", {braced}: and: colons'}
    command = runner.dbt_command(tmp_path / "w.duckdb", "build", vars_=values)
    assert yaml.safe_load(command[command.index("--vars") + 1]) == values


def test_the_published_warehouse_holds_what_readers_need_and_no_raw_rows(published_good: tuple[Path, Path]) -> None:
    work, published = published_good
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as connection:
        tables = set(connection.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall())
        quarantine_columns = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'quarantine'"
            ).fetchall()
        ]
        reasons = connection.execute(
            "select count(*), count(source_file), count(source_line), count(reason) from raw.quarantine"
        ).fetchone()
        measures = connection.execute("select count(*) from marts.measure_values").fetchone()[0]
    names = {name for (name,) in tables}
    assert {
        "marts.measure_values",
        "marts.rpt_board_tables",
        "reference.measures",
        "quality.validation_runs",
        "raw.load_audit",
        "raw.quarantine",
    } <= names
    assert not [name for name in names if name.split(".")[0] in ("staging", "intermediate", "snapshots")]
    assert not [name for name in names if name in ("raw.crimes", "raw.incidents", "raw.calls", "raw.police_uk_street")]
    assert "original_values" not in quarantine_columns
    assert reasons[0] > 0 and len(set(reasons)) == 1 and measures > 0
    with duckdb.connect(str(work), read_only=True) as connection:  # the working warehouse keeps them all
        assert connection.execute("select count(original_values) from raw.quarantine").fetchone()[0] == reasons[0]
