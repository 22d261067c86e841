-- Crime-type and outcome-category mix of every loaded force, month by month, beside its region's
-- and England and Wales' (the forces loaded): what share of the force's crime each type or latest
-- outcome is, against the same share elsewhere.
with

crimes as (

    select * from {{ ref('int_police_uk_street_placed') }}
    where is_crime

),

counted as (

    select 'crime_type' as mix, force_name, region_name, period_month, crime_type as category, count(*) as crimes
    from crimes
    group by all
    union all
    select 'outcome_group', force_name, region_name, period_month, outcome_group, count(*)
    from crimes
    group by all

),

final as (

    select
        mix,
        force_name,
        region_name,
        period_month,
        category,
        crimes,
        crimes / sum(crimes) over (partition by mix, force_name, period_month) as share_of_force,
        sum(crimes) over (partition by mix, region_name, period_month, category)
            / sum(crimes) over (partition by mix, region_name, period_month) as share_in_region,
        sum(crimes) over (partition by mix, period_month, category)
            / sum(crimes) over (partition by mix, period_month) as share_in_england_and_wales

    from counted

)

select * from final
