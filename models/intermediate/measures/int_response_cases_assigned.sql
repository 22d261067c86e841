-- Every attended, graded incident as a case of each response-time median measure it belongs to,
-- with its response time in whole seconds: the registry's median entries (counted_from
-- response_cases), each taking the incidents its numerator_condition selects. Written once: the
-- medians and the per-second counts the median test reads are both taken from these cases.
-- A view: its two readers take the months they recount, so a nightly build writes no copy of it.
{{ config(materialized='view') }}
{%- set entries = measure_registry_entries("counted_from = 'response_cases'") %}

with

timed_incidents as (

    select * from {{ ref('int_incidents_timed') }}
    where is_response_graded
        and response_seconds is not null

),

registry as (

    select * from {{ ref('measure_registry') }}

),

assigned as (

    {%- for entry in entries %}
    select '{{ entry.measure_id }}' as measure_id, incident_reference, district_name, area_name, created_month, response_seconds, loaded_at
    from timed_incidents
    where {{ entry.numerator_condition }}
    union all
    {%- endfor %}
    select
        cast(null as varchar),
        incident_reference,
        district_name,
        area_name,
        created_month,
        response_seconds,
        loaded_at
    from timed_incidents
    where false

),

final as (

    select * from assigned
    where measure_id in (select registry.measure_id from registry)

)

select * from final
