-- Incidents with grade, call type, geography and response time (call to first arrival): whole
-- seconds (part seconds dropped), and the same in minutes with their fraction, never rounded.
-- Incremental: a nightly build adds the incidents loaded since the last build.
{{
    config(
        materialized='incremental',
        unique_key='incident_reference',
    )
}}

with

incidents as (

    select * from {{ ref('stg_force__incidents') }}
    where not is_duplicate
        and {{ is_extracted_by_as_at() }}
        and {{ is_loaded_since_last_run() }}

),

grades as (

    select * from {{ ref('incident_grades') }}

),

incident_types as (

    select * from {{ ref('incident_types') }}

),

districts as (

    select * from {{ ref('districts') }}

),

priority_grade as (

    select introduced_month from grades
    where grade_name = 'priority'

),

joined as (

    select
        incidents.incident_reference,
        incidents.created_at,
        incidents.created_month,
        incidents.grade_code,
        grades.grade_name,
        coalesce(grades.is_response_grade, false) as is_response_graded,
        case
            when incidents.created_month >= (select priority_grade.introduced_month from priority_grade)
                then grades.aspiration_minutes_from_priority
            else grades.aspiration_minutes
        end as aspiration_minutes,
        incidents.incident_type_code,
        coalesce(incident_types.is_domestic, false) as is_domestic,
        coalesce(incident_types.is_burglary_dwelling, false) as is_burglary_dwelling,
        incidents.district_name,
        districts.area_name,
        incidents.is_attended,
        incidents.delay_reason,
        incidents.has_linked_crime,
        incidents.closed_at is not null as is_closed,
        incidents.has_arrival_before_call,
        case
            when not incidents.has_arrival_before_call
                then date_diff('second', incidents.created_at, incidents.first_arrived_at)
        end as response_seconds,
        incidents.loaded_at

    from incidents
    left join grades
        on incidents.grade_code = grades.grade_code
    left join incident_types
        on incidents.incident_type_code = incident_types.incident_type_code
    left join districts
        on incidents.district_name = districts.district_name

),

final as (

    select
        *,
        response_seconds / 60.0 as response_minutes,
        response_seconds / 60.0 > aspiration_minutes as is_late,
        delay_reason is not null as has_delay_reason

    from joined

)

select * from final
