-- Every measure value with its comparisons: the same month last year, the same month in the
-- previous three years pooled, and the year-end baseline (the same window at the previous March),
-- each with a z statistic and its word. Tests by kind of measure (measure_registry seed): counts as
-- quasi-Poisson counts (their dispersion estimated from the series' own months up to the month),
-- proportions as two proportions, volume-basis rates as a ratio of two counts, per-1,000 rates as
-- quasi-Poisson rates, medians by Mood's two-sample median test (to the second). Nothing after the
-- month is read. What is shown is what is tested: the three-year figure is the pooled one the test
-- uses (docs/measures.md). A low sample on either side is never more than Comparable; a comparison
-- no test applies to has no word.
-- Each comparison is defined once (macros/measures.sql, measure_comparisons): the windows it
-- reads and pools, and the columns its figure and word go in; int_measure_comparisons holds the
-- same figures one row per comparison.
{%- set comparisons = measure_comparisons() %}
{%- set history_columns = ['value', 'numerator', 'denominator', 'sample_size', 'is_complete', 'median_seconds'] %}
{%- set value_keys = ['measure_id', 'geography_level', 'geography', 'period_month', 'period_window'] %}

with

sums as (

    select * from {{ ref('int_measure_values_windowed') }}

),

medians as (

    select * from {{ ref('int_response_medians_windowed') }}

),

catalogue as (

    select * from {{ ref('int_measures_catalogued') }}

),

response_times as (

    select * from {{ ref('int_response_times_counted') }}

),

measure_values as (

    select
        *,
        cast(null as double) as median_seconds
    from sums
    union all by name
    select * exclude (loaded_at) from medians

),

described as (

    select
        measure_values.*,
        catalogue.pillar,
        catalogue.unit,
        -- the polarity its words read by: none for a recorded volume (int_measures_catalogued)
        catalogue.word_polarity as polarity,
        catalogue.min_n,
        catalogue.significance_test

    from measure_values
    inner join catalogue
        on measure_values.measure_id = catalogue.measure_id

),

month_counts as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        numerator,
        denominator,
        -- a moving range only between consecutive months
        case when lag(period_month) over series = period_month - interval 1 month
                then abs(numerator - lag(numerator) over series)
        end as numerator_moving_range,
        case when lag(period_month) over series = period_month - interval 1 month
                then abs(denominator - lag(denominator) over series)
        end as denominator_moving_range

    from sums
    where period_window = 'month'
    window series as (partition by measure_id, geography_level, geography order by period_month)

),

dispersions as (

    -- each series' dispersion at each month, from its trailing months up to that month (macros/significance.sql)
    select
        measure_id,
        geography_level,
        geography,
        period_month,
        {{ dispersion_from_moving_range(
            'avg(numerator_moving_range) over recent_months', 'avg(numerator) over recent_months', 'count(numerator) over recent_months'
        ) }} as numerator_dispersion,
        {{ dispersion_from_moving_range(
            'avg(denominator_moving_range) over recent_months', 'avg(denominator) over recent_months', 'count(denominator) over recent_months'
        ) }} as denominator_dispersion

    from month_counts
    window recent_months as (
        partition by measure_id, geography_level, geography
        order by period_month
        range between interval {{ var('dispersion_months') | int - 1 }} month preceding and current row
    )

),

with_history as (

    -- each comparison window's value row (measure_comparisons: months back, or the year-end)
    select
        current_period.*,
        {%- for comparison, definition in comparisons.items() %}
        {%- for window in definition.windows %}
        {%- set alias = comparison ~ '_' ~ loop.index %}
        {%- for column in history_columns %}
        {{ alias }}.{{ column }} as {{ alias }}_{{ column }},
        {%- endfor %}
        {%- endfor %}
        {%- endfor %}
        dispersions.numerator_dispersion,
        dispersions.denominator_dispersion,

    from described as current_period
    left join dispersions
        on current_period.measure_id = dispersions.measure_id
        and current_period.geography_level = dispersions.geography_level
        and current_period.geography = dispersions.geography
        and current_period.period_month = dispersions.period_month
    -- the style check cannot place the joins this loop repeats
    -- noqa: disable=LT02
    {%- for comparison, definition in comparisons.items() %}
    {%- for window in definition.windows %}
    left join measure_values as {{ comparison }}_{{ loop.index }}
        on current_period.measure_id = {{ comparison }}_{{ loop.index }}.measure_id
        and current_period.geography_level = {{ comparison }}_{{ loop.index }}.geography_level
        and current_period.geography = {{ comparison }}_{{ loop.index }}.geography
        and current_period.period_window = {{ comparison }}_{{ loop.index }}.period_window
        and {{ comparison }}_{{ loop.index }}.period_month = {{ comparison_window_month('current_period.period_month', window) }}
    {%- endfor %}
    {%- endfor %}
    -- noqa: enable=LT02

),

pooled as (

    select
        *,
        {%- for comparison, definition in comparisons.items() %}
        {%- set windows = definition.windows | length %}
        {%- set each = [] %}
        {%- for window in definition.windows %}
        {%- do each.append(comparison ~ '_' ~ loop.index ~ '_') %}
        {%- endfor %}
        {%- if windows == 1 %}
        {%- for column in history_columns %}
        {{ each[0] }}{{ column }} as {{ comparison }}_{{ column }},
        {%- endfor %}
        {{ each[0] }}sample_size as {{ comparison }}_cases,
        {%- else %}
        -- {{ comparison }} pools {{ windows }} windows as one: their events over their cases (a count:
        -- their mean; a median: the mean of the medians); null unless every window is whole
        -- (rendered, a pool of three windows runs past the line length)
        -- noqa: disable=LT05
        {{ each | join('numerator + ') }}numerator as {{ comparison }}_numerator,
        {{ each | join('denominator + ') }}denominator as {{ comparison }}_denominator,
        ({{ each | join('median_seconds + ') }}median_seconds) / {{ windows }} as {{ comparison }}_median_seconds,
        least({{ each | join('sample_size, ') }}sample_size) as {{ comparison }}_sample_size,
        {{ each | join('sample_size + ') }}sample_size as {{ comparison }}_cases,
        {{ each | join('is_complete and ') }}is_complete as {{ comparison }}_is_complete,
        -- noqa: enable=LT05
        {%- endif %}
        {%- endfor %}
        coalesce(sample_size < min_n, false) as is_low_sample

    from with_history

),

compared_with as (

    -- the figure of a pooled comparison (a single window's is its value)
    -- the style check cannot place the lines this loop renders
    -- noqa: disable=LT02,LT05
    select
        *,
        {%- for comparison, definition in comparisons.items() if definition.windows | length > 1 %}
        {%- set windows = definition.windows | length %}
        case
            when unit = 'count' then ({{ comparison }}_{{ range(1, windows + 1) | join('_value + ' ~ comparison ~ '_') }}_value) / {{ windows }}
            when unit = 'minutes' then {{ comparison }}_median_seconds / 60.0
            else {{ comparison }}_numerator / nullif({{ comparison }}_denominator, 0)
        end as {{ comparison }}_value,
        {%- endfor %}

    from pooled
    -- noqa: enable=LT02,LT05

),

median_test_references as (

    -- Mood's median test: both samples split at their medians' mean weighted by their cases
    {%- for comparison in comparisons %}
    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        '{{ comparison }}' as comparison,
        sample_size as cases,
        {{ comparison }}_cases as comparison_cases,
        (sample_size * median_seconds + comparison_cases * {{ comparison }}_median_seconds)
        / (sample_size + comparison_cases) as split_seconds

    from compared_with
    where significance_test = 'median_test'
        and {{ comparison }}_median_seconds is not null
        and sample_size > 0
        and comparison_cases > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

median_test_window_ends as (

    -- the last month of each window whose cases are split: this window, then the comparison's
    select
        *,
        true as is_current,
        period_month as window_end_month
    from median_test_references
    {%- for comparison, definition in comparisons.items() %}
    {%- for window in definition.windows %}
    union all
    select
        *,
        false as is_current,
        {{ comparison_window_month('period_month', window) }} as window_end_month
    from median_test_references
    where comparison = '{{ comparison }}'
    {%- endfor %}
    {%- endfor %}

),

windows as (

    {{ reporting_windows_rows() }}

),

median_test_probes as (

    -- one look-up per month of each window: its cases at or below the split
    select
        median_test_window_ends.*,
        cast(median_test_window_ends.window_end_month - to_months(offsets.month_offset) as date) as case_month

    from median_test_window_ends
    inner join windows
        on median_test_window_ends.period_window = windows.period_window
    inner join range(12) as offsets (month_offset)
        on windows.months_in_window > offsets.month_offset

),

median_test_looked_up as (

    select
        median_test_probes.*,
        coalesce(response_times.cases_at_or_below, 0) as cases_not_above

    from median_test_probes
    asof left join response_times
        on median_test_probes.measure_id = response_times.measure_id
        and median_test_probes.geography_level = response_times.geography_level
        and median_test_probes.geography = response_times.geography
        and median_test_probes.case_month = response_times.created_month
        and median_test_probes.split_seconds >= response_times.response_seconds

),

median_test_counts as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        comparison,
        any_value(cases) as cases,
        any_value(cases) - sum(cases_not_above) filter (where is_current) as cases_above,
        any_value(comparison_cases) as comparison_cases,
        any_value(comparison_cases) - sum(cases_not_above) filter (where not is_current) as comparison_cases_above

    from median_test_looked_up
    group by all

),

median_test_statistics as (

    select
        *,
        {{ z_median_test('cases_above', 'cases', 'comparison_cases_above', 'comparison_cases') }} as median_z

    from median_test_counts

),

median_tests as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        {%- for comparison in comparisons %}
        max(median_z) filter (where comparison = '{{ comparison }}') as {{ comparison }}_median_z,
        {%- endfor %}

    from median_test_statistics
    group by all

),

tested as (

    select
        compared_with.*,
        {%- for comparison, definition in comparisons.items() %}
        {%- set pooled_windows = definition.windows | length %}
        {%- set counted_z = z_poisson_counts('value', comparison ~ '_value', 'numerator_dispersion') if pooled_windows == 1
            else z_count_vs_mean('value', comparison ~ '_value', pooled_windows, 'numerator_dispersion') %}
        {%- set other_numerator, other_denominator = comparison ~ '_numerator', comparison ~ '_denominator' %}
        {{ z_by_test(
            'compared_with.significance_test', 'numerator', 'denominator', other_numerator, other_denominator,
            'numerator_dispersion', 'denominator_dispersion', counted_z, 'median_tests.' ~ comparison ~ '_median_z'
        ) }} as z_{{ definition.word }},
        {%- endfor %}

    from compared_with
    left join median_tests
        on {{ keys_match('compared_with', 'median_tests', value_keys) }}

),

final as (

    select
        measure_id,
        pillar,
        unit,
        polarity,
        significance_test,
        geography_level,
        geography,
        period_month,
        period_window,
        value,
        numerator,
        denominator,
        sample_size,
        {%- for comparison, definition in comparisons.items() %}
        {{ comparison }}_value as {{ definition.shown }},
        {%- endfor %}
        {%- for definition in comparisons.values() %}
        z_{{ definition.word }},
        {%- endfor %}
        numerator_dispersion,
        denominator_dispersion,
        {%- for comparison, definition in comparisons.items() %}
        {{ significance_label(
            z='z_' ~ definition.word,
            polarity='polarity',
            value='value',
            comparison=comparison ~ '_value',
            is_low_sample='is_low_sample or coalesce(' ~ comparison ~ '_sample_size < min_n, false)',
            is_comparable='coalesce(is_complete, true) and coalesce(' ~ comparison ~ '_is_complete, true)',
        ) }} as {{ definition.word }},
        {%- endfor %}
        is_low_sample,
        coalesce(is_complete, value is not null) as is_complete,
        incomplete_reason

    from tested

)

select * from final
