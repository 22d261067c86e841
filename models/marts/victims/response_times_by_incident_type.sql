-- Response times by grade, call type and geography, month by month: attended incidents, median
-- minutes, and how many arrived later than the grade's aspiration (with the reason recorded).
-- Incremental: a nightly build recounts the months from the earliest month of an incident loaded
-- since the last build onward, each month whole (int_incidents_timed only ever gains incidents: a
-- repeat is flagged in staging, never replaces one; a load that replaces rows is followed by a
-- full refresh), so a month no new incident reaches keeps its rows.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_recounted_months(ref('int_incidents_timed'), 'created_month') }}",
    )
}}

with

all_incidents as (

    select * from {{ ref('int_incidents_timed') }}
    where is_response_graded and response_minutes is not null

),

incidents as (

    select * from all_incidents
    {%- if is_incremental() %}
    -- the first month recounted, written into the query as a literal so that the scan skips the
    -- months before it
    where created_month >= {{ first_month_loaded_since_last_run(ref('int_incidents_timed'), 'created_month') }}
    {%- endif %}

),

aggregated as (

    select
        grade_name,
        incident_type_code,
        created_month as period_month,
        {{ geography_of_grouping_set() }},
        count(*) as attended_incidents,
        median(response_minutes) as median_response_minutes,
        count(*) filter (where is_late) as late_attendances,
        count(*) filter (where is_late and delay_reason = 'NON_AVAILABILITY') as late_for_non_availability,
        max(loaded_at) as loaded_at

    from incidents
    group by {{ geography_grouping_sets(['grade_name', 'incident_type_code', 'created_month']) }}

),

final as (

    select * from aggregated

)

select * from final
