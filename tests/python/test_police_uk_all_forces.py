"""Every force of the real data.police.uk download: counted right, placed right, national figures with
their coverage, and no force blocking another (../shared/data/police_uk_all_forces)."""

from __future__ import annotations

import math
import re
from collections import Counter
from html import escape
from pathlib import Path

import duckdb
import pytest
from conftest import load_build_validate, query
from police_uk_reference import ALL_FORCES, Reference, crime_counts, national_figures

from scripts.settings import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not ALL_FORCES.exists(), reason="../shared/data/police_uk_all_forces is not beside the project")


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


def test_the_ranking_analysis_orders_ranks_as_numbers(all_forces: Path) -> None:
    """analyses/police_uk_force_ranking.sql lists force areas by rank 1, 2, ... 10, never as text (1, 10, 2)."""
    sql = (PROJECT_ROOT / "analyses" / "police_uk_force_ranking.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(all_forces), read_only=True) as connection:
        result = connection.execute(sql.rstrip().rstrip(";"))
        names = [column[0] for column in result.description]
        ranks = [row[names.index("rank_by_rate")] for row in result.fetchall()]
    ranked = [rank for rank in ranks if rank is not None]
    assert max(ranked) >= 10 and ranked == sorted(ranked) and ranks == ranked + [None] * (len(ranks) - len(ranked))


def test_a_public_pack_for_any_force_renders_its_national_context_in_chromium(all_forces: Path, tmp_path: Path) -> None:
    from test_pack_print import console_problems, render

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
