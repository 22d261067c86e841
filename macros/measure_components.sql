{#- The nightly recount of int_measure_components_monthly (docs/benchmarks.md, issue 29).

    The model is incremental: a nightly build recounts each registry entry from the first month a
    row loaded since the last build can reach, and keeps every earlier row. That month is the
    earliest, over the domains the entry counts from or divides by, of the rows their `loaded`
    model (measure_domains) gained since the model's newest loaded_at. A rate per 1,000 residents
    also reads the population domains (measure_population_domains). An entry whose definition
    changed (its registry row, the model's code, any macro of the project or, for a rate per 1,000,
    the populations) is recounted whole, and an entry no longer in the registry loses its rows: each
    row keeps the md5 of the definition it was counted by. -#}

{#- What a build of int_measure_components_monthly counts, read when it runs (the model and its
    pre-hook each ask, before the pre-hook deletes): domains, entries and used as the registry
    macros take them; definition_md5 by measure; recount_from by measure and scan_from by domain,
    each a date YYYY-MM-DD ('9999-12-01': nothing to recount). Both are empty on a full build, in a
    unit test and while dbt parses: every month is counted. -#}
{% macro measure_components_plan() -%}
    {%- set domains = measure_domains() -%}
    {%- set entries = measure_registry_entries("counted_from in ('" ~ domains | join("', '") ~ "') and window_aggregation != 'median'") -%}
    {%- set used = registry_domains_used(domains, entries) -%}
    {%- set is_counting_all = not execute or model.resource_type == 'unit_test' -%}
    {%- set reads = {} -%}
    {%- for entry in entries -%}
        {%- set read = [entry.counted_from] -%}
        {%- if entry.denominator_from == 'district_population' -%}
            {%- set read = read + measure_population_domains() -%}
        {%- elif entry.denominator_from -%}
            {%- set read = read + [entry.denominator_from] -%}
        {%- endif -%}
        {%- do reads.update({entry.measure_id: read}) -%}
    {%- endfor -%}
    {%- set populations_md5 = '' if is_counting_all else run_query(
        'select bit_xor(hash(populations)) from ' ~ project_relation('district_populations') ~ ' as populations'
    ).rows[0][0] | string -%}
    {%- set code_md5 = '' if is_counting_all else local_md5(model.raw_code ~ project_macros_md5()) -%}
    {%- set definition_md5 = {} -%}
    {%- for entry in entries -%}
        {%- do definition_md5.update({entry.measure_id: local_md5(code_md5 ~ entry | string
            ~ (populations_md5 if entry.denominator_from == 'district_population' else ''))}) -%}
    {%- endfor -%}
    {%- set recount_from = {} -%}
    {%- set scan_from = {} -%}
    {%- if not is_counting_all and is_incremental() -%}
        {%- set stored = {} -%}
        {%- for row in run_query('select measure_id, case when count(distinct definition_md5) = 1 then min(definition_md5) end from ' ~ this ~ ' group by all').rows -%}
            {%- do stored.update({row[0]: row[1]}) -%}
        {%- endfor -%}
        {%- set first_month = {} -%}
        {%- for domain in used -%}
            {%- set loaded = domains[domain].loaded -%}
            {%- do first_month.update({domain: run_query(first_month_loaded_since_last_run_sql(project_relation(loaded[0]), loaded[1])).rows[0][0] | string}) -%}
        {%- endfor -%}
        {%- for entry in entries -%}
            {%- set months = [] -%}
            {%- for domain in reads[entry.measure_id] -%}
                {%- do months.append(first_month.get(domain, '1900-01-01')) -%}
            {%- endfor -%}
            {%- do recount_from.update({entry.measure_id: months | min
                if stored.get(entry.measure_id) == definition_md5[entry.measure_id] else '1900-01-01'}) -%}
        {%- endfor -%}
        {%- for domain in used -%}
            {%- set months = ['9999-12-01'] -%}
            {%- for entry in entries if domain in reads[entry.measure_id] -%}
                {%- do months.append(recount_from[entry.measure_id]) -%}
            {%- endfor -%}
            {%- do scan_from.update({domain: months | min}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return({
        'domains': domains, 'entries': entries, 'used': used,
        'definition_md5': definition_md5, 'recount_from': recount_from, 'scan_from': scan_from,
    }) }}
{%- endmacro %}

{#- The domains as measure_domains() gives them, each read only from its scan_from month on (every
    row when scan_from has no entry for it). -#}
{% macro domains_scanned_from(domains, scan_from) -%}
    {%- set scanned = {} -%}
    {%- for domain, spec in domains.items() -%}
        {%- set copy = {} -%}
        {%- do copy.update(spec) -%}
        {%- if domain in scan_from -%}
            {%- do copy.update({'where': '(' ~ (spec.where or 'true') ~ ') and ' ~ spec.month ~ " >= date '" ~ scan_from[domain] ~ "'"}) -%}
        {%- endif -%}
        {%- do scanned.update({domain: copy}) -%}
    {%- endfor -%}
    {{ return(scanned) }}
{%- endmacro %}

{#- pre-hook of int_measure_components_monthly: on an incremental build, the rows of each entry
    from its recount_from month on, and every row of an entry no longer in the registry, are
    deleted, in the transaction that appends the recounted rows. -#}
{% macro delete_recounted_measures() -%}
    {%- if execute and is_incremental() -%}
        {%- set plan = measure_components_plan() -%}
        {%- set by_month = {} -%}
        {%- for measure_id, month in plan.recount_from.items() if month != '9999-12-01' -%}
            {%- do by_month.update({month: by_month.get(month, []) + [measure_id]}) -%}
        {%- endfor -%}
        delete from {{ this }}
        where {% if plan.entries %}measure_id not in ('{{ plan.entries | map(attribute='measure_id') | join("', '") }}'){% else %}true{% endif %}
        {%- for month, measure_ids in by_month | dictsort %}
            or (measure_id in ('{{ measure_ids | join("', '") }}') and period_month >= date '{{ month }}')
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
