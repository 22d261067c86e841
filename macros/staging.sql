{#- Shared staging logic: each piece written once and pinned by unit tests on the staging models. -#}

{#- A code as the warehouse compares it: trimmed, upper case, empty as null. -#}
{% macro clean_code(column) -%}
    nullif(upper(trim({{ column }})), '')
{%- endmacro %}

{#- The district as named in seeds/districts.csv, or the unknown bucket (empty, misspelt or
    outside the force). A lookup, not a join: the row count and grain never change. -#}
{% macro standardise_district(column) -%}
    case
        when trim({{ column }}) in (select district_name from {{ ref('districts') }} where not is_bucket)
            then trim({{ column }})
        else '{{ var("unknown_district") }}'
    end
{%- endmacro %}

{#- True when a code is missing or not in the reference seed's code column. -#}
{% macro is_unknown_code(column, seed, seed_column) -%}
    ({{ column }} is null or {{ column }} not in (select {{ seed_column }} from {{ ref(seed) }}))
{%- endmacro %}

{#- The rows a staging model decides its duplicate flag over: every row on a full build; on an
    incremental build the newly loaded rows with the rows already staged under the same keys, so the
    earliest file and line still win across nights and a staged row that a new file now precedes is
    staged again (delete+insert on file and line) with its flag turned. Any other staged row keeps
    the flag it has, which a full build would give it too. The key is a source column staged
    unchanged; staged rows with a null key come back only when a new row's key is null too (kept in
    a branch of their own: an `or` in the key's filter stops DuckDB skipping row groups). -#}
{% macro rows_in_repeat_scope(new_rows, key, source_relation) -%}
    select * from {{ new_rows }}
    {%- if is_incremental() %}
    union all by name
    select staged.* exclude (is_duplicate) from {{ this }} as staged
    where {{ new_key_range('staged.' ~ key, key, source_relation) }}
        and staged.{{ key }} in (select {{ new_rows }}.{{ key }} from {{ new_rows }})
    union all by name
    select staged.* exclude (is_duplicate) from {{ this }} as staged
    where staged.{{ key }} is null
        and exists (select 1 from {{ new_rows }} where {{ new_rows }}.{{ key }} is null)
    {%- endif %}
{%- endmacro %}

{#- A filter to the lowest and highest key among the rows loaded since the last run, written into
    the query as text literals: DuckDB skips the staged table's row groups outside literal bounds,
    which it cannot do for bounds given as a subquery or a join (on the national history, staging a
    month of calls took 77 s, 6 s with the literals). Only ever as wide as the new keys, so it
    narrows the scan, never the answer; false when no new row has a key. In a dbt unit test the
    inputs are fixtures that exist only inside the test's query, so there it is true. -#}
{% macro new_key_range(column, key, source_relation) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        true
    {%- else -%}
        {%- set bounds = run_query(
            'select min(' ~ key ~ '), max(' ~ key ~ ') from ' ~ source_relation
            ~ ' where ' ~ is_loaded_since_last_run('_loaded_at')
        ).rows[0] -%}
        {%- if bounds[0] is none -%}
            false
        {%- else -%}
            {{ column }} between {{ text_literal(bounds[0]) }} and {{ text_literal(bounds[1]) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- A value as a SQL text literal, its quotes doubled. -#}
{% macro text_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#- True for every repeat of a key after the first (earliest file and line win). -#}
{% macro is_repeat_of(key) -%}
    (row_number() over (partition by {{ key }} order by source_file, source_line) > 1)
{%- endmacro %}

{#- Survey answer to a 1-7 score; don't know, not applicable and off-scale answers are null. -#}
{% macro survey_score(column) -%}
    case when {{ column }} in ('1', '2', '3', '4', '5', '6', '7') then cast({{ column }} as integer) end
{%- endmacro %}

{#- Columns every staging model carries from the loader, renamed, and the day the extract was
    taken: the day after the month in its file name (<source>_YYYY-MM.csv), or the load date for a
    file named otherwise. -#}
{% macro load_lineage_columns() -%}
    _source_file as source_file,
    _source_line as source_line,
    _loaded_at as loaded_at,
    coalesce(
        cast(try_strptime(regexp_extract(_source_file, '_(\d{4}-\d{2})\.csv(\.gz)?$', 1), '%Y-%m') + interval 1 month as date),
        cast(_loaded_at as date)
    ) as extracted_on
{%- endmacro %}

{#- The force's slug from a police.uk file's name (YYYY-MM-<force>-<kind>.csv[.gz]): the file name
    alone, never the folders above it (a folder such as police-2025-12-download/ holds a month too). -#}
{% macro police_uk_file_force(column) -%}
    regexp_extract({{ column }}, '(^|[/\\])\d{4}-\d{2}-([^/\\]+)-(street|outcomes|stop-and-search)\.csv(\.gz)?$', 2)
{%- endmacro %}

{#- The local authority district in an LSOA name: the name less its trailing code ("Cambridge 001A"). -#}
{% macro lsoa_district(column) -%}
    nullif(trim(regexp_replace({{ column }}, '\s+[0-9]{3}[A-Z]$', '')), '')
{%- endmacro %}

{#- police.uk "True" / "False" text as a boolean (empty stays null). -#}
{% macro true_false(column) -%}
    case lower(trim({{ column }})) when 'true' then true when 'false' then false end
{%- endmacro %}

{#- The columns every police.uk file kind with a place shares, renamed and derived once. -#}
{% macro police_uk_place_columns() -%}
    crime_id,
    cast(strptime(month || '-01', '%Y-%m-%d') as date) as period_month,
    {{ police_uk_file_force('_source_file') }} as force_slug,
    falls_within,
    lsoa_code,
    lsoa_name,
    {{ lsoa_district('lsoa_name') }} as lsoa_district_name
{%- endmacro %}

{#- The district a placed police.uk record counts in: its district, or the force's bucket named
    after the force so that buckets stay apart between forces; null for force-only publishers. -#}
{% macro police_uk_district_label(placement, district_name, force_name) -%}
    case {{ placement }}
        when 'district' then {{ district_name }}
        when 'no_location' then 'No location (' || {{ force_name }} || ')'
        when 'unknown_lsoa' then 'Unknown LSOA (' || {{ force_name }} || ')'
        when 'outside_force_area' then 'Outside force area (' || {{ force_name }} || ')'
    end
{%- endmacro %}
