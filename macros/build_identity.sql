{#- Every dbt run that can change the warehouse gives it a new build identity before it changes
    anything (on-run-start), so a build that fails half-way is never the build a gate validated.
    The loader does the same for each load that changes a raw table. The quality gate records the
    identity it validated and publish refuses any other (scripts/validate.py, scripts/publish.py).
    `dbt test`, `docs` and `compile` change nothing and leave it as it is, and so does a build
    whose selection writes nothing (only tests: the nightly on a night with nothing new), so that
    the nightly's gate and publish find the build they gated and published before and do nothing
    (scripts/already_published.py). -#}
{% macro record_build_identity() %}
    {%- if execute and flags.WHICH in ('build', 'run', 'seed', 'snapshot') and selection_writes() -%}
    create schema if not exists raw;
    create or replace table raw.build_identity as
    select '{{ invocation_id }}' as build_id, current_timestamp as changed_at, 'dbt {{ flags.WHICH }}' as changed_by;
    {%- endif -%}
{% endmacro %}

{#- Does the run select a node that writes to the warehouse (a model, snapshot or seed)? -#}
{% macro selection_writes() %}
    {%- set writers = [] -%}
    {%- for unique_id in selected_resources -%}
        {%- if unique_id.split('.')[0] in ('model', 'snapshot', 'seed') -%}
            {%- do writers.append(unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(writers | length > 0) -}}
{% endmacro %}
