-- After `make run POLICE_UK_DIR=...`: each force area's crimes per 1,000 residents (ONS mid-2023)
-- in the latest month, its rank among the force areas with complete data (and out of how many), its
-- share of its region, and its region's and England and Wales' rates with the forces they cover.
select
    force_name,
    region_name,
    period_month,
    crimes,
    round(crimes_per_1000, 2) as crimes_per_1000,
    rank_by_rate,
    rank_by_rate || ' of ' || ranked_forces as rank_of_ranked,
    round(100 * share_of_region, 1) as share_of_region_pct,
    round(region_crimes_per_1000, 2) as region_crimes_per_1000,
    region_forces_counted || ' of ' || region_forces_expected as region_coverage,
    round(england_and_wales_crimes_per_1000, 2) as england_and_wales_crimes_per_1000,
    england_and_wales_forces_counted || ' of ' || england_and_wales_forces_expected as england_and_wales_coverage,
    incomplete_reason
from marts.police_uk_force_context
where period_window = 'month'
    and period_month = (select max(latest.period_month) from marts.police_uk_force_context as latest)
-- by the rank as a number (1, 2, ... 10), never as text (1, 10, 11, 2)
order by rank_by_rate asc nulls last, force_name asc;
