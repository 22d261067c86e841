-- Every attended, graded incident as a case of each response-time median measure it belongs to,
-- with its response time in whole seconds. Written once: the medians and the per-second counts the
-- sign test reads are both taken from these cases.
with

timed_incidents as (

    select * from {{ ref('int_incidents_timed') }}
    where is_response_graded
        and response_seconds is not null

),

final as (

    select 'resp_median_minutes__immediate' as measure_id, incident_reference, district_name, area_name, created_month, response_seconds, loaded_at
    from timed_incidents where grade_name = 'immediate'
    union all
    select 'resp_median_minutes__priority', incident_reference, district_name, area_name, created_month, response_seconds, loaded_at
    from timed_incidents where grade_name = 'priority'
    union all
    select 'resp_median_minutes__prompt', incident_reference, district_name, area_name, created_month, response_seconds, loaded_at
    from timed_incidents where grade_name = 'prompt'
    union all
    select 'resp_median_minutes__prompt__burglary_dwelling', incident_reference, district_name, area_name, created_month, response_seconds, loaded_at
    from timed_incidents where grade_name = 'prompt' and is_burglary_dwelling
    union all
    select 'resp_median_minutes__prompt__domestic', incident_reference, district_name, area_name, created_month, response_seconds, loaded_at
    from timed_incidents where grade_name = 'prompt' and is_domestic

)

select * from final
