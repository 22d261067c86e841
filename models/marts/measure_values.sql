-- The one tidy table for BI tools: every catalogue measure for every geography, month and
-- window, with its comparisons and their words. Month rows carry numerator and denominator, so
-- any other window (e.g. rolling 9 months) is the sum of month rows.
with

compared as (

    select * from {{ ref('int_measure_values_compared') }}

),

final as (

    select
        measure_id,
        pillar,
        geography_level,
        geography,
        period_month,
        period_window,
        value,
        numerator,
        denominator,
        sample_size,
        same_month_last_year,
        avg_same_month_prev_3y,
        baseline,
        vs_last_year,
        vs_3y_avg,
        vs_baseline,
        is_low_sample,
        is_complete,
        incomplete_reason

    from compared

)

select * from final
