-- The board's headline tables, laid out as the reports print them (e.g. the communities table in
-- the October 2020 report), for every month: each measure's current month, the month before, its
-- change on the same month a year ago ("700 more crimes"), the same month in each of the three
-- previous years, current against the three-year average, the rolling 12
-- months, the year-end baseline and performance against it. For the force and each area, for
-- the force's own measures. The performance pack (scripts/pack.py) reads one month of it.
with

measure_values as (

    select * from {{ ref('measure_values') }}
    where geography_level in ('force', 'area')

),

measures as (

    -- the force's own measures (its extracts): the board reports on its Police and Crime Plan. The
    -- data.police.uk measures are in measure_values and measure_commentary, and the public pack
    -- lays them out in its own tables (marts.police_uk_force_context)
    select * from {{ ref('int_measures_catalogued') }}
    where data_source = 'force_extracts'

),

report_rows as (

    select
        measure_id,
        geography_level,
        geography,
        period_month as report_month,
        max(value) filter (where period_window = 'month') as current_month,
        max(sample_size) filter (where period_window = 'month') as current_month_n,
        max(vs_3y_avg) filter (where period_window = 'month') as current_month_vs_3y_avg,
        max(vs_3y_avg) filter (where period_window = 'rolling_12m') as rolling_12m_vs_3y_avg,
        max(value) filter (where period_window = 'rolling_12m') as rolling_12_months,
        max(sample_size) filter (where period_window = 'rolling_12m') as rolling_12_months_n,
        max(baseline) filter (where period_window = 'rolling_12m') as baseline,
        max(vs_baseline) filter (where period_window = 'rolling_12m') as performance_vs_benchmark,
        bool_or(is_low_sample) as has_low_sample,
        coalesce(bool_or(is_low_sample) filter (where period_window = 'month'), false) as is_current_month_low_sample,
        coalesce(bool_or(is_low_sample) filter (where period_window = 'rolling_12m'), false) as is_rolling_12_months_low_sample

    from measure_values
    where period_window in ('month', 'rolling_12m')
    group by all

),

month_values as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        value
    from measure_values
    where period_window = 'month'

),

final as (

    select
        measures.pillar,
        report_rows.measure_id,
        measures.name as measure_name,
        measures.unit,
        report_rows.geography_level,
        report_rows.geography,
        report_rows.report_month,
        report_rows.current_month,
        report_rows.current_month_n,
        previous.value as previous_month,
        -- from the figures as printed, so the change always agrees with the two figures beside it
        {%- set printed_change = shown_value('report_rows.current_month', 'measures.unit') ~ ' - '
            ~ shown_value('one_year.value', 'measures.unit') %}
        {{ shown_value(printed_change, 'measures.unit') }} as change_on_1y_ago,
        one_year.value as same_month_1y_ago,
        two_years.value as same_month_2y_ago,
        three_years.value as same_month_3y_ago,
        report_rows.current_month_vs_3y_avg,
        report_rows.rolling_12m_vs_3y_avg,
        report_rows.rolling_12_months,
        report_rows.rolling_12_months_n,
        report_rows.baseline,
        report_rows.performance_vs_benchmark,
        report_rows.has_low_sample,
        report_rows.is_current_month_low_sample,
        report_rows.is_rolling_12_months_low_sample

    from report_rows
    inner join measures
        on report_rows.measure_id = measures.measure_id
    {%- for alias, offset in [('previous', 1), ('one_year', 12), ('two_years', 24), ('three_years', 36)] %}
    left join month_values as {{ alias }}
        on report_rows.measure_id = {{ alias }}.measure_id
        and report_rows.geography_level = {{ alias }}.geography_level
        and report_rows.geography = {{ alias }}.geography
        and {{ alias }}.period_month = report_rows.report_month - to_months({{ offset }})
    {%- endfor %}

)

select * from final
