-- Rows of marts.measure_values per month: how many the catalogue's scope expects (each measure,
-- geography and reporting window) and how many of those are there. Checked by the marts suite
-- (expectations/marts.yml); the figures themselves are checked on marts.measure_values.
with

measure_values as (

    select * from {{ ref('measure_values') }}

),

scope as (

    select * from {{ ref('int_measure_scope') }}

),

windows as (

    {{ reporting_windows_rows() }}

),

expected as (

    select
        scope.measure_id,
        scope.geography_level,
        scope.geography,
        scope.period_month,
        windows.period_window
    from scope
    cross join windows

),

found as (

    select
        expected.*,
        measure_values.measure_id is not null as is_found
    from expected
    left join measure_values
        on expected.measure_id = measure_values.measure_id
        and expected.geography_level = measure_values.geography_level
        and expected.geography = measure_values.geography
        and expected.period_month = measure_values.period_month
        and expected.period_window = measure_values.period_window

),

final as (

    select
        period_month,
        count(*) as rows_expected,
        count(*) filter (where is_found) as rows_found
    from found
    group by period_month

)

select * from final
