-- Every measure value with its comparisons: the same month last year, the average of the same
-- month in the previous three years, and the year-end baseline (the same window at the previous
-- March), each with a z statistic and its word. Tests by kind of measure (measure_methods seed):
-- counts as Poisson counts, rates as two proportions, per-1,000 rates as Poisson rates, medians
-- by a sign test. A low sample on either side is never more than Comparable.
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

measure_values as (

    select *, cast(null as map(integer, bigint)) as minutes_histogram from sums
    union all by name
    select
        * exclude (loaded_at),
        denominator is not null as is_complete,
        case when denominator is null then 'the window reaches back before the first month of data' end as incomplete_reason
    from medians

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
        last_year.value as ly_value,
        last_year.numerator as ly_numerator,
        last_year.denominator as ly_denominator,
        last_year.sample_size as ly_sample_size,
        last_year.is_complete as ly_is_complete,
        two_years.value as y2_value,
        two_years.numerator as y2_numerator,
        two_years.denominator as y2_denominator,
        two_years.sample_size as y2_sample_size,
        two_years.is_complete as y2_is_complete,
        three_years.value as y3_value,
        three_years.numerator as y3_numerator,
        three_years.denominator as y3_denominator,
        three_years.sample_size as y3_sample_size,
        three_years.is_complete as y3_is_complete,
        year_end.value as baseline_value,
        year_end.numerator as baseline_numerator,
        year_end.denominator as baseline_denominator,
        year_end.sample_size as baseline_sample_size,
        year_end.is_complete as baseline_is_complete

    from described as current_period
    {%- for alias, offset in [('last_year', 12), ('two_years', 24), ('three_years', 36)] %}
    left join measure_values as {{ alias }}
        on current_period.measure_id = {{ alias }}.measure_id
        and current_period.geography_level = {{ alias }}.geography_level
        and current_period.geography = {{ alias }}.geography
        and current_period.period_window = {{ alias }}.period_window
        and {{ alias }}.period_month = current_period.period_month - to_months({{ offset }})
    {%- endfor %}
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
        (ly_value + y2_value + y3_value) / 3 as avg_same_month_prev_3y,
        ly_numerator + y2_numerator + y3_numerator as prev_3y_numerator,
        ly_denominator + y2_denominator + y3_denominator as prev_3y_denominator,
        coalesce(sample_size < min_n, false) as is_low_sample,
        coalesce(least(ly_sample_size, y2_sample_size, y3_sample_size) < min_n, false) as is_prev_3y_low_sample,
        -- a comparison needs a value on both sides, each from a complete window
        coalesce(is_complete, true) and value is not null as is_current_comparable

    from with_history

),

tested as (

    select
        *,
        case significance_test
            when 'poisson_counts' then {{ z_poisson_counts('value', 'ly_value') }}
            when 'two_proportions' then {{ z_two_proportions('numerator', 'denominator', 'ly_numerator', 'ly_denominator') }}
            when 'poisson_rates' then {{ z_poisson_rates('numerator', 'denominator', 'ly_numerator', 'ly_denominator') }}
            when 'sign_test' then {{ z_sign_test('minutes_histogram', 'ly_value') }}
        end as z_vs_last_year,
        case significance_test
            when 'poisson_counts' then {{ z_count_vs_mean('value', 'avg_same_month_prev_3y', 3) }}
            when 'two_proportions' then {{ z_two_proportions('numerator', 'denominator', 'prev_3y_numerator', 'prev_3y_denominator') }}
            when 'poisson_rates' then {{ z_poisson_rates('numerator', 'denominator', 'prev_3y_numerator', 'prev_3y_denominator') }}
            when 'sign_test' then {{ z_sign_test('minutes_histogram', 'avg_same_month_prev_3y') }}
        end as z_vs_3y_avg,
        case significance_test
            when 'poisson_counts' then {{ z_poisson_counts('value', 'baseline_value') }}
            when 'two_proportions' then {{ z_two_proportions('numerator', 'denominator', 'baseline_numerator', 'baseline_denominator') }}
            when 'poisson_rates' then {{ z_poisson_rates('numerator', 'denominator', 'baseline_numerator', 'baseline_denominator') }}
            when 'sign_test' then {{ z_sign_test('minutes_histogram', 'baseline_value') }}
        end as z_vs_baseline

    from pooled

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
        ly_value as same_month_last_year,
        avg_same_month_prev_3y,
        baseline_value as baseline,
        z_vs_last_year,
        z_vs_3y_avg,
        z_vs_baseline,
        {{ significance_label('z_vs_last_year', 'unit', 'polarity', 'is_low_sample or coalesce(ly_sample_size < min_n, false)',
            'is_current_comparable and ly_value is not null and coalesce(ly_is_complete, true)') }} as vs_last_year,
        {{ significance_label('z_vs_3y_avg', 'unit', 'polarity', 'is_low_sample or is_prev_3y_low_sample',
            'is_current_comparable and avg_same_month_prev_3y is not null
             and coalesce(ly_is_complete and y2_is_complete and y3_is_complete, true)') }} as vs_3y_avg,
        {{ significance_label('z_vs_baseline', 'unit', 'polarity', 'is_low_sample or coalesce(baseline_sample_size < min_n, false)',
            'is_current_comparable and baseline_value is not null and coalesce(baseline_is_complete, true)') }} as vs_baseline,
        is_low_sample,
        coalesce(is_complete, value is not null) as is_complete,
        incomplete_reason

    from tested

)

select * from final
