"""data.police.uk files: loaded whole, counted right (quoted commas, no-LSOA rows), and guarded."""

from __future__ import annotations

import csv
import gzip
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from conftest import add_measure, project_copy, run_dbt
from police_uk_reference import Reference, crime_counts

from scripts.load import LoadError, load
from scripts.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared" / "data" / "police_uk"
pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/police_uk is not beside the project")

# SYNTHETIC rows in the published layouts, for the kinds the shared download does not include.
SEARCHES = """Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing
Person search,2025-01-03T10:15:00+00:00,False,,52.13,-0.46,,,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False
Person search,2025-01-09T22:40:00+00:00,False,,52.14,-0.47,,,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,False,False
Vehicle search,2025-01-20T14:05:00+00:00,,,,,,,,,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,A no further action disposal,,
"""
OUTCOMES = """Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type
aaa1,2025-01,Bedfordshire Police,Bedfordshire Police,-0.46,52.13,On or near Example Road,E01017503,Bedford 002C,Unable to prosecute suspect
aaa1,2025-01,Bedfordshire Police,Bedfordshire Police,-0.46,52.13,On or near Example Road,E01017503,Bedford 002C,Local resolution
bbb2,2025-01,Bedfordshire Police,Bedfordshire Police,,,No location,,,Investigation complete; no suspect identified
"""


def read_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def police_uk_warehouse(small_extracts: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("police_uk")
    shutil.copytree(SHARED, folder, dirs_exist_ok=True)
    (folder / "2025-01" / "2025-01-bedfordshire-stop-and-search.csv").write_text(SEARCHES)
    (folder / "2025-01" / "2025-01-bedfordshire-outcomes.csv").write_text(OUTCOMES)
    warehouse = tmp_path_factory.mktemp("pu_warehouse") / "warehouse.duckdb"
    load(small_extracts, warehouse, progress=False, police_uk_dir=folder)
    built = run_dbt(warehouse, "build")
    assert built.returncode == 0, built.stdout[-4000:]
    return warehouse


def test_crime_counts_equal_an_independent_count_of_the_csv_rows(police_uk_warehouse: Path) -> None:
    expected = crime_counts(SHARED, Reference.read())
    with (PROJECT_ROOT / "seeds" / "police_uk_crime_types.csv").open(newline="") as handle:
        keys = {row["crime_type"]: row["crime_type_key"] for row in csv.DictReader(handle)}
    with duckdb.connect(str(police_uk_warehouse), read_only=True) as connection:
        rows = connection.execute("""
            select geography_level, geography, cast(period_month as varchar), measure_id, value
            from marts.measure_values
            where starts_with(measure_id, 'pu_crimes__') and period_window = 'month'
        """).fetchall()
        forces = dict(
            connection.execute("""
            select geography, sum(value) from marts.measure_values
            where measure_id = 'pu_crimes__all' and geography_level = 'force' and period_window = 'month' group by 1
        """).fetchall()
        )
    found = {(level, geography, month, measure): value for level, geography, month, measure, value in rows}
    for (_force, month, place, crime_type), count in expected.items():
        assert found[("district", place, month, f"pu_crimes__{keys[crime_type]}")] == count, (place, month, crime_type)
    by_force: Counter = Counter()
    for (force, _, _, _), count in expected.items():
        by_force[force] += count
    assert forces == dict(by_force)
    # The trap rows are in: the quoted "Bournemouth, Christchurch and Poole" row (Dorset's district,
    # outside Hertfordshire) and the no-LSOA rows.
    assert (
        expected[
            (
                "Hertfordshire Constabulary",
                "2025-03-01",
                "Outside force area (Hertfordshire Constabulary)",
                "Violence and sexual offences",
            )
        ]
        >= 1
    )
    assert sum(count for (_, _, place, _), count in expected.items() if place.startswith("No location")) > 1000
    assert found[("district", "No location (Cambridgeshire Constabulary)", "2025-01-01", "pu_crimes__all")] == sum(
        count
        for (force, month, place, _), count in expected.items()
        if place == "No location (Cambridgeshire Constabulary)" and month == "2025-01-01"
    )


def test_anti_social_behaviour_is_kept_apart_from_crime(police_uk_warehouse: Path) -> None:
    asb = sum(
        1 for path in SHARED.glob("*/*-street.csv.gz") for row in read_rows(path) if row["Crime type"] == "Anti-social behaviour"
    )
    with duckdb.connect(str(police_uk_warehouse), read_only=True) as connection:
        counted = connection.execute("""
            select sum(value) from marts.measure_values
            where measure_id = 'pu_asb__all' and geography_level = 'force' and period_window = 'month'
        """).fetchone()[0]
        in_crime = connection.execute(
            "select count(*) from intermediate.int_police_uk_street_placed where is_crime and crime_type = 'Anti-social behaviour'"
        ).fetchone()[0]
    assert counted == asb > 0 and in_crime == 0


def test_stop_search_and_outcome_files_load_and_measure(police_uk_warehouse: Path) -> None:
    with duckdb.connect(str(police_uk_warehouse), read_only=True) as connection:
        searches = dict(
            connection.execute("""
            select measure_id, value from marts.measure_values
            where starts_with(measure_id, 'pu_stop') and geography = 'Bedfordshire Police' and period_window = 'month'
              and period_month = '2025-01-01'
        """).fetchall()
        )
        other_forces = connection.execute(
            "select count(*) from marts.measure_values where starts_with(measure_id, 'pu_stop') and geography != 'Bedfordshire Police'"
        ).fetchone()[0]
        outcomes = connection.execute(
            "select count(*), count(*) filter (where is_superseded) from staging.stg_police_uk__outcomes"
        ).fetchone()
    assert searches == {"pu_stop_searches__all": 3, "pu_stop_search_linked_share": 0.5}
    assert other_forces == 0  # no stop-and-search files for them: absent, not zero
    assert outcomes == (3, 1)


def test_a_new_police_uk_measure_is_one_catalogue_row_and_one_registry_entry(police_uk_warehouse: Path, tmp_path: Path) -> None:
    """Burglary and robbery together: appended to the public catalogue and the registry of a copy of
    the project, built by dbt into measure_values, and equal to an independent count of the rows of
    the street files for each district (or bucket) and month."""
    measure = "pu_crimes__burglary_or_robbery"
    project = project_copy(tmp_path / "project")
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(police_uk_warehouse, warehouse)
    add_measure(
        project,
        warehouse,
        tmp_path,
        "public_measures",
        [measure, "performance", "Burglary or robbery on data.police.uk", "count", "lower_is_better", "", "", "", "police_uk"],
        "int_police_uk_measure_components_monthly",
        measure_id=measure,
        counted_from="police_uk_street",
        numerator_condition="is_crime and crime_type_key in ('burglary', 'robbery')",
        month_basis="police.uk month",
        quality_extract="police_uk",
    )
    expected: Counter = Counter()
    for (_force, month, place, crime_type), count in crime_counts(SHARED, Reference.read()).items():
        if crime_type in ("Burglary", "Robbery") and place is not None:
            expected[(place, month)] += count
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        built = {
            (place, month): value
            for place, month, value in connection.execute(
                """select geography, cast(period_month as varchar), value from marts.measure_values
                where measure_id = ? and geography_level = 'district' and period_window = 'month'""",
                [measure],
            ).fetchall()
        }
    assert sum(expected.values()) > 1000
    assert {key: value for key, value in built.items() if value} == dict(expected)


def test_a_wrong_police_uk_header_stops_the_load(small_extracts: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pu" / "2025-01"
    folder.mkdir(parents=True)
    (folder / "2025-01-bedfordshire-street.csv").write_text("Crime ID,Month,Reported by\nx,2025-01,Bedfordshire Police\n")
    with pytest.raises(LoadError, match=r"2025-01-bedfordshire-street\.csv: header does not match the 'street' contract"):
        load(small_extracts, tmp_path / "w.duckdb", progress=False, police_uk_dir=tmp_path / "pu")


def test_a_missing_force_month_is_marked_not_refused(police_uk_warehouse: Path, tmp_path: Path) -> None:
    work = tmp_path / "warehouse.duckdb"
    shutil.copy(police_uk_warehouse, work)
    with duckdb.connect(str(work)) as connection:
        connection.execute("delete from raw.police_uk_street where _source_file like '%2025-03-bedfordshire-street%'")
    # rows gone from raw: a full refresh, as the loader's marker asks after a load that removed rows
    assert run_dbt(work, "run", "--full-refresh").returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "scripts.validate", "--warehouse", str(work), "--published", str(tmp_path / "pub")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "police_uk file_for_every_force_month" in result.stdout and "bedfordshire 2025-03" in result.stdout
    with duckdb.connect(str(work), read_only=True) as connection:
        marked = connection.execute("""select is_complete, incomplete_reason from marts.measure_values
            where measure_id = 'pu_crimes__all' and geography = 'Bedfordshire Police' and period_window = 'month'
              and period_month = '2025-03-01'""").fetchone()
    assert marked == (False, "Bedfordshire Police 2025-03: no street file")


def test_the_warehouse_runs_on_police_uk_files_instead_of_the_force_extracts(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    loaded = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.load",
            "--no-force-extracts",
            "--police-uk",
            str(SHARED),
            "--warehouse",
            str(warehouse),
            "--quiet",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert loaded.returncode == 0, loaded.stderr
    built = run_dbt(warehouse, "build")
    assert built.returncode == 0, built.stdout[-4000:]
    gate = subprocess.run(
        [sys.executable, "-m", "scripts.validate", "--warehouse", str(warehouse), "--published", str(tmp_path / "pub")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert gate.returncode == 0, gate.stdout[-3000:] + gate.stderr[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        measures = connection.execute(
            "select count(distinct measure_id), bool_and(starts_with(measure_id, 'pu_')) from marts.measure_values"
        ).fetchone()
    assert measures == (21, True)
    pack = subprocess.run(
        [sys.executable, "-m", "scripts.pack", "--warehouse", str(warehouse)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert pack.returncode == 0 and "skipped" in pack.stdout


def test_discovery_goes_by_file_name_wherever_the_download_was_unpacked(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from scripts.contract import load_police_uk_contract
    from scripts.load import discover_police_uk

    root = tmp_path / "2025-12-kent-street" / "download"
    (root / "2025-01").mkdir(parents=True)
    (root / "2025-02").mkdir(parents=True)
    source = SHARED / "2025-01" / "2025-01-bedfordshire-street.csv.gz"
    shutil.copy(source, root / "2025-01")
    shutil.copy(source, root / "2025-01" / "2025-01-bedfordshire-street (copy).csv.gz")
    shutil.copy(source, root / "2025-02" / "2025-01-bedfordshire-street.csv.gz.bak")
    shutil.copy(source, root / "2025-02" / "2025-01-hertfordshire-street.csv.gz")  # month of the file != folder
    found = discover_police_uk(tmp_path, load_police_uk_contract())
    assert found["street"] == [root / "2025-01" / "2025-01-bedfordshire-street.csv.gz"]
    notice = capsys.readouterr().out
    for name in ("(copy).csv.gz", ".csv.gz.bak", "2025-02/2025-01-hertfordshire-street.csv.gz"):
        assert name in notice
    with gzip.open(source, "rb") as packed:
        (root / "2025-01" / "2025-01-bedfordshire-street.csv").write_bytes(packed.read())
    with pytest.raises(LoadError, match=r"2025-01-bedfordshire-street\.csv.*count its rows twice"):
        discover_police_uk(tmp_path, load_police_uk_contract())


def test_the_force_pack_has_a_national_context_section_when_police_uk_files_are_loaded(
    police_uk_warehouse: Path, tmp_path: Path
) -> None:
    from datetime import date

    from scripts.pack import write_pack
    from scripts.report import national

    # the small force extracts end in 2020, before any police.uk month loaded: the section says so
    page = write_pack(police_uk_warehouse, tmp_path / "pack.html", None).read_text(encoding="utf-8")
    note = page.split('id="national-context"', 1)[1].split("</section>", 1)[0]
    assert "No data.police.uk month at or before February 2020" in note and "the latest is June 2025" in note
    with duckdb.connect(str(police_uk_warehouse), read_only=True) as connection:
        (section,) = national.force_pack_sections(connection, "cambridgeshire", date(2025, 3, 1))
        crimes, coverage = connection.execute("""
            select force.crimes, country.forces_counted || ' of ' || country.forces_expected
            from marts.police_uk_force_context as force
            inner join marts.police_uk_area_totals as country
                on country.geography_level = 'country' and force.period_month = country.period_month
                and force.period_window = country.period_window
            where force.force_slug = 'cambridgeshire' and force.period_window = 'month'
              and force.period_month = '2025-03-01'""").fetchone()
    assert "Cambridgeshire Constabulary" in section and f'data-national="force-crimes">{crimes:,}<' in section
    assert coverage == "3 of 43" and f"{coverage} forces (not counted:" in section


def test_geography_seeds_are_what_the_ons_files_give(tmp_path: Path) -> None:
    from scripts import geography_seeds

    assert geography_seeds.main(["--check"]) == 0
    # a seed edited by hand (or an ONS file updated) is caught
    reference = tmp_path / "geography"
    shutil.copytree(PROJECT_ROOT.parent / "shared" / "reference" / "geography", reference)
    population = reference / "population_lad_mid2023.csv"
    population.write_text(population.read_text().replace(",95366\n", ",95367\n", 1))
    assert geography_seeds.main(["--check", "--reference", str(reference)]) == 1
