-- No word points against the figures it describes: Higher only when the value is above its
-- comparison, Lower only below; Improved only in the measure's good direction, Deteriorated only
-- in its bad one. Across every measure, geography, month, window and comparison
-- (int_measure_comparisons: the figures of measure_values, one row per comparison).
-- Returns the rows that contradict (none expected).
with

comparisons as (

    select * from {{ ref('int_measure_comparisons') }}

),

catalogue as (

    select * from {{ ref('int_measures_catalogued') }}

),

signed as (

    select
        comparisons.*,
        catalogue.polarity,
        sign(comparisons.value - comparisons.comparison_value)
        * case catalogue.polarity when 'lower_is_better' then -1 else 1 end as direction

    from comparisons
    inner join catalogue
        on comparisons.measure_id = catalogue.measure_id
    where comparisons.word in ('Higher', 'Lower', 'Improved', 'Deteriorated')

),

final as (

    select * from signed
    where (word = 'Higher' and not value > comparison_value)
        or (word = 'Lower' and not value < comparison_value)
        or (word = 'Improved' and (polarity = 'neutral' or direction is distinct from 1))
        or (word = 'Deteriorated' and (polarity = 'neutral' or direction is distinct from -1))

)

select * from final
