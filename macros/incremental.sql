{#- Incremental nightly builds and as-at rebuilds: the two filters every big fact applies, written
    once. Pinned by the unit tests on int_incidents_timed and int_crimes_classified. -#}

{#- True for rows loaded since this incremental model (or snapshot) last ran (every row on a full
    build, and on a snapshot's first run). The watermark is the newest loaded_at already in the
    model, so a load that no build picked up yet is still processed by the next build. -#}
{% macro is_loaded_since_last_run(column='loaded_at') -%}
    {%- if is_incremental() or is_snapshot_update() -%}
        {{ column }} > {{ timestamp_bound('select coalesce(max(loaded_at), timestamp \'1900-01-01\') from ' ~ this) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- is_incremental() for a snapshot: it was taken before and this is no full refresh, so it reads
    only what changed since (dbt's own is_incremental() is false in a snapshot). -#}
{% macro is_snapshot_update() -%}
    {{ return(execute and model.resource_type == 'snapshot' and not flags.FULL_REFRESH
        and adapter.get_relation(this.database, this.schema, this.identifier) is not none) }}
{%- endmacro %}

{#- A watermark (a query returning one timestamp) written into the query as a timestamp literal,
    read when the node runs: DuckDB skips the row groups outside a literal bound, not outside a
    subquery's, so a nightly filter on loaded_at reads the new rows instead of every row. In a dbt unit test
    the tables are fixtures inside the test's query, so there it stays a subquery. -#}
{% macro timestamp_bound(scalar_query) -%}
    {{ literal_bound(scalar_query, 'timestamp') }}
{%- endmacro %}

{#- As timestamp_bound, for a query returning one date: the first month a nightly build recounts. -#}
{% macro date_bound(scalar_query) -%}
    {{ literal_bound(scalar_query, 'date') }}
{%- endmacro %}

{#- The first month a nightly build of a model counted by month recounts (each month whole): the
    earliest month_column of the rows of relation loaded since the model last ran ('9999-12-01'
    when none was), as a literal (date_bound). For a relation that only ever gains rows, the months
    before it are as they were. -#}
{% macro first_month_loaded_since_last_run(relation, month_column) -%}
    {{ date_bound(first_month_loaded_since_last_run_sql(relation, month_column)) }}
{%- endmacro %}

{#- The query first_month_loaded_since_last_run writes in as a literal: one date. -#}
{% macro first_month_loaded_since_last_run_sql(relation, month_column) -%}
    select coalesce(min({{ month_column }}), date '9999-12-01') from {{ relation }} where {{ is_loaded_since_last_run() }}
{%- endmacro %}

{#- pre-hook of a mart counted by month (period_month) and recounted from
    first_month_loaded_since_last_run(relation, month_column) on: on an incremental build, its rows
    of those months are deleted, in the transaction that appends them again (a month whose every
    row moved to another month is emptied, as a full build leaves it). -#}
{% macro delete_recounted_months(relation, month_column) -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} where period_month >= {{ first_month_loaded_since_last_run(relation, month_column) }}
    {%- endif -%}
{%- endmacro %}

{% macro literal_bound(scalar_query, type) -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {{ type }} '{{ run_query(scalar_query).rows[0][0] }}'
    {%- else -%}
        ({{ scalar_query }})
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

{#- True for rows from extracts taken on or before the as-at date; every row on a current build.
    An as-at build rebuilds everything on a copy of the warehouse: an incremental one would mix
    then and now in the working warehouse's facts, so it stops. -#}
{% macro is_extracted_by_as_at(column='extracted_on') -%}
    {%- if as_at_date() -%}
        {%- if is_incremental() -%}
            {{ exceptions.raise_compiler_error("var as_at needs a full rebuild on a copy of the warehouse: run `make as-at AS_AT=" ~ as_at_date() ~ "` (or dbt build --full-refresh on a copy), never an incremental build of the working warehouse") }}
        {%- endif -%}
        {{ column }} <= date '{{ as_at_date() }}'
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
