-- Every measure value with its comparisons: the same month last year, the same month in the
-- previous three years pooled, and the year-end baseline (the same window at the previous March),
-- each with a z statistic and its word. Tests by kind of measure (measure_registry seed): counts as
-- quasi-Poisson counts (their dispersion estimated from the series' own months up to the month),
-- proportions as two proportions, volume-basis rates as a ratio of two counts, per-1,000 rates as
-- quasi-Poisson rates, medians by Mood's two-sample median test (to the second). Nothing after the
-- month is read. What is shown is what is tested: the three-year figure is the pooled one the test
-- uses (docs/measures.md). A low sample on either side is never more than Comparable; a comparison
-- no test applies to has no word.
{%- set comparisons = {'last_year': 'vs_last_year', 'prev_3y': 'vs_3y_avg', 'baseline': 'vs_baseline'} %}
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

    select
        current_period.*,
        {%- for alias in ['last_year', 'two_years', 'three_years', 'year_end'] %}
        {%- set prefix = {'last_year': 'last_year', 'two_years': 'y2', 'three_years': 'y3', 'year_end': 'baseline'}[alias] %}
        {%- for column in ['value', 'numerator', 'denominator', 'sample_size', 'is_complete', 'median_seconds'] %}
        {{ alias }}.{{ column }} as {{ prefix }}_{{ column }},
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
    {%- for alias, offset in [('last_year', 12), ('two_years', 24), ('three_years', 36)] %}
    left join measure_values as {{ alias }}
        on current_period.measure_id = {{ alias }}.measure_id
        and current_period.geography_level = {{ alias }}.geography_level
        and current_period.geography = {{ alias }}.geography
        and current_period.period_window = {{ alias }}.period_window
        and {{ alias }}.period_month = current_period.period_month - to_months({{ offset }})
    {%- endfor %}
    -- noqa: enable=LT02
    left join measure_values as year_end
        on current_period.measure_id = year_end.measure_id
        and current_period.geography_level = year_end.geography_level
        and current_period.geography = year_end.geography
        and current_period.period_window = year_end.period_window
        and year_end.period_month = {{ previous_year_end_month('current_period.period_month') }}

),

pooled as (

    select
        *,
        -- the previous three years as one: their events over their cases (a count: the mean of the
        -- three; a median: the mean of the three medians); null unless all three windows are whole
        last_year_numerator + y2_numerator + y3_numerator as prev_3y_numerator,
        last_year_denominator + y2_denominator + y3_denominator as prev_3y_denominator,
        (last_year_median_seconds + y2_median_seconds + y3_median_seconds) / 3 as prev_3y_median_seconds,
        least(last_year_sample_size, y2_sample_size, y3_sample_size) as prev_3y_sample_size,
        last_year_sample_size + y2_sample_size + y3_sample_size as prev_3y_cases,
        last_year_is_complete and y2_is_complete and y3_is_complete as prev_3y_is_complete,
        coalesce(sample_size < min_n, false) as is_low_sample

    from with_history

),

compared_with as (

    select
        *,
        case
            when unit = 'count' then (last_year_value + y2_value + y3_value) / 3
            when unit = 'minutes' then prev_3y_median_seconds / 60.0
            else prev_3y_numerator / nullif(prev_3y_denominator, 0)
        end as prev_3y_value

    from pooled

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
        {{ 'prev_3y_cases' if comparison == 'prev_3y' else comparison ~ '_sample_size' }} as comparison_cases,
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
    union all
    select
        median_test_references.*,
        false as is_current,
        cast(median_test_references.period_month - to_months(years_back.months_back) as date) as window_end_month
    from median_test_references
    inner join
        (values ('last_year', 12), ('prev_3y', 12), ('prev_3y', 24), ('prev_3y', 36)) as years_back (comparison_name, months_back)
        on median_test_references.comparison = years_back.comparison_name
    union all
    select
        *,
        false as is_current,
        {{ previous_year_end_month('period_month') }} as window_end_month
    from median_test_references
    where comparison = 'baseline'

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
        {%- for comparison, word in comparisons.items() %}
        {%- set counted_z = z_count_vs_mean('value', 'prev_3y_value', 3, 'numerator_dispersion') if comparison == 'prev_3y'
            else z_poisson_counts('value', comparison ~ '_value', 'numerator_dispersion') %}
        {%- set other_numerator, other_denominator = comparison ~ '_numerator', comparison ~ '_denominator' %}
        {{ z_by_test(
            'compared_with.significance_test', 'numerator', 'denominator', other_numerator, other_denominator,
            'numerator_dispersion', 'denominator_dispersion', counted_z, 'median_tests.' ~ comparison ~ '_median_z'
        ) }} as z_{{ word }},
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
        last_year_value as same_month_last_year,
        prev_3y_value as avg_same_month_prev_3y,
        baseline_value as baseline,
        z_vs_last_year,
        z_vs_3y_avg,
        z_vs_baseline,
        numerator_dispersion,
        denominator_dispersion,
        {%- for comparison, word in comparisons.items() %}
        {{ significance_label(
            z='z_' ~ word,
            polarity='polarity',
            value='value',
            comparison=comparison ~ '_value',
            is_low_sample='is_low_sample or coalesce(' ~ comparison ~ '_sample_size < min_n, false)',
            is_comparable='coalesce(is_complete, true) and coalesce(' ~ comparison ~ '_is_complete, true)',
        ) }} as {{ word }},
        {%- endfor %}
        is_low_sample,
        coalesce(is_complete, value is not null) as is_complete,
        incomplete_reason

    from tested

)

select * from final
