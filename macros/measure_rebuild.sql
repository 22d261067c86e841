{#- The measure layer's nightly rebuild (docs/benchmarks.md "The incremental measure layer").

    The comparisons, measure_values, the control charts and the commentary are incremental: an
    incremental build rebuilds their rows from the earliest month whose inputs changed since they
    were last all built together, and keeps every earlier row (a row depends only on its own and
    earlier months: tests/python/test_no_look_ahead.py). Which months changed is found, not assumed:
    each month's inputs (every value row of int_measure_values_described, every per-second count of
    int_response_times_counted, by their sums and latest load) are hashed into one digest a month and compared with the digests
    recorded when the four last completed together (raw.measure_inputs_built). A late outcome for
    an old crime changes that old month's digest, so the rebuild starts there. A change of
    definitions (the four models' code, any macro, the vars they read, the commentary rules, the SPC
    re-bases) rebuilds every month, and so does a build with nothing recorded. The record moves only
    at the end of a run in which all four were built: an interrupted run leaves it where it was, so
    the next run rebuilds from at least as early a month. -#}

{#- The incremental models whose rows are rebuilt from the first changed month. -#}
{% macro measure_rebuilt_models() -%}
    {{ return(['int_measure_comparisons', 'measure_values', 'measure_spc', 'measure_commentary']) }}
{%- endmacro %}

{#- The vars the rebuilt models read: a change to any of them rebuilds every month. -#}
{% macro measure_definition_vars() -%}
    {{ return([
        'force_name', 'significance_z', 'dispersion_months', 'dispersion_min_months', 'district_sentence_min_change',
        'spc_baseline_months', 'spc_min_baseline_points', 'spc_run_length', 'spc_rebase_proposal_run_length', 'as_at',
    ]) }}
{%- endmacro %}

{#- A model or seed of this project as a relation, by name, without a ref (hooks and macros that
    run after the model's dependencies are settled). -#}
{% macro project_relation(name) -%}
    {%- for node in graph.nodes.values() if node.name == name and node.package_name == project_name
        and node.resource_type in ('model', 'seed') -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no model or seed named '" ~ name ~ "' in this project") }}
{%- endmacro %}

{#- One md5 of the definitions: the rebuilt models' code, every macro of the project and the vars. -#}
{% macro measure_definitions_md5() -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type == 'model' and node.name in measure_rebuilt_models() -%}
        {%- do parts.append(node.name ~ ':' ~ node.raw_code) -%}
    {%- endfor -%}
    {%- do parts.append('macros:' ~ project_macros_md5()) -%}
    {%- for name in measure_definition_vars() -%}
        {%- do parts.append(name ~ '=' ~ var(name, none) | string) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}

{#- One md5 of every macro of the project, from the context (the graph dbt gives hooks and models
    has no macros). -#}
{% macro project_macros_md5() -%}
    {%- set parts = [] -%}
    {%- for name, value in context.items() | sort if value.macro is defined and value.macro.package_name == project_name -%}
        {%- do parts.append(name ~ ':' ~ value.macro.macro_sql) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}

{#- The digest of each month's inputs, and one row (month null) for the definitions and the
    reference tables the rebuilt models read. -#}
{% macro measure_inputs_digest_sql() -%}
    select period_month, bit_xor(inputs_digest) as inputs_digest
    from (
        select period_month, hash(described) as inputs_digest
        from {{ project_relation('int_measure_values_described') }} as described
        union all
        -- the per-second counts by their sums and latest load (hashing each of their millions of
        -- rows costs 40 times as much): a case added, removed or re-sent moves one of them
        select created_month, hash(count(*), sum(cases), sum(response_seconds * cases), max(loaded_at))
        from {{ project_relation('int_response_times_counted') }}
        group by created_month
        union all
        select
            null,
            hash('{{ measure_definitions_md5() }}',
                (select bit_xor(hash(rules)) from {{ project_relation('commentary_rules') }} as rules),
                (select bit_xor(hash(rebases)) from {{ project_relation('spc_rebases') }} as rebases))
    )
    group by period_month
{%- endmacro %}

{#- on-run-start: the record exists before any model reads it. -#}
{% macro create_measure_inputs_built() %}
    {%- if execute -%}
    create schema if not exists raw;
    create table if not exists raw.measure_inputs_built (period_month date, inputs_digest ubigint, built_at timestamp, build_id varchar);
    {%- endif -%}
{% endmacro %}

{#- The first month an incremental build of a rebuilt model rebuilds, read when the model runs:
    none on a full build (or when the definitions changed, or nothing is recorded: every month),
    otherwise a date YYYY-MM-DD ('9999-12-01' when no month changed). A dbt unit test has no digests
    to compare: a unit test of an incremental build names the month in the var
    unit_test_rebuild_from (and overrides is_incremental and gives `this`); any other, every month. -#}
{% macro measure_rebuild_from() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if model.resource_type == 'unit_test' -%}
        {{ return(var('unit_test_rebuild_from', none)) }}
    {%- endif -%}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set changed -%}
        with
        current_digests as ({{ measure_inputs_digest_sql() }}),
        built as (select period_month, inputs_digest from raw.measure_inputs_built),
        compared as (
            select coalesce(current_digests.period_month, built.period_month) as period_month
            from current_digests
            full outer join built
                on current_digests.period_month is not distinct from built.period_month
            where current_digests.inputs_digest is distinct from built.inputs_digest
        )
        select
            (select count(*) from built) = 0 or count(*) filter (where period_month is null) > 0 as is_everything,
            coalesce(strftime(min(period_month), '%Y-%m-%d'), '9999-12-01') as first_changed_month
        from compared
    {%- endset -%}
    {%- set row = run_query(changed).rows[0] -%}
    {{ return(none if row[0] else row[1]) }}
{%- endmacro %}

{#- The rows a rebuilt model writes: every row on a full build, those from the first changed month
    on an incremental one. -#}
{% macro is_rebuilt_month(rebuild_from, month_column='period_month') -%}
    {{ is_read_for_rebuild(rebuild_from, 0, month_column) }}
{%- endmacro %}

{#- As is_rebuilt_month, for a model's inputs: the rows from months_before months before the
    first changed month on (what a rebuilt month reads back to). -#}
{% macro is_read_for_rebuild(rebuild_from, months_before, month_column='period_month') -%}
    {%- if rebuild_from is none -%}
        true
    {%- else -%}
        {{ month_column }} >= date '{{ rebuild_from }}'
        {%- if months_before | int %} - interval {{ months_before | int }} month{% endif -%}
    {%- endif -%}
{%- endmacro %}

{#- pre-hook of a rebuilt model: on an incremental build, its rows from the first changed month
    (every row when everything is rebuilt) are deleted, in the transaction that appends them again. -#}
{% macro delete_rebuilt_months() -%}
    {%- if execute and is_incremental() -%}
        {%- set rebuild_from = measure_rebuild_from() -%}
        delete from {{ this }}{% if rebuild_from is not none %} where {{ is_rebuilt_month(rebuild_from) }}{% endif %}
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: when every rebuilt model was built in this run, the digests they were built from
    are recorded; otherwise the record stays, and the next build rebuilds from at least as early. -#}
{% macro record_measure_inputs_built(results) %}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
        {%- set built = results | selectattr('node.resource_type', 'equalto', 'model')
            | selectattr('status', 'equalto', 'success') | map(attribute='node.name') | list -%}
        {%- set missing = measure_rebuilt_models() | reject('in', built) | list -%}
        {%- if not missing -%}
    delete from raw.measure_inputs_built;
    insert into raw.measure_inputs_built
    select period_month, inputs_digest, current_timestamp, '{{ invocation_id }}' from ({{ measure_inputs_digest_sql() }});
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
