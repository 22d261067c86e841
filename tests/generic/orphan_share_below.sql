{#- Fails when more than max_share of the model's rows carry a key (column_name) that the `to`
    model does not hold. A trickle of orphans (an outcome whose crime row was quarantined) is a
    warning, listed by the relationships test; a share rather than a count, so the same rule holds
    for a small force and for the national history. Returns one row (the observed share) when it
    fails. -#}
{% test orphan_share_below(model, column_name, to, field, max_share=none) %}
{%- set limit = max_share if max_share is not none else var('max_orphan_share') -%}

with

parents as (

    select {{ field }} as parent_key
    from {{ to }}
    where {{ field }} is not null

),

children as (

    select {{ column_name }} as child_key
    from {{ model }}
    where {{ column_name }} is not null

),

{{ share_over_limit('children', 'children.child_key not in (select parents.parent_key from parents)', limit) }}

select * from final

{% endtest %}
