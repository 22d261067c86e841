-- The board's headline tables, laid out as the reports print them (e.g. the communities table in
-- the October 2020 report): for the report month, each measure's current month, the same month in
-- each of the three previous years, current against the three-year average, the rolling 12
-- months, the year-end baseline and performance against it. For the force and each area.
-- The month is var('report_month') (YYYY-MM-01), or the last full month of data.
with

measure_values as (

    select * from {{ ref('measure_values') }}
    where geography_level in ('force', 'area')

),

measures as (

    select * from {{ ref('measures') }}

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

report_month as (

    select
        {%- if var('report_month') %}
        cast('{{ var("report_month") }}' as date) as period_month
        {%- else %}
        max(period_month) as period_month
        {%- endif %}
    from months

),

report_rows as (

    select
        measure_values.measure_id,
        measure_values.geography_level,
        measure_values.geography,
        report_month.period_month as report_month,
        max(value) filter (where period_window = 'month') as current_month,
        max(sample_size) filter (where period_window = 'month') as current_month_n,
        max(vs_3y_avg) filter (where period_window = 'month') as current_month_vs_3y_avg,
        max(vs_3y_avg) filter (where period_window = 'rolling_12m') as rolling_12m_vs_3y_avg,
        max(value) filter (where period_window = 'rolling_12m') as rolling_12_months,
        max(sample_size) filter (where period_window = 'rolling_12m') as rolling_12_months_n,
        max(baseline) filter (where period_window = 'rolling_12m') as baseline,
        max(vs_baseline) filter (where period_window = 'rolling_12m') as performance_vs_benchmark,
        bool_or(is_low_sample) as has_low_sample

    from measure_values
    inner join report_month
        on measure_values.period_month = report_month.period_month
    where measure_values.period_window in ('month', 'rolling_12m')
    group by all

),

earlier_years as (

    select
        measure_values.measure_id,
        measure_values.geography_level,
        measure_values.geography,
        max(measure_values.value) filter (where measure_values.period_month = report_month.period_month - to_months(12)) as same_month_1y_ago,
        max(measure_values.value) filter (where measure_values.period_month = report_month.period_month - to_months(24)) as same_month_2y_ago,
        max(measure_values.value) filter (where measure_values.period_month = report_month.period_month - to_months(36)) as same_month_3y_ago

    from measure_values
    cross join report_month
    where measure_values.period_window = 'month'
    group by all

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
        earlier_years.same_month_1y_ago,
        earlier_years.same_month_2y_ago,
        earlier_years.same_month_3y_ago,
        report_rows.current_month_vs_3y_avg,
        report_rows.rolling_12m_vs_3y_avg,
        report_rows.rolling_12_months,
        report_rows.rolling_12_months_n,
        report_rows.baseline,
        report_rows.performance_vs_benchmark,
        report_rows.has_low_sample

    from report_rows
    inner join earlier_years
        on report_rows.measure_id = earlier_years.measure_id
        and report_rows.geography_level = earlier_years.geography_level
        and report_rows.geography = earlier_years.geography
    inner join measures
        on report_rows.measure_id = measures.measure_id

)

select * from final
