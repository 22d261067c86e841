-- The additive part of every force measure: numerator and denominator by measure, district and
-- month, counted once here and summed into areas, the force and longer windows downstream.
-- Rendered from the measure registry (seeds/measure_registry.csv; macros/measure_registry.sql):
-- each domain's rows are aggregated once, a column per measure counting from it, then turned into
-- rows. Counts carry a null denominator. Sources without a district (calls, data quality
-- assessments) carry a null district and are reported for the force only. Rates per 1,000 divide
-- by the district's population of the month's calendar year (or the latest year before it).
-- Medians are in int_response_medians_windowed.
-- Incremental: a nightly build recounts each measure whole from the first month a row loaded since
-- the last build reaches, reading each domain only from there, and keeps the earlier months
-- (macros/measure_components.sql); a measure whose definition changed is recounted whole.
-- The style check (make lint) renders this model without a warehouse, so without the registry's rows:
-- the import CTEs then look unused.
-- noqa: disable=ST03
-- depends_on: {{ ref('stg_force__crimes') }}, {{ ref('int_crime_outcome_months_spanned') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_recounted_measures() }}",
    )
}}
{%- set plan = measure_components_plan() %}
{%- set domains = domains_scanned_from(plan.domains, plan.scan_from) %}
{%- set entries = plan.entries %}
{%- set used = plan.used %}
{%- set keys = ['district_name', 'period_month'] %}
{%- set per_population = entries | selectattr('denominator_from', 'equalto', 'district_population') | list %}

with

crimes as (

    select * from {{ ref('int_crimes_classified') }}
    where is_counted

),

incidents as (

    select * from {{ ref('int_incidents_timed') }}

),

survey_answers as (

    select * from {{ ref('int_survey_answers_scored') }}

),

calls as (

    select * from {{ ref('int_calls_deduplicated') }}

),

cdi_audits as (

    select * from {{ ref('stg_force__cdi_audits') }}
    where not is_duplicate and not has_missing_finding
        and {{ is_extracted_by_as_at() }}

),

vcc_checks as (

    select * from {{ ref('stg_force__vcc_checks') }}
    where not is_duplicate and not has_missing_finding
        and {{ is_extracted_by_as_at() }}

),

dqat_assessments as (

    select * from {{ ref('stg_force__dqat_assessments') }}
    where not is_duplicate and not has_unknown_result
        and {{ is_extracted_by_as_at() }}

),

populations as (

    select * from {{ ref('district_populations') }}

),

registry as (

    select * from {{ ref('measure_registry') }}

),

{{- registry_domain_components(domains, used, entries, keys) }}

crime_district_months as (

    -- every district and month with a recorded crime or an outcome: where a population is laid
    {%- for domain in measure_population_domains() if domain in used %}
    select distinct
        district_name,
        period_month
    from {{ domain }}_counted
    {{ 'union' if not loop.last }}
    {%- else %}
    select
        cast(null as varchar) as district_name,
        cast(null as date) as period_month
    where false
    {%- endfor %}

),

population_components as (

    {%- for entry in per_population %}
    select
        '{{ entry.measure_id }}|denominator' as component,
        crime_district_months.district_name,
        crime_district_months.period_month,
        populations.population / 1000.0 as cases

    from crime_district_months
    asof inner join populations
        on crime_district_months.district_name = populations.district_name
        and year(crime_district_months.period_month) >= populations.population_year
    {{ 'union all' if not loop.last }}
    {%- else %}
    {{ no_population_components(keys) }}
    {%- endfor %}

),

{{ registry_components_summed(used, keys, ['registry'], name='summed', watermark=true) }},

definitions as (

    -- each measure's definition md5 and the first month this build counts it in
    {%- for entry in entries %}
    select
        '{{ entry.measure_id }}' as measure_id,
        '{{ plan.definition_md5[entry.measure_id] }}' as definition_md5,
        date '{{ plan.recount_from.get(entry.measure_id, '1900-01-01') }}' as recount_from_month
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as varchar) as measure_id,
        cast(null as varchar) as definition_md5,
        cast(null as date) as recount_from_month
    where false
    {%- endfor %}

),

final as (

    select
        summed.measure_id,
        summed.district_name,
        summed.period_month,
        summed.numerator,
        summed.denominator,
        summed.loaded_at,
        definitions.definition_md5

    from summed
    inner join definitions
        on summed.measure_id = definitions.measure_id
    where summed.period_month >= definitions.recount_from_month

)

select * from final
