{#- Fails when more than max_share of the model's rows have the boolean column set: staging
    flags bad values instead of dropping them, and this keeps the flags a trickle, not a flood.
    Returns one row (the observed share) when it fails. -#}
{% test flagged_share_below(model, column_name, max_share=none) %}
{%- set limit = max_share if max_share is not none else var('max_flagged_share') -%}

with

{{ share_over_limit(model, column_name, limit) }}

select * from final

{% endtest %}
