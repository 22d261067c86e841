-- Median response times for every geography, month and window. Medians do not add up, so each
-- attended incident is counted in every window it falls in and the median is taken over them.
-- minutes_histogram (whole minutes -> cases) lets the sign test count cases above a comparison
-- median without going back to the incidents.
-- Incremental: a nightly build recomputes only the months whose windows take in an incident loaded
-- since the last build (from the earliest such incident's month, or the first new month, onward).
{%- set windows = reporting_windows() %}
{{
    config(
        materialized='incremental',
        unique_key=['measure_id', 'geography_level', 'geography', 'period_month', 'period_window'],
    )
}}

with

timed_incidents as (

    select * from {{ ref('int_incidents_timed') }}

),

recompute_from as (

    {%- if is_incremental() %}
    select cast(coalesce(least(
        (select min(created_month) from timed_incidents where {{ is_loaded_since_last_run() }}),
        (select max(period_month) + interval 1 month from {{ this }})
    ), date '9999-12-01') as date) as first_month
    {%- else %}
    select date '0001-01-01' as first_month
    {%- endif %}

),

incidents as (

    select * from timed_incidents
    where is_response_graded
        and response_minutes is not null
        and created_month >= (select first_month - interval 11 month from recompute_from)

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

scope as (

    select * from {{ ref('int_measure_scope') }}
    where window_aggregation = 'median'

),

cases as (

    select 'resp_median_minutes__immediate' as measure_id, district_name, area_name, created_month, response_minutes, loaded_at
    from incidents where grade_name = 'immediate'
    union all
    select 'resp_median_minutes__priority', district_name, area_name, created_month, response_minutes, loaded_at
    from incidents where grade_name = 'priority'
    union all
    select 'resp_median_minutes__prompt', district_name, area_name, created_month, response_minutes, loaded_at
    from incidents where grade_name = 'prompt'
    union all
    select 'resp_median_minutes__prompt__burglary_dwelling', district_name, area_name, created_month, response_minutes, loaded_at
    from incidents where grade_name = 'prompt' and is_burglary_dwelling
    union all
    select 'resp_median_minutes__prompt__domestic', district_name, area_name, created_month, response_minutes, loaded_at
    from incidents where grade_name = 'prompt' and is_domestic

),

windows as (

    select * from (values
        {%- for window, length in windows.items() %}
        ('{{ window }}', {{ length }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as windows (period_window, months_in_window)

),

exploded as (

    select
        cases.measure_id,
        cases.district_name,
        cases.area_name,
        cases.response_minutes,
        cases.loaded_at,
        windows.period_window,
        windows.months_in_window,
        cast(cases.created_month + to_months(offsets.month_offset) as date) as period_month

    from cases
    cross join windows
    inner join range(12) as offsets (month_offset)
        on offsets.month_offset < windows.months_in_window
    where cases.created_month + to_months(offsets.month_offset) >= (select first_month from recompute_from)

),

aggregated as (

    select
        measure_id,
        period_window,
        period_month,
        {{ geography_of_grouping_set() }},
        median(response_minutes) as value,
        count(*) as sample_size,
        histogram(cast(round(response_minutes) as integer)) as minutes_histogram,
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
        scope.period_month >= (select min(period_month) from months) + to_months(windows.months_in_window - 1) as is_complete_window

    from scope
    cross join windows
    where scope.period_month >= (select first_month from recompute_from)

),

final as (

    select
        spine.measure_id,
        spine.geography_level,
        spine.geography,
        spine.period_month,
        spine.period_window,
        case when spine.is_complete_window then aggregated.value end as value,
        cast(null as double) as numerator,
        case when spine.is_complete_window then cast(coalesce(aggregated.sample_size, 0) as double) end as denominator,
        case when spine.is_complete_window then cast(coalesce(aggregated.sample_size, 0) as double) end as sample_size,
        case when spine.is_complete_window then aggregated.minutes_histogram end as minutes_histogram,
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
