-- Regional and England and Wales crime from data.police.uk, month and rolling 12 months, with the
-- coverage each figure rests on: a force area counts only when its window is complete, so each row
-- says how many forces it includes out of how many it should (the region's force areas, 43 for
-- England and Wales) and which are missing; the rate per 1,000 divides by the mid-2023 population of
-- the forces counted only. British Transport Police, Northern Ireland and force ids the seeds do not
-- know are never included.
with

force_windows as (

    select * from {{ ref('int_police_uk_force_windows_summed') }}

),

forces as (

    select * from {{ ref('police_uk_forces') }}
    where is_force_area

),

windows as (

    select distinct
        period_month,
        period_window
    from force_windows

),

areas as (

    select
        'region' as geography_level,
        region_name as geography,
        force_slug,
        force_name,
        population_mid2023
    from forces
    union all
    select
        'country',
        'England and Wales',
        force_slug,
        force_name,
        population_mid2023
    from forces

),

expected as (

    select
        areas.geography_level,
        areas.geography,
        areas.force_name,
        areas.population_mid2023,
        windows.period_month,
        windows.period_window,
        coalesce(force_windows.is_complete, false) as is_counted,
        force_windows.crimes

    from areas
    cross join windows
    left join force_windows
        on areas.force_slug = force_windows.force_slug
        and windows.period_month = force_windows.period_month
        and windows.period_window = force_windows.period_window

),

final as (

    select
        geography_level,
        geography,
        period_month,
        period_window,
        cast(sum(crimes) filter (where is_counted) as bigint) as crimes,
        cast(sum(population_mid2023) filter (where is_counted) as bigint) as population_mid2023,
        sum(crimes) filter (where is_counted) / (sum(population_mid2023) filter (where is_counted) / 1000.0) as crimes_per_1000,
        count(*) filter (where is_counted) as forces_counted,
        count(*) as forces_expected,
        count(*) filter (where is_counted) = count(*) as is_complete,
        string_agg(force_name, ', ' order by force_name) filter (where not is_counted) as forces_not_counted

    from expected
    group by all

)

select * from final
