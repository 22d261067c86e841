{#- Incremental nightly builds and as-at rebuilds: the two filters every big fact applies, written
    once. Pinned by the unit tests on int_incidents_timed and int_crimes_classified. -#}

{#- True for rows loaded since this incremental model last ran (every row on a full build). The
    watermark is the newest loaded_at already in the model, so a load that no build picked up yet
    is still processed by the next build. -#}
{% macro is_loaded_since_last_run(column='loaded_at') -%}
    {%- if is_incremental() -%}
        {{ column }} > (select coalesce(max(loaded_at), timestamp '1900-01-01') from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The as-at date (var as_at, YYYY-MM-DD) a build reproduces, or none for the current build. -#}
{% macro as_at_date() -%}
    {%- set as_at = var('as_at', none) -%}
    {%- if as_at and not modules.re.match('^\d{4}-\d{2}-\d{2}$', as_at | string) -%}
        {{ exceptions.raise_compiler_error("var as_at must be a date YYYY-MM-DD, got '" ~ as_at ~ "'") }}
    {%- endif -%}
    {{ return(as_at | string if as_at else none) }}
{%- endmacro %}

{#- True for rows from extracts taken on or before the as-at date; every row on a current build. -#}
{% macro is_extracted_by_as_at(column='extracted_on') -%}
    {%- if as_at_date() -%}
        {{ column }} <= date '{{ as_at_date() }}'
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
