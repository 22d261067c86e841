-- The additive part of every force measure: numerator and denominator by measure, district and
-- month, counted once here and summed into areas, the force and longer windows downstream.
-- Rendered from the measure registry (seeds/measure_registry.csv; macros/measure_registry.sql):
-- each domain's rows are aggregated once, a column per measure counting from it, then turned into
-- rows. Counts carry a null denominator. Sources without a district (calls, data quality
-- assessments) carry a null district and are reported for the force only. Rates per 1,000 divide
-- by the district's population of the month's calendar year (or the latest year before it).
-- Medians are in int_response_medians_windowed.
-- The style check (make lint) renders this model without a warehouse, so without the registry's rows:
-- the import CTEs then look unused.
-- noqa: disable=ST03
{%- set domains = measure_domains() %}
{%- set force_domains = "'" ~ domains | join("', '") ~ "'" %}
{%- set entries = measure_registry_entries("counted_from in (" ~ force_domains ~ ") and window_aggregation != 'median'") %}
{%- set used = registry_domains_used(domains, entries) %}
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
    select distinct
        district_name,
        period_month
    from crimes_recorded_counted
    union
    select distinct
        district_name,
        period_month
    from crimes_by_outcome_counted

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

{{ registry_components_summed(used, keys, ['registry']) }}

select * from final
