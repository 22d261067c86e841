"""Every force of the real data.police.uk download: counted right, placed right, national figures with
their coverage, and no force blocking another (../shared/data/police_uk_all_forces)."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from collections import Counter
from html import escape
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt
from police_uk_reference import ALL_FORCES, Reference, crime_counts, national_figures

from scripts.settings import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not ALL_FORCES.exists(), reason="../shared/data/police_uk_all_forces is not beside the project")


def load_build_validate(folder: Path, work: Path) -> subprocess.CompletedProcess:
    """Load a police.uk folder instead of the force extracts, build, and run the gate; the gate's result."""
    warehouse = work / "warehouse.duckdb"
    loaded = subprocess.run(
        [sys.executable, "-m", "scripts.load", "--no-force-extracts", "--police-uk", str(folder), "--warehouse", str(warehouse)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    built = run_dbt(warehouse, "build")
    assert built.returncode == 0, built.stdout[-4000:]
    return subprocess.run(
        [sys.executable, "-m", "scripts.validate", "--warehouse", str(warehouse), "--published", str(work / "published")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference.read()


@pytest.fixture(scope="module")
def all_forces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole all-forces download loaded, built and passed by the gate."""
    work = tmp_path_factory.mktemp("all_forces")
    gate = load_build_validate(ALL_FORCES, work)
    assert gate.returncode == 0, gate.stdout[-3000:] + gate.stderr[-2000:]
    return work / "warehouse.duckdb"


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_counts_by_force_district_month_and_type_equal_an_independent_count(all_forces: Path, reference: Reference) -> None:
    expected = crime_counts(ALL_FORCES, reference)
    keys = dict(query(all_forces, "select crime_type, crime_type_key from reference.police_uk_crime_types"))
    found = {
        (geography, month, measure): value
        for geography, month, measure, value in query(
            all_forces,
            """
        select geography, cast(period_month as varchar), measure_id, value from marts.measure_values
        where starts_with(measure_id, 'pu_crimes__') and measure_id != 'pu_crimes__all'
          and period_window = 'month' and geography_level = 'district'""",
        )
    }
    by_force: Counter = Counter()
    for (force, month, place, crime_type), count in expected.items():
        by_force[(force, month)] += count
        if place is not None:
            assert found[(place, month, f"pu_crimes__{keys[crime_type]}")] == count, (force, place, month, crime_type)
    district_total = sum(count for (_, _, place, _), count in expected.items() if place is not None)
    assert sum(found.values()) == district_total  # nothing in the warehouse that the files do not hold
    forces = {
        (geography, month): value
        for geography, month, value in query(
            all_forces,
            """
        select geography, cast(period_month as varchar), value from marts.measure_values
        where measure_id = 'pu_crimes__all' and geography_level = 'force' and period_window = 'month' and value > 0""",
        )
    }
    assert forces == dict(by_force)
    assert len({force for force, _ in forces}) == 41  # 39 force areas, BTP and Northern Ireland
    # The real files' traps are in the count: repeated IDs (Derbyshire), reused IDs (Northern Ireland),
    # rows with no ID (BTP), and records in other forces' districts.
    shares = {
        (slug, month): (rep, reu, mis)
        for slug, month, rep, reu, mis in query(
            all_forces,
            """
        select force_slug, strftime(period_month, '%Y-%m'), repeated_crime_id_share, reused_crime_id_share,
               missing_crime_id_share from quality.quality_police_uk_months""",
        )
    }
    assert shares[("derbyshire", "2025-01")][0] > 0.02
    assert shares[("northern-ireland", "2025-02")][1] > 0.5
    assert shares[("btp", "2025-01")][2] == 1.0


def test_national_and_regional_totals_coverage_and_rates_equal_an_independent_computation(
    all_forces: Path, reference: Reference
) -> None:
    expected = national_figures(ALL_FORCES, reference)
    found = {
        (level, geography, month): (crimes, population, rate, counted, expected_forces)
        for level, geography, month, crimes, population, rate, counted, expected_forces in query(
            all_forces,
            """
        select geography_level, geography, cast(period_month as varchar), crimes, population_mid2023, crimes_per_1000,
               forces_counted, forces_expected
        from marts.police_uk_area_totals where period_window = 'month'""",
        )
    }
    assert set(found) == set(expected)
    for key, figure in expected.items():
        crimes, population, rate, counted, expected_forces = found[key]
        assert (crimes, population, counted, expected_forces) == (
            figure["crimes"],
            figure["population"],
            figure["counted"],
            figure["expected"],
        ), key
        assert math.isclose(rate, figure["rate"], rel_tol=1e-12), key
    # four force areas have no files here: England and Wales says 39 of 43 and names them
    country = query(
        all_forces,
        """select forces_counted, forces_expected, is_complete, forces_not_counted
                                   from marts.police_uk_area_totals where geography = 'England and Wales'
                                   and period_window = 'month' and period_month = '2025-01-01'""",
    )[0]
    assert country[:3] == (39, 43, False)
    assert {"Metropolitan Police Service", "Greater Manchester Police", "West Midlands Police", "West Yorkshire Police"} == set(
        country[3].split(", ")
    )


def test_ranks_are_among_complete_force_areas_and_say_out_of_how_many(all_forces: Path, reference: Reference) -> None:
    counts: Counter = Counter()
    for (force, month, _, _), count in crime_counts(ALL_FORCES, reference).items():
        counts[(force, month)] += count
    month = "2025-03-01"
    rates = {}
    for slug, row in reference.force_of_slug.items():
        crimes = counts.get((reference.force_name(slug), month), 0)
        if crimes:
            rates[reference.force_name(slug)] = crimes / (reference.pfa_population[row["PFA24CD"]] / 1000)
    ordered = sorted(rates, key=rates.get, reverse=True)
    found = {
        force: (rank, out_of, rate)
        for force, rank, out_of, rate in query(
            all_forces,
            f"""
        select force_name, rank_by_rate, ranked_forces, crimes_per_1000 from marts.police_uk_force_context
        where period_window = 'month' and period_month = '{month}'""",
        )
    }
    for position, force in enumerate(ordered, start=1):
        assert found[force][:2] == (position, len(ordered)), force
        assert math.isclose(found[force][2], rates[force], rel_tol=1e-12)
    assert found["British Transport Police"] == (None, None, None)  # BTP: no file in March, never ranked
    assert found["Police Service of Northern Ireland"] == (None, None, None)


def test_btp_and_northern_ireland_are_never_in_england_and_wales_totals(all_forces: Path) -> None:
    rows = query(
        all_forces,
        """
        select
            (select crimes from marts.police_uk_area_totals
             where geography = 'England and Wales' and period_window = 'month' and period_month = '2025-01-01'),
            (select sum(crimes) from marts.police_uk_force_context
             where is_force_area and period_window = 'month' and period_month = '2025-01-01'),
            (select sum(crimes) from marts.police_uk_force_context
             where not is_force_area and period_window = 'month' and period_month = '2025-01-01')""",
    )
    england_and_wales, force_areas, others = rows[0]
    assert others > 10_000  # BTP 3,304 and Northern Ireland's crimes, counted at force level
    assert england_and_wales == force_areas
    mix = query(
        all_forces,
        """select count(*) from marts.police_uk_crime_mix
                               where force_slug in ('btp', 'northern-ireland') and region_name is not null""",
    )
    assert mix == [(0,)]
    districts = query(
        all_forces,
        """select count(*) from marts.measure_values
                                     where geography_level = 'district' and geography like '%(British Transport Police)'""",
    )
    assert districts == [(0,)]


def test_rates_per_1000_for_every_force_and_district_on_mid_2023_populations(all_forces: Path, reference: Reference) -> None:
    counts = crime_counts(ALL_FORCES, reference)
    name_to_code = {name: code for code, name in reference.lad_name.items()}
    by_district: Counter = Counter()
    for (_, month, place, _), count in counts.items():
        if place in name_to_code and month == "2025-02-01":
            by_district[place] += count
    found = dict(
        query(
            all_forces,
            """select geography, value from marts.measure_values
        where measure_id = 'pu_crime_rate_per_1000__all' and geography_level = 'district'
          and period_window = 'month' and period_month = '2025-02-01' and value is not null""",
        )
    )
    assert len(by_district) > 250
    for district, crimes in by_district.items():
        assert math.isclose(found[district], crimes / (reference.lad_population[name_to_code[district]] / 1000), rel_tol=1e-12), (
            district
        )
    buckets = query(
        all_forces,
        """select count(*), count(value), count(vs_last_year) from marts.measure_values
        where measure_id = 'pu_crime_rate_per_1000__all' and geography like 'No location (%'""",
    )
    assert buckets[0][0] > 0 and buckets[0][1:] == (0, 0)  # no population, no rate, no word


def test_no_earlier_year_means_no_word(all_forces: Path) -> None:
    words = query(
        all_forces,
        """select count(*), count(vs_last_year), count(vs_3y_avg), count(vs_baseline)
                                 from marts.measure_values where starts_with(measure_id, 'pu_')""",
    )
    assert words[0][0] > 50_000 and words[0][1:] == (0, 0, 0)


# A small download with the faults put in: an unknown force id, a missing force-month, and a parent
# folder whose name holds a month and a force.
SMALL_FORCES = ("bedfordshire", "cambridgeshire", "hertfordshire", "kent")


@pytest.fixture(scope="module")
def faulty_download(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("faulty") / "police-2025-12-kent-street-download"
    for month in ("2025-01", "2025-02", "2025-03"):
        (root / month).mkdir(parents=True)
        for slug in SMALL_FORCES:
            if (slug, month) != ("hertfordshire", "2025-02"):
                shutil.copy(ALL_FORCES / month / f"{month}-{slug}-street.csv.gz", root / month)
        shutil.copy(ALL_FORCES / month / f"{month}-bedfordshire-street.csv.gz", root / month / f"{month}-atlantis-street.csv.gz")
    (root / "2025-01" / "notes.txt").write_text("not a police.uk file\n")
    gate = load_build_validate(root, root.parent)
    return root.parent / "warehouse.duckdb", gate


def test_an_unknown_force_id_is_loaded_counted_at_force_level_and_named_by_the_gate(
    faulty_download, reference: Reference
) -> None:
    warehouse, gate = faulty_download
    assert gate.returncode == 0, gate.stdout[-3000:] + gate.stderr[-2000:]
    bedfordshire = sum(
        count for (force, month, _, _), count in crime_counts(ALL_FORCES, reference).items() if force == "Bedfordshire Police"
    )
    atlantis = query(
        warehouse,
        """select sum(value) from marts.measure_values where measure_id = 'pu_crimes__all'
                                   and geography = 'atlantis' and period_window = 'month'""",
    )[0][0]
    assert atlantis == bedfordshire
    assert query(
        warehouse, "select count(*) from marts.measure_values where geography_level = 'district' and geography like '%atlantis%'"
    ) == [(0,)]
    rows = query(warehouse, "select rows_loaded from quality.quality_police_uk_forces where force_slug = 'atlantis'")[0][0]
    assert "police_uk force_ids_known" in gate.stdout and f"atlantis {rows}" in gate.stdout
    assert query(warehouse, "select count(*) from marts.police_uk_area_totals where forces_not_counted like '%atlantis%'") == [
        (0,)
    ]


def test_a_missing_force_month_marks_that_force_and_the_national_figures_and_the_rest_publish(faulty_download) -> None:
    warehouse, gate = faulty_download
    assert gate.returncode == 0  # publishable: one force's gap does not block the others
    assert "file_for_every_force_month" in gate.stdout and "hertfordshire 2025-02" in gate.stdout
    context = {
        (force, month): (complete, reason)
        for force, month, complete, reason in query(
            warehouse,
            """
        select force_slug, strftime(period_month, '%Y-%m'), is_complete, incomplete_reason
        from marts.police_uk_force_context where period_window = 'month'""",
        )
    }
    assert context[("hertfordshire", "2025-02")] == (False, "Hertfordshire Constabulary 2025-02: no street file")
    assert context[("kent", "2025-02")] == (True, None)
    values = query(
        warehouse,
        """select count(*), count(*) filter (where is_complete), count(vs_last_year),
               min(incomplete_reason), max(incomplete_reason) from marts.measure_values
        where geography in ('Hertfordshire Constabulary', 'St Albans') and period_month = '2025-02-01'
          and period_window = 'month'""",
    )
    assert values[0][0] > 10 and values[0][1:] == (
        0,
        0,
        "Hertfordshire Constabulary 2025-02: no street file",
        "Hertfordshire Constabulary 2025-02: no street file",
    )
    assert query(
        warehouse,
        """select count(*) from marts.measure_values where geography = 'St Albans'
        and period_month = '2025-03-01' and period_window = 'rolling_3m' and is_complete""",
    ) == [(0,)]
    region = query(
        warehouse,
        """select forces_counted, forces_expected, forces_not_counted, is_complete
        from marts.police_uk_area_totals where geography = 'East of England' and period_window = 'month'
          and period_month = '2025-02-01'""",
    )[0]
    assert region[:2] == (2, 6) and "Hertfordshire Constabulary" in region[2] and region[3] is False
    january = query(
        warehouse,
        """select forces_counted from marts.police_uk_area_totals
        where geography = 'East of England' and period_window = 'month' and period_month = '2025-01-01'""",
    )
    assert january == [(3,)]


def test_a_month_without_a_file_is_a_gap_everywhere_never_a_zero(faulty_download, tmp_path: Path) -> None:
    """Hertfordshire has no file for February 2025: its month carries no value (null with the reason,
    not 0) for the force and its districts, no window touching February carries a value or a word, the
    national context has no crimes for it, and its public pack prints "no file" in its tables and
    breaks its trend lines at February."""
    from scripts.pack import write_public_pack

    warehouse, _ = faulty_download
    month = query(
        warehouse,
        """select count(*), count(value), count(numerator), count(vs_last_year), count(*) filter (where incomplete_reason like '%no street file%')
        from marts.measure_values
        where geography in (select geography from marts.measure_values where geography_level = 'district' and geography = 'St Albans'
                            union all select 'Hertfordshire Constabulary')
          and period_month = '2025-02-01' and period_window = 'month'""",
    )[0]
    assert month[0] > 10 and month[1:] == (0, 0, 0, month[0])
    touching = query(
        warehouse,
        """select count(*), count(value), count(vs_last_year), count(vs_baseline) from marts.measure_values
        where geography in ('Hertfordshire Constabulary', 'St Albans', 'Watford') and period_month >= '2025-02-01'
          and period_window != 'month'""",
    )[0]
    assert touching[0] > 0 and touching[1:] == (0, 0, 0)
    # a force without a gap keeps its values: the rule is about the gap, not the month
    assert query(
        warehouse,
        """select count(value) > 0 from marts.measure_values where geography = 'Kent Police'
        and period_month = '2025-02-01' and period_window = 'month'""",
    ) == [(True,)]
    assert query(
        warehouse,
        """select crimes, crimes_per_1000, is_complete from marts.police_uk_force_context
        where force_slug = 'hertfordshire' and period_month = '2025-02-01' and period_window = 'month'""",
    ) == [(None, None, False)]
    page = write_public_pack(warehouse, tmp_path / "herts.html", "2025-02", "hertfordshire").read_text(encoding="utf-8")
    types = page.split('id="crime-by-type"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'data-measure="pu_crimes__[a-z_]+" data-value="[^"]*">([^<]*)<', types)
    assert cells and set(cells) == {"no file"}, cells
    districts = page.split('id="districts"', 1)[1].split("</table>", 1)[0]
    counts = re.findall(r'data-district="[^"]+">([^<]*)<', districts)
    assert counts and set(counts) == {"no file"}, counts
    # each trend line is broken at February: two pieces (January, March), never a point at zero
    lines = re.findall(r'<polyline class="series" points="([^"]*)"', page.split('id="crime-by-type"', 1)[1])
    assert lines and all(len(points.split()) == 1 for points in lines), lines[:4]
    march = write_public_pack(warehouse, tmp_path / "herts-march.html", "2025-03", "hertfordshire").read_text(encoding="utf-8")
    assert "no file" not in march.split('id="crime-by-type"', 1)[1].split("</table>", 1)[0]


def test_a_bucket_has_no_rate_denominator(faulty_download) -> None:
    """No location, Outside force area and Unknown LSOA rows have crimes but no population: their rate
    per 1,000 has a null denominator and no value, never a denominator of 0."""
    warehouse, _ = faulty_download
    buckets = query(
        warehouse,
        """select count(*), count(numerator), count(denominator), count(value) from marts.measure_values
        where measure_id = 'pu_crime_rate_per_1000__all' and geography_level = 'district'
          and (geography like 'No location (%' or geography like 'Outside force area (%' or geography like 'Unknown LSOA (%')""",
    )[0]
    assert buckets[0] > 0 and buckets[1] > 0 and buckets[2:] == (0, 0), buckets


def test_the_ranking_analysis_orders_ranks_as_numbers(all_forces: Path) -> None:
    """analyses/police_uk_force_ranking.sql lists force areas by rank 1, 2, ... 10, never as text (1, 10, 2)."""
    sql = (PROJECT_ROOT / "analyses" / "police_uk_force_ranking.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(all_forces), read_only=True) as connection:
        result = connection.execute(sql.rstrip().rstrip(";"))
        names = [column[0] for column in result.description]
        ranks = [row[names.index("rank_by_rate")] for row in result.fetchall()]
    ranked = [rank for rank in ranks if rank is not None]
    assert max(ranked) >= 10 and ranked == sorted(ranked) and ranks == ranked + [None] * (len(ranks) - len(ranked))


def test_a_parent_folder_holding_a_month_and_a_force_does_not_change_the_force(faulty_download) -> None:
    warehouse, _ = faulty_download
    forces = {slug for (slug,) in query(warehouse, "select distinct force_slug from staging.stg_police_uk__street_records")}
    assert forces == {*SMALL_FORCES, "atlantis"}
    files = query(warehouse, "select count(*) from raw.load_audit where source_file like '%notes.txt'")
    assert files == [(0,)]


def test_a_public_pack_for_any_force_renders_its_national_context_in_chromium(all_forces: Path, tmp_path: Path) -> None:
    from test_pack import console_problems, render

    from scripts.pack import write_public_pack

    page = write_public_pack(all_forces, tmp_path / "kent.html", None, "kent")
    dom, log = render(page, tmp_path)
    assert console_problems(log) == []
    for section in ("crime-by-type", "districts", "national-context", "data-quality"):
        assert f'id="{section}"' in dom, section
    national = dom.split('id="national-context"', 1)[1].split("</section>", 1)[0]
    force, country = query(
        all_forces,
        """
        select force.crimes_per_1000, country.crimes_per_1000
        from marts.police_uk_force_context as force
        inner join marts.police_uk_area_totals as country
            on country.geography_level = 'country' and force.period_month = country.period_month
            and force.period_window = country.period_window
        where force.force_slug = 'kent' and force.period_window = 'month' and force.period_month = '2025-03-01'""",
    )[0]
    assert f'data-national="force-rate">{force:,.2f}<' in national
    assert f'data-national="country-rate">{country:,.2f}<' in national
    assert "39 of 43 forces (not counted: Greater Manchester Police, Metropolitan Police Service" in national
    assert "of 39 force areas with complete data for March 2025" in national
    # the 12-month columns state the window's coverage (the forces complete in every month of it),
    # not the month's; a window without a figure says why beside its dash
    for key in ("region", "country"):
        counted, expected = query(
            all_forces,
            f"""
            select totals.forces_counted, totals.forces_expected from marts.police_uk_area_totals as totals
            where totals.period_window = 'rolling_12m' and totals.period_month = '2025-03-01'
              and totals.geography_level = '{key}'
              and (totals.geography_level = 'country' or totals.geography = (
                  select region_name from marts.police_uk_force_context where force_slug = 'kent' limit 1))""",
        )[0]
        cell = re.search(rf'data-national="{key}-rolling-coverage">([^<]*)<', national).group(1)
        assert cell.startswith(f"{counted} of {expected} forces"), (key, cell)
    reason = query(
        all_forces,
        """select incomplete_reason from marts.police_uk_force_context
        where force_slug = 'kent' and period_window = 'rolling_12m' and period_month = '2025-03-01'""",
    )[0][0]
    assert 'data-national="force-rolling-crimes">–<' in national
    assert reason and f'data-national="force-rolling-coverage">{escape(reason)}<' in national
    assert "Open Government Licence" in national
