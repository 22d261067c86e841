-- Median response times for every geography, month and window. Medians do not add up, so each
-- window's median is found from the per-second counts of its months (int_response_times_counted),
-- in two steps that hold only counts, never the cases themselves: the counts summed by band
-- (response_time_band) over the window's months find the band holding each middle case, then that
-- band's seconds in those months find the second. The median is in whole seconds (the median of an
-- even count is the mean of the two middle cases) and shown in minutes.
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
{#- The first month recomputed, a literal, so that the scans of the counts skip the months before
    the first it reads: every month on a full build, else the earliest month of a case loaded since
    the last build, or the first new month. #}
{%- if is_incremental() %}
{%- set recompute_from = date_bound(
    'select cast(coalesce(least((select min(created_month) from ' ~ ref('int_response_times_counted')
    ~ ' where ' ~ is_loaded_since_last_run() ~ '), (select max(period_month) + interval 1 month from '
    ~ this ~ ')), date \'9999-12-01\') as date)'
) %}
{%- else %}
{%- set recompute_from = "date '0001-01-01'" %}
{%- endif %}
{%- set window_keys = ['measure_id', 'geography_level', 'geography', 'period_window', 'period_month'] %}
{%- set band_keys = ['measure_id', 'geography_level', 'geography', 'created_month', 'band'] %}

with

-- read twice (the first months, the months recomputed): inlined, so that the recomputed months'
-- scan skips the months before them instead of every count being materialized first
all_counts as not materialized (

    select * from {{ ref('int_response_times_counted') }}

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
    from all_counts
    group by all

),

counts as (

    select
        *,
        {{ response_time_band('response_seconds') }} as band
    from all_counts
    where created_month >= {{ recompute_from }} - interval 11 month

),

windows as (

    {{ reporting_windows_rows() }}

),

window_months as (

    select
        windows.period_window,
        windows.months_in_window,
        offsets.month_offset
    from windows
    inner join range(12) as offsets (month_offset)
        on windows.months_in_window > offsets.month_offset

),

banded as (

    select
        measure_id,
        geography_level,
        geography,
        created_month,
        band,
        sum(cases) as cases,
        max(loaded_at) as loaded_at

    from counts
    group by all

),

bands_windowed as (

    select
        banded.measure_id,
        banded.geography_level,
        banded.geography,
        window_months.period_window,
        cast(banded.created_month + to_months(window_months.month_offset) as date) as period_month,
        banded.band,
        sum(banded.cases) as cases,
        max(banded.loaded_at) as loaded_at

    from banded
    cross join window_months
    where banded.created_month + to_months(window_months.month_offset) >= {{ recompute_from }}
    group by all

),

bands_cumulated as (

    select
        *,
        sum(cases) over (
            partition by measure_id, geography_level, geography, period_window, period_month
            order by band
            rows between unbounded preceding and current row
        ) as cases_at_or_below

    from bands_windowed

),

window_totals as (

    select
        measure_id,
        geography_level,
        geography,
        period_window,
        period_month,
        sum(cases) as sample_size,
        max(loaded_at) as loaded_at

    from bands_windowed
    group by all

),

-- the middle case of an odd count twice; the two middle cases of an even count
middle_positions as (

    select
        window_totals.measure_id,
        window_totals.geography_level,
        window_totals.geography,
        window_totals.period_window,
        window_totals.period_month,
        middles.middle,
        case middles.middle
            when 'lower' then (window_totals.sample_size + 1) // 2
            else window_totals.sample_size // 2 + 1
        end as position

    from window_totals
    cross join (values ('lower'), ('upper')) as middles (middle)

),

middle_bands as (

    select
        middle_positions.*,
        bands_cumulated.band,
        bands_cumulated.cases_at_or_below - bands_cumulated.cases as cases_before_band

    from middle_positions
    inner join bands_cumulated
        on {{ keys_match('middle_positions', 'bands_cumulated', window_keys) }}
        and middle_positions.position > bands_cumulated.cases_at_or_below - bands_cumulated.cases
        and middle_positions.position <= bands_cumulated.cases_at_or_below

),

middle_band_months as (

    select
        middle_bands.*,
        cast(middle_bands.period_month - to_months(window_months.month_offset) as date) as created_month

    from middle_bands
    inner join window_months
        on middle_bands.period_window = window_months.period_window

),

middle_band_seconds as (

    select
        middle_band_months.measure_id,
        middle_band_months.geography_level,
        middle_band_months.geography,
        middle_band_months.period_window,
        middle_band_months.period_month,
        middle_band_months.middle,
        middle_band_months.position,
        middle_band_months.cases_before_band,
        counts.response_seconds,
        sum(counts.cases) as cases

    from middle_band_months
    inner join counts
        on {{ keys_match('middle_band_months', 'counts', band_keys) }}
    group by all

),

middle_seconds_cumulated as (

    select
        *,
        cases_before_band + sum(cases) over (
            partition by measure_id, geography_level, geography, period_window, period_month, middle
            order by response_seconds
            rows between unbounded preceding and current row
        ) as cases_at_or_below

    from middle_band_seconds

),

middle_seconds as (

    select
        measure_id,
        geography_level,
        geography,
        period_window,
        period_month,
        min(response_seconds) filter (where middle = 'lower' and cases_at_or_below >= position) as lower_middle_seconds,
        min(response_seconds) filter (where middle = 'upper' and cases_at_or_below >= position) as upper_middle_seconds

    from middle_seconds_cumulated
    group by all

),

aggregated as (

    select
        window_totals.measure_id,
        window_totals.geography_level,
        window_totals.geography,
        window_totals.period_window,
        window_totals.period_month,
        (middle_seconds.lower_middle_seconds + middle_seconds.upper_middle_seconds) / 2.0 as median_seconds,
        window_totals.sample_size,
        window_totals.loaded_at

    from window_totals
    left join middle_seconds
        on {{ keys_match('window_totals', 'middle_seconds', window_keys) }}

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
    where scope.period_month >= {{ recompute_from }}

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
        on {{ keys_match('spine', 'aggregated', window_keys) }}

)

select * from final
