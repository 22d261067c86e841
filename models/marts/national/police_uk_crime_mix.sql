-- Crime-type and outcome-group mix of every loaded data.police.uk publisher, month by month, beside
-- its region's and England and Wales': what share of the force's crime each type or latest outcome
-- is, against the same share over the force areas with a complete month (police_uk_area_totals
-- says how many of how many). British Transport Police, Northern Ireland and unknown force ids have
-- their own mix but are never in a region's or England and Wales'.
with

crimes as (

    select * from {{ ref('int_police_uk_street_placed') }}
    where is_crime

),

assessed as (

    select * from {{ ref('int_police_uk_force_months_assessed') }}

),

area_totals as (

    select * from {{ ref('police_uk_area_totals') }}
    where period_window = 'month'

),

counted as (

    select
        'crime_type' as mix,
        force_slug,
        force_name,
        region_name,
        period_month,
        crime_type as category,
        count(*) as crimes
    from crimes
    group by all
    union all
    select
        'outcome_group',
        force_slug,
        force_name,
        region_name,
        period_month,
        outcome_group,
        count(*)
    from crimes
    group by all

),

flagged as (

    select
        counted.*,
        assessed.is_force_area and assessed.is_complete as is_in_area_totals

    from counted
    inner join assessed
        on counted.force_slug = assessed.force_slug
        and counted.period_month = assessed.period_month

),

shared as (

    select
        *,
        crimes / sum(crimes) over (partition by mix, force_slug, period_month) as share_of_force,
        sum(crimes) filter (where is_in_area_totals) over (partition by mix, region_name, period_month, category)
        / sum(crimes) filter (where is_in_area_totals) over (partition by mix, region_name, period_month) as region_share,
        sum(crimes) filter (where is_in_area_totals) over (partition by mix, period_month, category)
        / sum(crimes) filter (where is_in_area_totals) over (partition by mix, period_month) as england_and_wales_share

    from flagged

),

final as (

    select
        shared.mix,
        shared.force_slug,
        shared.force_name,
        shared.region_name,
        shared.period_month,
        shared.category,
        shared.crimes,
        shared.share_of_force,
        case when region.forces_counted > 0 then coalesce(shared.region_share, 0) end as share_in_region,
        region.forces_counted as region_forces_counted,
        region.forces_expected as region_forces_expected,
        case when country.forces_counted > 0 then coalesce(shared.england_and_wales_share, 0) end as share_in_england_and_wales,
        country.forces_counted as england_and_wales_forces_counted,
        country.forces_expected as england_and_wales_forces_expected

    from shared
    left join area_totals as region
        on region.geography_level = 'region'
        and shared.region_name = region.geography
        and shared.period_month = region.period_month
    left join area_totals as country
        on country.geography_level = 'country'
        and shared.period_month = country.period_month

)

select * from final
