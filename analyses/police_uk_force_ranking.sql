-- After `make run POLICE_UK_DIR=...`: each loaded force's crimes in the latest month, its rank,
-- its share of its region, and crimes per 1,000 residents where a population is held.
select force_name, region_name, period_month, crimes, rank_by_crimes, forces_loaded,
       round(100 * share_of_region, 1) as share_of_region_pct, round(crimes_per_1000, 2) as crimes_per_1000
from marts.police_uk_force_context
where period_month = (select max(period_month) from marts.police_uk_force_context)
order by rank_by_crimes;
