"""The real data.police.uk download with its faults made worse: an unknown force, a missing force-month,
a month without a file, a stray file; each is named and none blocks the rest."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import load_build_validate, query
from police_uk_reference import ALL_FORCES, Reference, crime_counts

pytestmark = pytest.mark.skipif(not ALL_FORCES.exists(), reason="../shared/data/police_uk_all_forces is not beside the project")


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference.read()


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


def test_a_parent_folder_holding_a_month_and_a_force_does_not_change_the_force(faulty_download) -> None:
    warehouse, _ = faulty_download
    forces = {slug for (slug,) in query(warehouse, "select distinct force_slug from staging.stg_police_uk__street_records")}
    assert forces == {*SMALL_FORCES, "atlantis"}
    files = query(warehouse, "select count(*) from raw.load_audit where source_file like '%notes.txt'")
    assert files == [(0,)]
