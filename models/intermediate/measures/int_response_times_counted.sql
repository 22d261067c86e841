-- Cases of each response-time median measure by geography, month and second: how many took
-- exactly that many seconds, and how many that many or fewer. The sign test counts a window's
-- cases above and below a comparison median from these (one look-up per month of the window),
-- exactly to the second.
with

cases as (

    select * from {{ ref('int_response_cases_assigned') }}

),

counted as (

    select
        measure_id,
        created_month,
        response_seconds,
        {{ geography_of_grouping_set() }},
        count(*) as cases

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
        ) as cases_at_or_below

    from counted

)

select * from final
