-- Crimes by their current outcome, offence group and geography, in the month the outcome was
-- assigned: the outcome mix (charges, TICs, community resolutions, outcome 22, ...).
-- Incremental: a nightly build recounts whole the months from the earliest month any outcome of a
-- crime loaded or given a new outcome since the last build counts in (int_crime_outcome_months_spanned):
-- the months such a crime leaves and enters are among them; earlier months keep their rows.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_recounted_months(ref('int_crime_outcome_months_spanned'), 'earliest_outcome_month') }}",
    )
}}

with

all_crimes as (

    select * from {{ ref('int_crimes_classified') }}
    where is_counted and current_outcome_month is not null

),

crimes as (

    select * from all_crimes
    {%- if is_incremental() %}
    -- the first month recounted, a literal
    where current_outcome_month
        >= {{ first_month_loaded_since_last_run(ref('int_crime_outcome_months_spanned'), 'earliest_outcome_month') }}
    {%- endif %}

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
        count(*) as crimes,
        max(crimes.loaded_at) as loaded_at

    from crimes
    inner join bridge
        on crimes.district_name = bridge.district_name
    group by all

)

select * from final
