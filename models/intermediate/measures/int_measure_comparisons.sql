-- Every measure value against each of its comparisons, one row per value and comparison: the same
-- month last year, the same month in the previous three years pooled, and the year-end baseline
-- (the same window at the previous March), each with a z statistic and its word. Each comparison
-- is defined once (macros/measures.sql, measure_comparisons): the windows it reads, pooled when
-- more than one; measure_values pivots these rows into its columns. Tests by kind of measure
-- (measure_registry seed): counts as quasi-Poisson counts (their dispersion estimated from the
-- series' own months up to the month: int_measure_values_described), proportions as two
-- proportions, volume-basis rates as a ratio of two counts, per-1,000 rates as quasi-Poisson rates,
-- medians by Mood's two-sample median test (to the second). Nothing after the month is read. What
-- is shown is what is tested: a pooled figure is the one the test uses (docs/measures.md). A low
-- sample on either side is never more than Comparable; a comparison no test applies to has no word.
-- Incremental: a nightly build rebuilds the rows from the first month whose inputs changed, reading
-- back as far as a comparison reaches (macros/measure_rebuild.sql).
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_rebuilt_months() }}") }}
{%- set rebuild_from = measure_rebuild_from() %}
{%- set reaches_back = comparison_reach_months() %}
{%- set value_keys = ['measure_id', 'geography_level', 'geography', 'period_month', 'period_window'] %}
{%- set comparison_keys = value_keys + ['comparison'] %}
{%- set pooled_columns = ['value', 'numerator', 'denominator', 'sample_size', 'median_seconds'] %}
{%- set history_columns = pooled_columns + ['is_complete'] %}
{%- set slots = range(1, most_comparison_windows() + 1) %}
{%- set window_sample_sizes = [] %}
{%- for slot in slots %}{% do window_sample_sizes.append('sample_size_window_' ~ slot) %}{% endfor %}

with

measure_values as (

    select * from {{ ref('int_measure_values_described') }}
    where {{ is_read_for_rebuild(rebuild_from, reaches_back) }}

),

response_times as (

    select * from {{ ref('int_response_times_counted') }}
    where {{ is_read_for_rebuild(rebuild_from, reaches_back, 'created_month') }}

),

comparison_windows as (

    {{ comparison_windows_rows() }}

),

reporting_windows as (

    {{ reporting_windows_rows() }}

),

compared as (

    -- each value with each comparison, and the month each of its windows ends in
    -- (the style check cannot place the lines the macro renders)
    -- noqa: disable=LT02
    select
        measure_values.*,
        comparison_windows.*,
        {%- for slot in slots %}
        case when comparison_windows.windows_pooled >= {{ slot }} then
            {{ comparison_window_month('measure_values.period_month', 'comparison_windows.months_back_' ~ slot) }}
        end as window_month_{{ slot }},
        {%- endfor %}

    from measure_values
    cross join comparison_windows
    where {{ is_rebuilt_month(rebuild_from, 'measure_values.period_month') }}
    -- noqa: enable=LT02

),

with_history as (

    -- the value row of each window of the comparison (slot 1, 2, ...), when there is one
    select
        compared.*,
        {%- for slot in slots %}
        {%- for column in history_columns %}
        window_{{ slot }}.{{ column }} as {{ column }}_window_{{ slot }},
        {%- endfor %}
        {%- endfor %}

    from compared
    -- the style check cannot place the joins this loop repeats
    -- noqa: disable=LT02
    {%- for slot in slots %}
    left join measure_values as window_{{ slot }}
        on compared.measure_id = window_{{ slot }}.measure_id
        and compared.geography_level = window_{{ slot }}.geography_level
        and compared.geography = window_{{ slot }}.geography
        and compared.period_window = window_{{ slot }}.period_window
        and compared.window_month_{{ slot }} = window_{{ slot }}.period_month
    {%- endfor %}
    -- noqa: enable=LT02

),

pooled as (

    -- each comparison's windows as one: their events over their cases (a count: their mean; a
    -- median: the mean of the medians), a total null unless every window has it
    -- (macros/measures.sql windows_total); the smallest window's sample for the low-sample rule;
    -- whole unless a window is known not to be
    select
        *,
        {%- for column in pooled_columns %}
        {{ windows_total(column ~ '_window') }} as comparison_{{ column }}_total,
        {%- endfor %}
        least({{ window_sample_sizes | join(', ') }}) as comparison_sample_size,
        {{ windows_total('is_complete_window', 'and') }} as is_comparison_complete,
        -- the month compared with, when the comparison reads one window
        case when windows_pooled = 1 then window_month_1 end as comparison_month

    from with_history

),

compared_with as (

    -- the figure compared with: one window's value, or the pooled figure of several
    select
        *,
        comparison_numerator_total as comparison_numerator,
        comparison_denominator_total as comparison_denominator,
        comparison_sample_size_total as comparison_cases,
        comparison_median_seconds_total / windows_pooled as comparison_median_seconds,
        case
            when windows_pooled = 1 then comparison_value_total
            when unit = 'count' then comparison_value_total / windows_pooled
            when unit = 'minutes' then comparison_median_seconds_total / windows_pooled / 60.0
            else comparison_numerator_total / nullif(comparison_denominator_total, 0)
        end as comparison_value

    from pooled

),

median_test_references as (

    -- Mood's median test: both samples split at their medians' mean weighted by their cases
    select
        {%- for key in comparison_keys %}
        {{ key }},
        {%- endfor %}
        windows_pooled,
        {%- for slot in slots %}
        window_month_{{ slot }},
        {%- endfor %}
        sample_size as cases,
        comparison_cases,
        (sample_size * median_seconds + comparison_cases * comparison_median_seconds)
        / (sample_size + comparison_cases) as split_seconds

    from compared_with
    where significance_test = 'median_test'
        and comparison_median_seconds is not null
        and sample_size > 0
        and comparison_cases > 0

),

median_test_window_ends as (

    -- the last month of each window whose cases are split: this window, then the comparison's
    select
        *,
        true as is_current,
        period_month as window_end_month
    from median_test_references
    {%- for slot in slots %}
    union all
    select
        *,
        false as is_current,
        window_month_{{ slot }} as window_end_month
    from median_test_references
    where windows_pooled >= {{ slot }}
    {%- endfor %}

),

median_test_probes as (

    -- one look-up per month of each window: its cases at or below the split
    select
        median_test_window_ends.*,
        cast(median_test_window_ends.window_end_month - to_months(offsets.month_offset) as date) as case_month

    from median_test_window_ends
    inner join reporting_windows
        on median_test_window_ends.period_window = reporting_windows.period_window
    inner join range(12) as offsets (month_offset)
        on reporting_windows.months_in_window > offsets.month_offset

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
        {%- for key in comparison_keys %}
        {{ key }},
        {%- endfor %}
        any_value(cases) as cases,
        any_value(cases) - sum(cases_not_above) filter (where is_current) as cases_above,
        any_value(comparison_cases) as comparison_cases,
        any_value(comparison_cases) - sum(cases_not_above) filter (where not is_current) as comparison_cases_above

    from median_test_looked_up
    group by {{ comparison_keys | join(', ') }}

),

median_tests as (

    select
        *,
        {{ z_median_test('cases_above', 'cases', 'comparison_cases_above', 'comparison_cases') }} as median_z

    from median_test_counts

),

tested as (

    -- a count against one window as two counts, against several as a count against their mean
    select
        compared_with.*,
        {{ z_by_test(
            'compared_with.significance_test', 'compared_with.numerator', 'compared_with.denominator',
            'compared_with.comparison_numerator', 'compared_with.comparison_denominator',
            'compared_with.numerator_dispersion', 'compared_with.denominator_dispersion',
            z_count_vs_mean(
                'compared_with.value', 'compared_with.comparison_value', 'compared_with.windows_pooled',
                'compared_with.numerator_dispersion'
            ),
            'median_tests.median_z'
        ) }} as z

    from compared_with
    left join median_tests
        on {{ keys_match('compared_with', 'median_tests', comparison_keys) }}

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
        comparison,
        compared_with,
        windows_pooled,
        comparison_month,
        comparison_value,
        comparison_numerator,
        comparison_denominator,
        comparison_sample_size,
        z,
        {{ significance_label(
            z='z',
            polarity='polarity',
            value='value',
            comparison='comparison_value',
            is_low_sample='is_low_sample or coalesce(comparison_sample_size < min_n, false)',
            is_comparable='coalesce(is_complete, true) and coalesce(is_comparison_complete, true)',
        ) }} as word,
        is_low_sample,
        coalesce(is_complete, value is not null) as is_complete

    from tested

)

select * from final
