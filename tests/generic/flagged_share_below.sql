{#- Fails when more than max_share of the model's rows have the boolean column set: staging
    flags bad values instead of dropping them, and this keeps the flags a trickle, not a flood.
    Returns one row (the observed share) when it fails. -#}
{% test flagged_share_below(model, column_name, max_share=none) %}
{%- set limit = max_share if max_share is not none else var('max_flagged_share') -%}

with

counts as (

    select
        count(*) filter (where {{ column_name }}) as flagged_rows,
        count(*) as all_rows

    from {{ model }}

),

final as (

    select
        flagged_rows,
        all_rows,
        flagged_rows / nullif(all_rows, 0) as flagged_share

    from counts
    where flagged_rows > {{ limit }} * all_rows

)

select * from final

{% endtest %}
