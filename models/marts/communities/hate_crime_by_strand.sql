-- Hate crimes by strand and geography, month by month, with how many have a prosecution
-- possible outcome so far.
with

crimes as (

    select * from {{ ref('int_crimes_classified') }}
    where is_counted and is_hate_crime

),

bridge as (

    select * from {{ ref('int_geographies_bridged') }}

),

final as (

    select
        coalesce(crimes.hate_strand, 'NOT RECORDED') as hate_strand,
        bridge.geography_level,
        bridge.geography,
        crimes.recorded_month as period_month,
        count(*) as crimes,
        count(*) filter (where crimes.has_prosecution_possible_outcome) as crimes_with_prosecution_possible_outcome

    from crimes
    inner join bridge
        on crimes.district_name = bridge.district_name
    group by all

)

select * from final
