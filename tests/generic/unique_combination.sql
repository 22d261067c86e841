{#- Fails with the repeated key values when the columns together do not identify a row. -#}
{% test unique_combination(model, columns) %}

with

keys as (

    select {{ columns | join(', ') }}, count(*) as rows_with_key
    from {{ model }}
    group by all

),

final as (

    select * from keys where rows_with_key > 1

)

select * from final

{% endtest %}
