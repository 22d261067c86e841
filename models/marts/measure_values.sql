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
        {#- each comparison's figure, then each one's word (macros/measures.sql, measure_comparisons) #}
        {%- for definition in measure_comparisons().values() %}
        {{ definition.shown }},
        {%- endfor %}
        {%- for definition in measure_comparisons().values() %}
        {{ definition.word }},
        {%- endfor %}
        is_low_sample,
        is_complete,
        incomplete_reason

    from compared

)

select * from final
