-- Every measure value (sums and medians, every geography, month and window) with what its
-- comparisons and charts read about it: its catalogue entry (pillar, unit, the polarity its words
-- read by, its smallest reportable sample, its test) and its series' quasi-Poisson dispersion at
-- the month, estimated from its own months up to the month (never a later one). The value rows of
-- measure_values; int_measure_comparisons compares each with what came before, measure_spc
-- charts its month rows.

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

dispersed as (

    select
        described.*,
        dispersions.numerator_dispersion,
        dispersions.denominator_dispersion

    from described
    left join dispersions
        on described.measure_id = dispersions.measure_id
        and described.geography_level = dispersions.geography_level
        and described.geography = dispersions.geography
        and described.period_month = dispersions.period_month

),

final as (

    select
        measure_id,
        pillar,
        unit,
        polarity,
        significance_test,
        min_n,
        geography_level,
        geography,
        period_month,
        period_window,
        value,
        numerator,
        denominator,
        sample_size,
        median_seconds,
        numerator_dispersion,
        denominator_dispersion,
        coalesce(sample_size < min_n, false) as is_low_sample,
        -- as it came: null where the source gives no verdict (measure_values reads a value as whole then)
        is_complete,
        incomplete_reason

    from dispersed

)

select * from final
