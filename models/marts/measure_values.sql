-- The one tidy table for BI tools: every catalogue measure for every geography, month and
-- window, with its comparisons and their words. Month rows carry numerator and denominator, so
-- any other window (e.g. rolling 9 months) is the sum of month rows. The comparisons are
-- int_measure_comparisons' rows, one column pair each (macros/measures.sql, measure_comparisons).
-- Incremental: a nightly build rebuilds the rows from the first month whose inputs changed
-- (macros/measure_rebuild.sql).
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_rebuilt_months() }}") }}
{%- set rebuild_from = measure_rebuild_from() %}
{%- set value_keys = ['measure_id', 'geography_level', 'geography', 'period_month', 'period_window'] %}
{%- set comparisons = measure_comparisons() %}

with

measure_values as (

    select * from {{ ref('int_measure_values_described') }}
    where {{ is_rebuilt_month(rebuild_from) }}

),

comparisons as (

    select * from {{ ref('int_measure_comparisons') }}
    where {{ is_rebuilt_month(rebuild_from) }}

),

pivoted as (

    -- each comparison's figure, then each one's word, in its own column
    select
        {%- for key in value_keys %}
        {{ key }},
        {%- endfor %}
        {%- for comparison, definition in comparisons.items() %}
        max(comparison_value) filter (where comparison = '{{ comparison }}') as {{ definition.shown }},
        {%- endfor %}
        {%- for comparison, definition in comparisons.items() %}
        max(word) filter (where comparison = '{{ comparison }}') as {{ definition.word }},
        {%- endfor %}

    from comparisons
    group by {{ value_keys | join(', ') }}

),

final as (

    select
        measure_values.measure_id,
        measure_values.pillar,
        measure_values.geography_level,
        measure_values.geography,
        measure_values.period_month,
        measure_values.period_window,
        measure_values.value,
        measure_values.numerator,
        measure_values.denominator,
        measure_values.sample_size,
        {%- for definition in comparisons.values() %}
        pivoted.{{ definition.shown }},
        {%- endfor %}
        {%- for definition in comparisons.values() %}
        pivoted.{{ definition.word }},
        {%- endfor %}
        measure_values.is_low_sample,
        -- a value without a verdict on its window is whole when it has a figure
        coalesce(measure_values.is_complete, measure_values.value is not null) as is_complete,
        measure_values.incomplete_reason

    from measure_values
    left join pivoted
        on {{ keys_match('measure_values', 'pivoted', value_keys) }}

)

select * from final
