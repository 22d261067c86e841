-- Every measure value with its comparisons: the same month last year, the same month in the
-- previous three years pooled, and the year-end baseline (the same window at the previous March),
-- each with a z statistic and its word. Tests by kind of measure (measure_registry seed): counts as
-- Poisson counts, rates as two proportions, per-1,000 rates as Poisson rates, medians by a sign
-- test against the exact comparison median (to the second). What is shown is what is tested: the
-- three-year figure is the pooled one the test uses (docs/measures.md). A low sample on either
-- side is never more than Comparable; a comparison no test applies to has no word.
{%- set comparisons = {'last_year': 'vs_last_year', 'prev_3y': 'vs_3y_avg', 'baseline': 'vs_baseline'} %}

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
        catalogue.polarity,
        catalogue.min_n,
        catalogue.significance_test

    from measure_values
    inner join catalogue
        on measure_values.measure_id = catalogue.measure_id

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

    from described as current_period
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

sign_test_references as (

    {%- for comparison in comparisons %}
    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        sample_size,
        '{{ comparison }}' as comparison,
        {{ comparison }}_median_seconds as reference_seconds

    from compared_with
    where significance_test = 'sign_test'
        and {{ comparison }}_median_seconds is not null
        and sample_size > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

windows as (

    {{ reporting_windows_rows() }}

),

sign_test_probes as (

    -- one look-up per month of the window: its cases at or below the comparison median
    select
        sign_test_references.*,
        cast(sign_test_references.period_month - to_months(offsets.month_offset) as date) as case_month

    from sign_test_references
    inner join windows
        on sign_test_references.period_window = windows.period_window
    inner join range(12) as offsets (month_offset)
        on windows.months_in_window > offsets.month_offset

),

sign_test_looked_up as (

    select
        sign_test_probes.*,
        coalesce(response_times.cases_at_or_below, 0) as cases_not_above,
        coalesce(response_times.cases_at_or_below, 0)
        - case when response_times.response_seconds = sign_test_probes.reference_seconds then response_times.cases else 0 end
            as cases_below

    from sign_test_probes
    asof left join response_times
        on sign_test_probes.measure_id = response_times.measure_id
        and sign_test_probes.geography_level = response_times.geography_level
        and sign_test_probes.geography = response_times.geography
        and sign_test_probes.case_month = response_times.created_month
        and sign_test_probes.reference_seconds >= response_times.response_seconds

),

sign_test_counts as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        {%- for comparison in comparisons %}
        any_value(sample_size) filter (where comparison = '{{ comparison }}')
        - sum(cases_not_above) filter (where comparison = '{{ comparison }}') as {{ comparison }}_cases_above,
        sum(cases_below) filter (where comparison = '{{ comparison }}') as {{ comparison }}_cases_below,
        {%- endfor %}

    from sign_test_looked_up
    group by all

),

tested as (

    select
        compared_with.*,
        {%- for comparison, word in comparisons.items() %}
        {%- set counted_z = z_count_vs_mean('value', 'prev_3y_value', 3) if comparison == 'prev_3y'
            else z_poisson_counts('value', comparison ~ '_value') %}
        {%- set other_numerator, other_denominator = comparison ~ '_numerator', comparison ~ '_denominator' %}
        {%- set cases_above = 'sign_test_counts.' ~ comparison ~ '_cases_above' %}
        {%- set cases_below = 'sign_test_counts.' ~ comparison ~ '_cases_below' %}
        case compared_with.significance_test
            when 'poisson_counts' then {{ counted_z }}
            when 'two_proportions' then {{ z_two_proportions('numerator', 'denominator', other_numerator, other_denominator) }}
            when 'poisson_rates' then {{ z_poisson_rates('numerator', 'denominator', other_numerator, other_denominator) }}
            when 'sign_test' then {{ z_sign_test(cases_above, cases_below) }}
        end as z_{{ word }},
        {%- endfor %}

    from compared_with
    left join sign_test_counts
        on compared_with.measure_id = sign_test_counts.measure_id
        and compared_with.geography_level = sign_test_counts.geography_level
        and compared_with.geography = sign_test_counts.geography
        and compared_with.period_month = sign_test_counts.period_month
        and compared_with.period_window = sign_test_counts.period_window

),

final as (

    select
        measure_id,
        pillar,
        unit,
        polarity,
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
        {%- for comparison, word in comparisons.items() %}
        {{ significance_label(
            z='z_' ~ word,
            unit='unit',
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
