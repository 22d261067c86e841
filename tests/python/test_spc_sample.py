"""The control charts on the sample `make run` built: they separate signal from noise (at most 35% of
the force's points in the latest 36 months special cause, where limits fixed on the first two years
for ever flagged 70%), re-base only where seeds/spc_rebases.csv records it, and the published
warehouse lists every re-base with its reason."""

from __future__ import annotations

import csv

import duckdb
import pytest

from scripts.settings import PROJECT_ROOT, warehouse_path

WAREHOUSE = warehouse_path()
PUBLISHED = WAREHOUSE.parent / "published" / "warehouse.duckdb"


@pytest.mark.skipif(not PUBLISHED.exists(), reason="no published warehouse: run `make run` (make test does)")
def test_force_charts_flag_at_most_a_third_of_recent_points() -> None:
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        flagged, points = connection.execute(
            """
            select avg(case when variation = 'common_cause' then 0.0 else 1.0 end), count(variation)
            from marts.measure_spc
            where geography_level = 'force'
              and period_month > (select max(period_month) from marts.measure_spc) - interval 36 month"""
        ).fetchone()
    assert points > 1000
    assert flagged <= 0.35, f"{flagged:.1%} of the force's points in the latest 36 months are special cause"


@pytest.mark.skipif(not PUBLISHED.exists(), reason="no published warehouse: run `make run` (make test does)")
def test_every_rebase_is_recorded_and_published_with_its_reason() -> None:
    with (PROJECT_ROOT / "seeds" / "spc_rebases.csv").open(encoding="utf-8") as handle:
        recorded = {row["rebase_month"] for row in csv.DictReader(handle)}
    with duckdb.connect(str(PUBLISHED), read_only=True) as connection:
        phases = {
            f"{month:%Y-%m-%d}"
            for (month,) in connection.execute(
                """
                select distinct phase_start_month from marts.measure_spc
                qualify phase_start_month > min(period_month) over (partition by measure_id, geography_level, geography)"""
            ).fetchall()
        }
        listed = connection.execute(
            """
            select count(*), count(reason), count(distinct strftime(rebase_month, '%Y-%m-%d'))
            from marts.measure_spc_rebases"""
        ).fetchone()
        unlisted = connection.execute(
            """
            select count(*) from (
                select distinct measure_id, geography_level, geography, phase_start_month from marts.measure_spc
                qualify phase_start_month > min(period_month) over (partition by measure_id, geography_level, geography)
            ) as phases
            anti join marts.measure_spc_rebases as rebases
                on phases.measure_id = rebases.measure_id and phases.geography_level = rebases.geography_level
                and phases.geography = rebases.geography and phases.phase_start_month = rebases.rebase_month"""
        ).fetchone()[0]
    assert phases and phases <= recorded, "a chart re-based at a month no analyst recorded"
    assert listed[0] > 0 and listed[0] == listed[1], "a re-base without its reason"
    assert unlisted == 0
