{#- The measure registry (seeds/measure_registry.csv): one entry per measure, from which the
    components and the medians are rendered. -#}

{#- The registry's entries as a list of dicts, read when a model runs (an empty list while dbt
    parses the project). where: a condition on the registry's columns. The calling model must
    also ref('measure_registry') itself, so that dbt builds the seed first. -#}
{% macro measure_registry_entries(where='true') -%}
    {{ return(seed_entries('measure_registry', where, 'measure_id')) }}
{%- endmacro %}

{#- A seed's rows as a list of dicts, read from the seed's own table when a model runs (an empty
    list while dbt parses). In a unit test ref() would name the test's mock, which is not a table,
    so the seed is looked up in the reference schema (dbt_project.yml) by name. The calling model
    must also ref() the seed, so that dbt builds it first. -#}
{% macro seed_entries(seed, where='true', order_by='1') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(database=target.database, schema=generate_schema_name('reference', none) | trim, identifier=seed) -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error("the seed " ~ seed ~ " is not in the warehouse: run `dbt seed` (or `make build`) first") }}
    {%- endif -%}
    {%- set result = run_query('select * from ' ~ relation ~ ' where ' ~ where ~ ' order by ' ~ order_by) -%}
    {%- set entries = [] -%}
    {%- for row in result.rows -%}
        {%- set entry = {} -%}
        {%- for column in result.column_names -%}
            {%- do entry.update({column: row[column]}) -%}
        {%- endfor -%}
        {%- do entries.append(entry) -%}
    {%- endfor -%}
    {{ return(entries) }}
{%- endmacro %}

{#- The domains a force measure counts from (the registry's counted_from and denominator_from):
    the import CTE of int_measure_components_monthly holding its rows, the month a row counts in,
    its district (null: force only), which rows count at all (where; every row when not given) and
    loaded: the model and month column whose rows loaded since the last build give the first month
    a nightly build recounts the domain from (measure_components_plan; for the outcome domain, the
    earliest month any outcome of a changed crime counts in). The rows then carry loaded_at,
    counted as the newest. -#}
{% macro measure_domains() -%}
    {{ return({
        'crimes_recorded': {'rows': 'crimes', 'month': 'recorded_month', 'district': 'district_name', 'loaded': ['stg_force__crimes', 'recorded_month']},
        'crimes_by_outcome': {'rows': 'crimes', 'month': 'current_outcome_month', 'district': 'district_name', 'where': 'current_outcome_month is not null', 'loaded': ['int_crime_outcome_months_spanned', 'earliest_outcome_month']},
        'incidents': {'rows': 'incidents', 'month': 'created_month', 'district': 'district_name', 'loaded': ['int_incidents_timed', 'created_month']},
        'survey_answers': {'rows': 'survey_answers', 'month': 'interviewed_month', 'district': 'district_name', 'where': 'is_valid', 'loaded': ['int_survey_answers_scored', 'interviewed_month']},
        'calls': {'rows': 'calls', 'month': 'received_month', 'district': 'cast(null as varchar)', 'loaded': ['int_calls_deduplicated', 'received_month']},
        'cdi_audits': {'rows': 'cdi_audits', 'month': 'audited_month', 'district': 'district_name', 'loaded': ['stg_force__cdi_audits', 'audited_month']},
        'vcc_checks': {'rows': 'vcc_checks', 'month': 'checked_month', 'district': 'district_name', 'loaded': ['stg_force__vcc_checks', 'checked_month']},
        'dqat_assessments': {'rows': 'dqat_assessments', 'month': 'assessed_month', 'district': 'cast(null as varchar)', 'loaded': ['stg_force__dqat_assessments', 'assessed_month']},
    }) }}
{%- endmacro %}

{#- The domains whose district-months a rate per 1,000 residents lays the district's population on
    (int_measure_components_monthly: every district and month with a recorded crime or an outcome). -#}
{% macro measure_population_domains() -%}
    {{ return(['crimes_recorded', 'crimes_by_outcome']) }}
{%- endmacro %}

{#- The domains a data.police.uk measure counts from, as measure_domains() gives the force's: the
    import CTE of int_police_uk_measure_components_monthly holding its rows, with the force each
    row is published by. A rate per 1,000 residents divides by district_population as a force's
    does. -#}
{% macro police_uk_measure_domains() -%}
    {{ return({
        'police_uk_street': {'rows': 'street', 'month': 'period_month', 'district': 'district_name', 'force': 'force_name'},
        'police_uk_stop_and_searches': {'rows': 'named_searches', 'month': 'period_month', 'district': 'cast(null as varchar)', 'force': 'force_name'},
    }) }}
{%- endmacro %}

{#- One aggregation of a domain's rows by district and month (and force, when the domain names
    one), a column per registry entry that counts from it: "<measure_id>|numerator" and
    "<measure_id>|denominator". -#}
{% macro domain_counts(domain, spec, entries) -%}
    select
        {%- if spec.force %}
        {{ spec.force }} as force_name,
        {%- endif %}
        {{ spec.district }} as district_name,
        {{ spec.month }} as period_month,
        {%- for entry in entries if entry.counted_from == domain %}
        count(*) filter (where {{ entry.numerator_condition }}) as "{{ entry.measure_id }}|numerator",
        {%- endfor %}
        {%- for entry in entries if entry.denominator_from == domain %}
        count(*) filter (where {{ entry.denominator_condition }}) as "{{ entry.measure_id }}|denominator",
        {%- endfor %}
        {%- if spec.loaded %}
        max(loaded_at) as loaded_at,
        {%- endif %}

    from {{ spec.rows }}
    where {{ spec.where or 'true' }}
    group by all
{%- endmacro %}

{#- The domains some registry entry counts from or divides by, in the domains' order. -#}
{% macro registry_domains_used(domains, entries) -%}
    {%- set used = [] %}
    {%- for domain in domains %}
    {%- if entries | selectattr('counted_from', 'equalto', domain) | list
        or entries | selectattr('denominator_from', 'equalto', domain) | list %}
    {%- do used.append(domain) %}
    {%- endif %}
    {%- endfor %}
    {{ return(used) }}
{%- endmacro %}

{#- For each domain used: its counts (domain_counts) and the same turned into rows, one per
    component ("<measure_id>|numerator" or "|denominator") and key; each CTE ends with a comma. -#}
{% macro registry_domain_components(domains, used, entries, keys) -%}
    {%- for domain in used %}

{{ domain }}_counted as (

    {{ domain_counts(domain, domains[domain], entries) }}

),

{{ domain }}_components as (

    unpivot {{ domain }}_counted
    on columns(* exclude ({{ (keys + (['loaded_at'] if domains[domain].loaded else [])) | join(', ') }}))
    into name component value cases

),
    {%- endfor %}
{%- endmacro %}

{#- No population components (no registry entry divides by district_population): the columns,
    no rows. -#}
{% macro no_population_components(keys) -%}
    select
        cast(null as varchar) as component,
        {%- for key in keys %}
        cast(null as {{ 'date' if key.endswith('_month') else 'varchar' }}) as {{ key }},
        {%- endfor %}
        cast(null as double) as cases
    where false
{%- endmacro %}

{#- The components of every domain used and the population, summed into a numerator and a
    denominator per measure and key: the CTEs unioned, split and the last, named name. Only
    measures every one of catalogues (CTEs with a measure_id) holds are kept. watermark: the
    domains' rows carry loaded_at (measure_domains' loaded), summed as the newest. -#}
{% macro registry_components_summed(used, keys, catalogues, name='final', watermark=false) -%}
unioned as (

    {%- for domain in used %}
    select component, {{ keys | join(', ') }}, cast(cases as double) as cases{{ ', loaded_at' if watermark }} from {{ domain }}_components
    union all
    {%- endfor %}
    select
        component,
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        cases{{ ',\n        cast(null as timestamp) as loaded_at' if watermark }}
    from population_components

),

split as (

    select
        split_part(component, '|', 1) as measure_id,
        split_part(component, '|', 2) as part,
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        cases{{ ',\n        loaded_at' if watermark }}

    from unioned

),

{{ name }} as (

    -- only measures in: {{ catalogues | join(', ') }}
    select
        measure_id,
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        sum(cases) filter (where part = 'numerator') as numerator,
        sum(cases) filter (where part = 'denominator') as denominator{{ ',\n        max(loaded_at) as loaded_at' if watermark }}

    from split
    where
        {%- for catalogue in catalogues %}
        {{ 'and ' if not loop.first }}measure_id in (select {{ catalogue }}.measure_id from {{ catalogue }})
        {%- endfor %}
    group by all

)
{%- endmacro %}

{#- The flagged rows touching each registry entry, by month (quality_measure_flags): one count per
    repair and entry counting from or dividing by the repair's domain. repairs: (check column,
    flagged rows' relation, their month, domain, how); how is value_unknown (the row touches the
    entry when a condition is null on it) or left_out (when a condition holds or is null). -#}
{% macro flagged_counts(repairs, entries) -%}
    {%- set branches = [] -%}
    {%- for check, flagged, month, domain, how in repairs -%}
        {%- for entry in entries -%}
            {%- set conditions = [] -%}
            {%- if entry.counted_from == domain %}{% do conditions.append(entry.numerator_condition) %}{% endif -%}
            {%- if entry.denominator_from == domain %}{% do conditions.append(entry.denominator_condition) %}{% endif -%}
            {%- set tests = [] -%}
            {%- for condition in conditions -%}
                {%- do tests.append('(' ~ condition ~ ') is null' if how == 'value_unknown' else 'coalesce((' ~ condition ~ '), true)') -%}
            {%- endfor -%}
            {%- if tests -%}
                {%- do branches.append({'measure_id': entry.measure_id, 'check': check, 'rows': flagged, 'month': month, 'where': tests | join(' or ')}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for branch in branches %}
    select
        '{{ branch.measure_id }}' as measure_id,
        {{ branch.month }} as period_month,
        '{{ branch.check }}' as check_column,
        count(*) as touching_rows
    from {{ branch.rows }}
    where {{ branch.where }}
    group by all
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as varchar) as measure_id,
        cast(null as date) as period_month,
        cast(null as varchar) as check_column,
        cast(null as bigint) as touching_rows
    where false
    {%- endfor %}
{%- endmacro %}
