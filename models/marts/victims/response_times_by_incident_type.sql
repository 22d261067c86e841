-- Response times by grade, call type and geography, month by month: attended incidents, median
-- minutes, and how many arrived later than the grade's aspiration (with the reason recorded).
with

incidents as (

    select * from {{ ref('int_incidents_timed') }}
    where is_response_graded and response_minutes is not null

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
        count(*) filter (where is_late and delay_reason = 'NON_AVAILABILITY') as late_for_non_availability

    from incidents
    group by {{ geography_grouping_sets(['grade_name', 'incident_type_code', 'created_month']) }}

),

final as (

    select * from aggregated

)

select * from final
