{#- Every dbt run that can change the warehouse gives it a new build identity before it changes
    anything (on-run-start), so a build that fails half-way is never the build a gate validated.
    The loader does the same for each load. The quality gate records the identity it validated and
    publish refuses any other (scripts/validate.py, scripts/publish.py). `dbt test`, `docs` and
    `compile` change nothing and leave it as it is. -#}
{% macro record_build_identity() %}
    {%- if execute and flags.WHICH in ('build', 'run', 'seed', 'snapshot') -%}
    create schema if not exists raw;
    create or replace table raw.build_identity as
    select '{{ invocation_id }}' as build_id, current_timestamp as changed_at, 'dbt {{ flags.WHICH }}' as changed_by;
    {%- endif -%}
{% endmacro %}
