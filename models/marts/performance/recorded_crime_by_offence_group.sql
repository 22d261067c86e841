-- Recorded crime by Home Office offence group and subgroup and geography, month by month.
with

crimes as (

    select * from {{ ref('int_crimes_classified') }}
    where is_counted

),

bridge as (

    select * from {{ ref('int_geographies_bridged') }}

),

final as (

    select
        coalesce(crimes.offence_group, 'unknown_offence_code') as offence_group,
        coalesce(crimes.offence_subgroup, 'unknown_offence_code') as offence_subgroup,
        crimes.is_victim_based,
        bridge.geography_level,
        bridge.geography,
        crimes.recorded_month as period_month,
        count(*) as crimes

    from crimes
    inner join bridge
        on crimes.district_name = bridge.district_name
    group by all

)

select * from final
