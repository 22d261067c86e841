-- Crimes by their current outcome, offence group and geography, in the month the outcome was
-- assigned: the outcome mix (charges, TICs, community resolutions, outcome 22, ...).
with

crimes as (

    select * from {{ ref('int_crimes_classified') }}
    where is_counted and current_outcome_month is not null

),

bridge as (

    select * from {{ ref('int_geographies_bridged') }}

),

final as (

    select
        crimes.offence_group,
        crimes.current_outcome_parent_code as outcome_code,
        crimes.current_outcome_group as outcome_group,
        crimes.has_prosecution_possible_outcome as is_prosecution_possible,
        bridge.geography_level,
        bridge.geography,
        crimes.current_outcome_month as period_month,
        count(*) as crimes

    from crimes
    inner join bridge
        on crimes.district_name = bridge.district_name
    group by all

)

select * from final
