-- National context from data.police.uk: every loaded force, month by month, with its rolling 12
-- months, change on the same month last year, rank among the forces loaded, and its region and
-- England and Wales (the forces loaded) beside it. Rates per 1,000 where a population is held.
with

crimes as (

    select * from {{ ref('int_police_uk_street_placed') }}
    where is_crime

),

forces as (

    select * from {{ ref('police_uk_forces') }}

),

force_months as (

    select * from {{ ref('int_police_uk_force_months_enumerated') }}

),

monthly as (

    select force_slug, period_month, count(*) as crimes
    from crimes
    group by all

),

filled as (

    select
        force_months.force_slug,
        forces.force_name,
        forces.region_name,
        forces.population,
        force_months.period_month,
        coalesce(monthly.crimes, 0) as crimes

    from force_months
    inner join forces
        on force_months.force_slug = forces.force_slug
    left join monthly
        on force_months.force_slug = monthly.force_slug
        and force_months.period_month = monthly.period_month

),

with_history as (

    select
        *,
        case when count(*) over last_12 = 12 then sum(crimes) over last_12 end as crimes_rolling_12m,
        lag(crimes, 12) over by_force as crimes_same_month_last_year

    from filled
    window
        by_force as (partition by force_slug order by period_month),
        last_12 as (partition by force_slug order by period_month rows between 11 preceding and current row)

),

final as (

    select
        force_slug,
        force_name,
        region_name,
        period_month,
        crimes,
        crimes_rolling_12m,
        crimes_same_month_last_year,
        crimes / nullif(crimes_same_month_last_year, 0) - 1 as change_on_last_year,
        crimes / (population / 1000.0) as crimes_per_1000,
        rank() over (partition by period_month order by crimes desc) as rank_by_crimes,
        rank() over (partition by period_month order by crimes / nullif(crimes_same_month_last_year, 0) desc nulls last) as rank_by_increase,
        count(*) over (partition by period_month) as forces_loaded,
        sum(crimes) over (partition by period_month, region_name) as region_crimes,
        sum(population) over (partition by period_month, region_name) / 1000.0 as region_population_thousands,
        sum(crimes) over (partition by period_month) as england_and_wales_crimes,
        crimes / sum(crimes) over (partition by period_month, region_name) as share_of_region

    from with_history

)

select * from final
