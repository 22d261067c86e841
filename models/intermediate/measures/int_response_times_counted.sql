-- Cases of each response-time median measure by geography, month and second: how many took
-- exactly that many seconds, and how many that many or fewer. The median test counts a window's
-- cases above its split point from these (one look-up per month of each window),
-- exactly to the second.
-- Incremental: a nightly build recounts the months from the earliest month of a case loaded since
-- the last build onward (a month is always recounted whole).
{{
    config(
        materialized='incremental',
        unique_key='created_month',
    )
}}

with

all_cases as (

    select * from {{ ref('int_response_cases_assigned') }}

),

cases as (

    select * from all_cases
    {%- if is_incremental() %}
    -- the first month recounted, written into the query as a literal so that the scan skips the
    -- months before it
    where created_month >= {{ first_month_loaded_since_last_run(ref('int_response_cases_assigned'), 'created_month') }}
    {%- endif %}

),

counted as (

    select
        measure_id,
        created_month,
        response_seconds,
        {{ geography_of_grouping_set() }},
        count(*) as cases,
        max(loaded_at) as loaded_at

    from cases
    group by {{ geography_grouping_sets(['measure_id', 'created_month', 'response_seconds']) }}

),

final as (

    select
        measure_id,
        geography_level,
        geography,
        created_month,
        response_seconds,
        cases,
        sum(cases) over (
            partition by measure_id, geography_level, geography, created_month
            order by response_seconds
            rows between unbounded preceding and current row
        ) as cases_at_or_below,
        loaded_at

    from counted

)

select * from final
