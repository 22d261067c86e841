-- National context from data.police.uk: every loaded publisher, month and rolling 12 months, with
-- its rate per 1,000 (mid-2023 population), change on the same period last year, rank among the
-- force areas with complete data for that window (and out of how many), and its region and England
-- and Wales beside it with their coverage (police_uk_area_totals). British Transport Police,
-- Northern Ireland and force ids the seeds do not know have counts only: no rate, rank or region.
with

force_windows as (

    select * from {{ ref('int_police_uk_force_windows_summed') }}

),

area_totals as (

    select * from {{ ref('police_uk_area_totals') }}

),

rated as (

    select
        *,
        crimes / (population_mid2023 / 1000.0) as crimes_per_1000,
        is_force_area and is_complete as is_ranked

    from force_windows

),

with_history as (

    select
        current_period.*,
        case when last_year.is_complete then last_year.crimes end as crimes_same_period_last_year

    from rated as current_period
    left join rated as last_year
        on current_period.force_slug = last_year.force_slug
        and current_period.period_window = last_year.period_window
        and last_year.period_month = current_period.period_month - interval 12 month

),

ranked as (

    select
        *,
        case when is_ranked then rank() over ranking_by_rate end as rank_by_rate,
        case when is_ranked then rank() over ranking_by_crimes end as rank_by_crimes,
        case when is_ranked then count(*) over ranked_group end as ranked_forces

    from with_history
    window
        ranked_group as (partition by period_month, period_window, is_ranked),
        ranking_by_rate as (partition by period_month, period_window, is_ranked order by crimes_per_1000 desc),
        ranking_by_crimes as (partition by period_month, period_window, is_ranked order by crimes desc)

),

final as (

    select
        ranked.force_slug,
        ranked.force_name,
        ranked.is_force_area,
        ranked.region_name,
        ranked.period_month,
        ranked.period_window,
        ranked.crimes,
        ranked.is_complete,
        ranked.incomplete_reason,
        ranked.population_mid2023,
        ranked.crimes_per_1000,
        ranked.crimes_same_period_last_year,
        case when ranked.is_complete then ranked.crimes / nullif(ranked.crimes_same_period_last_year, 0) - 1 end
            as change_on_last_year,
        ranked.rank_by_rate,
        ranked.rank_by_crimes,
        ranked.ranked_forces,
        region.crimes as region_crimes,
        region.crimes_per_1000 as region_crimes_per_1000,
        region.forces_counted as region_forces_counted,
        region.forces_expected as region_forces_expected,
        case when ranked.is_ranked then ranked.crimes / nullif(region.crimes, 0) end as share_of_region,
        country.crimes as england_and_wales_crimes,
        country.crimes_per_1000 as england_and_wales_crimes_per_1000,
        country.forces_counted as england_and_wales_forces_counted,
        country.forces_expected as england_and_wales_forces_expected

    from ranked
    left join area_totals as region
        on region.geography_level = 'region'
        and ranked.is_force_area
        and ranked.region_name = region.geography
        and ranked.period_month = region.period_month
        and ranked.period_window = region.period_window
    left join area_totals as country
        on country.geography_level = 'country'
        and ranked.period_month = country.period_month
        and ranked.period_window = country.period_window

)

select * from final
