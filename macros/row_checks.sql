{#- Which rows the data tests read (docs/benchmarks.md, README "Nightly").

    Environment variable DBT_ROW_CHECKS (the pipeline sets it; a var row_checks, if given, wins):
    'all' (the default: every test reads every row, as `make run` and `make test` do)
    or 'new' (the nightly run): a test on a model that carries loaded_at reads only the rows loaded
    after the last build whose tests all passed over every model (raw.row_checks_watermark), so each
    row is checked the night it arrives and an unchecked night is checked with the next. Tests on
    models without loaded_at (measures, marts, quality tables) always read every row. The full
    re-check is `make nightly ROW_CHECKS=all`, on a schedule. -#}

{#- Overrides dbt's own (global_project/macros/materializations/tests/where_subquery.sql): the
    test's `where` config as dbt applies it, and the new-rows condition on a nightly run. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if is_checking_new_rows_only() and relation_has_column(relation, 'loaded_at') -%}
        {%- do conditions.append(is_loaded_after_checked_rows()) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- True when the rows to check are 'new'; stops on anything but 'all' or 'new'. Read only at run
    time (never while dbt parses), so partial parsing does not track the environment variable and a
    nightly build reuses the full build's parse (scripts/pipeline.py build_environment). -#}
{% macro is_checking_new_rows_only() -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set mode = (var('row_checks', none) or env_var('DBT_ROW_CHECKS', '') or 'all') | string -%}
    {%- if mode not in ('all', 'new') -%}
        {{ exceptions.raise_compiler_error("DBT_ROW_CHECKS (or var row_checks) must be 'all' or 'new', got '" ~ mode ~ "'") }}
    {%- endif -%}
    {{ return(mode == 'new') }}
{%- endmacro %}

{#- True when the relation has the column (looked up in the warehouse at run time). -#}
{% macro relation_has_column(relation, column) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{ return(column in names) }}
{%- endmacro %}

{#- The condition for rows loaded after the last fully checked build. -#}
{% macro is_loaded_after_checked_rows(column='loaded_at') -%}
    {{ column }} > {{ timestamp_bound("select coalesce(max(checked_through), timestamp '1900-01-01') from raw.row_checks_watermark") }}
{%- endmacro %}

{#- on-run-start: the watermark table exists before any test reads it. -#}
{% macro create_row_checks_watermark() %}
    {%- if execute -%}
    create schema if not exists raw;
    create table if not exists raw.row_checks_watermark (checked_through timestamp, checked_at timestamp, build_id varchar);
    {%- endif -%}
{% endmacro %}

{#- on-run-end: after a build or test run over every model with every result passing (warnings
    pass), every row loaded by then has been checked; later nights check from there. So does a
    nightly build of the nodes new rows reach (DBT_BUILD_SCOPE 'new_rows', scripts/build_scope.py):
    no row has reached the others since the watermark. Any other selection or node exclusion, or a
    failure, leaves the watermark where it was; excluding whole resource types (unit tests, seeds)
    does not. -#}
{% macro record_rows_checked(results) %}
    {%- if execute and flags.WHICH in ('build', 'test') and is_every_new_row_selected() -%}
        {%- set tests = results | selectattr('node.resource_type', 'equalto', 'test') | list -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error', 'skipped']) | list -%}
        {%- if tests and not failed -%}
    insert into raw.row_checks_watermark
    select max(loaded_at), current_timestamp, '{{ invocation_id }}' from raw.load_audit;
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- True when the run's selection holds every node a row loaded since the watermark reaches: no
    selection or node exclusion, or the nightly's selection of those nodes (read only at run time). -#}
{% macro is_every_new_row_selected() -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set selected = invocation_args_dict.get('select') or invocation_args_dict.get('exclude') -%}
    {{ return(not selected or env_var('DBT_BUILD_SCOPE', '') == 'new_rows') }}
{%- endmacro %}
