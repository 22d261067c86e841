-- Recorded crime by Home Office offence group and subgroup and geography, month by month.
-- Incremental: a nightly build recounts whole the months from the earliest month of a crime staged
-- since the last build: a crime's row here never changes once staged (a late outcome changes only
-- its outcome columns; a repeat is flagged, never replaces it), so earlier months keep their rows.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_recounted_months(ref('stg_force__crimes'), 'recorded_month') }}",
    )
}}

with

all_crimes as (

    select * from {{ ref('int_crimes_classified') }}
    where is_counted

),

crimes as (

    select * from all_crimes
    {%- if is_incremental() %}
    -- the first month recounted, a literal
    where recorded_month >= {{ first_month_loaded_since_last_run(ref('stg_force__crimes'), 'recorded_month') }}
    {%- endif %}

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
        count(*) as crimes,
        max(crimes.loaded_at) as loaded_at

    from crimes
    inner join bridge
        on crimes.district_name = bridge.district_name
    group by all

)

select * from final
