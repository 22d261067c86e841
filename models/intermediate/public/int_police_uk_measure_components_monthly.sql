-- The additive part of the data.police.uk measures by force, district (or bucket) and month,
-- rendered from the measure registry (seeds/measure_registry.csv; macros/measure_registry.sql) as
-- the force's measures are: each domain's rows are aggregated once, a column per measure counting
-- from it, then turned into rows. Force-only measures (stop and search) and force-only publishers
-- carry a null district. A rate per 1,000 residents is laid on every district of the force and
-- every month loaded, so that each district brings its mid-2023 population whether or not it had a
-- crime that month (buckets bring none: their rate has no denominator); the force's denominator is
-- the sum, its force area's population.
-- The style check (make lint) renders this model without a warehouse, so without the registry's rows:
-- the import CTEs then look unused.
-- noqa: disable=ST03
{%- set domains = police_uk_measure_domains() %}
{%- set entries = measure_registry_entries("counted_from in ('" ~ domains | join("', '") ~ "')") %}
{%- set used = registry_domains_used(domains, entries) %}
{%- set keys = ['force_name', 'district_name', 'period_month'] %}
{%- set per_population = entries | selectattr('denominator_from', 'equalto', 'district_population') | list %}

with

street as (

    select * from {{ ref('int_police_uk_street_placed') }}

),

searches as (

    select * from {{ ref('stg_police_uk__stop_and_searches') }}
    where not has_unreadable_date

),

forces as (

    select * from {{ ref('police_uk_forces') }}

),

districts as (

    select * from {{ ref('ons_districts') }}

),

bridge as (

    select * from {{ ref('int_police_uk_geographies_bridged') }}

),

force_months as (

    select * from {{ ref('int_police_uk_force_months_enumerated') }}

),

measures as (

    select * from {{ ref('public_measures') }}

),

registry as (

    select * from {{ ref('measure_registry') }}

),

named_searches as (

    select
        searches.*,
        coalesce(forces.force_name, searches.force_slug) as force_name
    from searches
    left join forces
        on searches.force_slug = forces.force_slug

),

{{- registry_domain_components(domains, used, entries, keys) }}

district_months as (

    -- every district (and bucket) of each force in every month it published
    select distinct
        force_months.force_slug,
        bridge.force_name,
        bridge.district_name,
        force_months.period_month
    from force_months
    inner join bridge
        on force_months.force_slug = bridge.force_slug
    where bridge.district_name is not null

),

population_components as (

    {%- for entry in per_population %}
    select
        '{{ entry.measure_id }}|denominator' as component,
        district_months.force_name,
        district_months.district_name,
        district_months.period_month,
        -- null for a bucket (No location, Outside force area, Unknown LSOA): no population, no rate
        districts.population_mid2023 / 1000.0 as cases

    from district_months
    left join districts
        on district_months.district_name = districts.district_name
    {{ 'union all' if not loop.last }}
    {%- else %}
    {{ no_population_components(keys) }}
    {%- endfor %}

),

{{ registry_components_summed(used, keys, ['registry', 'measures']) }}

select * from final
