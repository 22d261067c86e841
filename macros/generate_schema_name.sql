{#- Custom schemas are used as named (staging, intermediate, marts, reference), not prefixed
    with the target schema, so BI tools and analysts see stable names such as marts.measure_values. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
