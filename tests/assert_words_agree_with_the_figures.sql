-- No word points against the figures it describes: Higher only when the value is above its
-- comparison, Lower only below; Improved only in the measure's good direction, Deteriorated only
-- in its bad one. Across every measure, geography, month, window and comparison of the mart.
-- Returns the rows that contradict (none expected).
with

measure_values as (

    select * from {{ ref('measure_values') }}

),

catalogue as (

    select * from {{ ref('int_measures_catalogued') }}

),

comparisons as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        value,
        'same_month_last_year' as comparison,
        same_month_last_year as compared_with,
        vs_last_year as word
    from measure_values
    union all
    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        value,
        'avg_same_month_prev_3y',
        avg_same_month_prev_3y,
        vs_3y_avg
    from measure_values
    union all
    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        value,
        'baseline',
        baseline,
        vs_baseline
    from measure_values

),

signed as (

    select
        comparisons.*,
        catalogue.polarity,
        sign(comparisons.value - comparisons.compared_with)
        * case catalogue.polarity when 'lower_is_better' then -1 else 1 end as direction

    from comparisons
    inner join catalogue
        on comparisons.measure_id = catalogue.measure_id
    where comparisons.word in ('Higher', 'Lower', 'Improved', 'Deteriorated')

),

final as (

    select * from signed
    where (word = 'Higher' and not value > compared_with)
        or (word = 'Lower' and not value < compared_with)
        or (word = 'Improved' and (polarity = 'neutral' or direction is distinct from 1))
        or (word = 'Deteriorated' and (polarity = 'neutral' or direction is distinct from -1))

)

select * from final
