-- Median response times for every geography, month and window. Medians do not add up, so each
-- case is counted in every window it falls in and the median is taken over them, in whole seconds
-- (the median of an even count is the mean of the two middle cases) and shown in minutes.
-- Each measure starts in its own first month (the first month it has a case: the priority grade
-- from its introduction); a window reaching back before it has no value and is incomplete.
-- Incremental: a nightly build recomputes only the months whose windows take in a case loaded
-- since the last build (from the earliest such case's month, or the first new month, onward).
{{
    config(
        materialized='incremental',
        unique_key=['measure_id', 'geography_level', 'geography', 'period_month', 'period_window'],
    )
}}

with

all_cases as (

    select * from {{ ref('int_response_cases_assigned') }}

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

scope as (

    select * from {{ ref('int_measure_scope') }}
    where window_aggregation = 'median'

),

first_months as (

    select
        measure_id,
        min(created_month) as first_month
    from all_cases
    group by all

),

recompute_from as (

    {%- if is_incremental() %}
    select
        cast(coalesce(least(
            (
                select min(created_month) from all_cases
                where {{ is_loaded_since_last_run() }}
            ),
            (select max(period_month) + interval 1 month from {{ this }})
        ), date '9999-12-01') as date) as first_month
    {%- else %}
    select date '0001-01-01' as first_month
    {%- endif %}

),

cases as (

    select * from all_cases
    where created_month >= (select recompute_from.first_month - interval 11 month from recompute_from)

),

windows as (

    {{ reporting_windows_rows() }}

),

exploded as (

    select
        cases.measure_id,
        cases.district_name,
        cases.area_name,
        cases.response_seconds,
        cases.loaded_at,
        windows.period_window,
        cast(cases.created_month + to_months(offsets.month_offset) as date) as period_month

    from cases
    cross join windows
    inner join range(12) as offsets (month_offset)
        on windows.months_in_window > offsets.month_offset
    where cases.created_month + to_months(offsets.month_offset) >= (select recompute_from.first_month from recompute_from)

),

aggregated as (

    select
        measure_id,
        period_window,
        period_month,
        {{ geography_of_grouping_set() }},
        median(response_seconds) as median_seconds,
        count(*) as sample_size,
        max(loaded_at) as loaded_at

    from exploded
    group by {{ geography_grouping_sets(['measure_id', 'period_window', 'period_month']) }}

),

spine as (

    select
        scope.measure_id,
        scope.geography_level,
        scope.geography,
        scope.period_month,
        windows.period_window,
        windows.months_in_window,
        first_months.first_month,
        -- the spine of months is complete, so a window is whole when it starts on or after both
        -- the first month of data and the measure's own first month
        scope.period_month
        >= greatest((select min(months.period_month) from months), coalesce(first_months.first_month, date '9999-12-01'))
        + to_months(windows.months_in_window - 1) as is_complete_window,
        cast(null as varchar) as incomplete_months

    from scope
    cross join windows
    left join first_months
        on scope.measure_id = first_months.measure_id
    where scope.period_month >= (select recompute_from.first_month from recompute_from)

),

final as (

    select
        spine.measure_id,
        spine.geography_level,
        spine.geography,
        spine.period_month,
        spine.period_window,
        case when spine.is_complete_window then aggregated.median_seconds / 60.0 end as value,
        cast(null as double) as numerator,
        case when spine.is_complete_window then cast(coalesce(aggregated.sample_size, 0) as double) end as denominator,
        case when spine.is_complete_window then cast(coalesce(aggregated.sample_size, 0) as double) end as sample_size,
        case when spine.is_complete_window then aggregated.median_seconds end as median_seconds,
        {{ window_completeness('spine.first_month') }},
        aggregated.loaded_at

    from spine
    left join aggregated
        on spine.measure_id = aggregated.measure_id
        and spine.geography_level = aggregated.geography_level
        and spine.geography = aggregated.geography
        and spine.period_month = aggregated.period_month
        and spine.period_window = aggregated.period_window

)

select * from final
