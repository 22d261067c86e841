-- Every measure value and each of its comparisons, one row per comparison (measure_comparisons in
-- macros/measures.sql): the figure it is compared with, the test statistic and the word. What
-- reads comparisons one at a time (the words' data tests, an analyst asking "which values went
-- Higher against anything") reads this; measure_values lays the same figures out in columns.
{%- set comparisons = measure_comparisons() %}

with

compared as (

    select * from {{ ref('int_measure_values_compared') }}

),

unpivoted as (

    {%- for comparison, definition in comparisons.items() %}
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
        sample_size,
        '{{ comparison }}' as comparison,
        '{{ definition.shown }}' as compared_with,
        {{ definition.shown }} as comparison_value,
        z_{{ definition.word }} as z,
        {{ definition.word }} as word,
        is_low_sample,
        is_complete

    from compared
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select * from unpivoted

)

select * from final
