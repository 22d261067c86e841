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
{%- set used = [] %}
{%- for domain in domains %}
{%- set counts_here = entries | selectattr('counted_from', 'equalto', domain) | list %}
{%- set divides_here = entries | selectattr('denominator_from', 'equalto', domain) | list %}
{%- if counts_here or divides_here %}
{%- do used.append(domain) %}
{%- endif %}
{%- endfor %}
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

{%- for domain in used %}

{{ domain }}_counted as (

    {{ domain_counts(domain, domains[domain], entries) }}

),

{{ domain }}_components as (

    unpivot {{ domain }}_counted
    on columns(* exclude (district_name, period_month))
    into name component value cases

),
{%- endfor %}

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
    select
        cast(null as varchar) as component,
        cast(null as varchar) as district_name,
        cast(null as date) as period_month,
        cast(null as double) as cases
    where false
    {%- endfor %}

),

unioned as (

    {%- for domain in used %}
    select component, district_name, period_month, cast(cases as double) as cases from {{ domain }}_components
    union all
    {%- endfor %}
    select
        component,
        district_name,
        period_month,
        cases
    from population_components

),

split as (

    select
        split_part(component, '|', 1) as measure_id,
        split_part(component, '|', 2) as part,
        district_name,
        period_month,
        cases

    from unioned

),

final as (

    -- only what the registry (and so the catalogue) defines
    select
        measure_id,
        district_name,
        period_month,
        sum(cases) filter (where part = 'numerator') as numerator,
        sum(cases) filter (where part = 'denominator') as denominator

    from split
    where measure_id in (select registry.measure_id from registry)
    group by all

)

select * from final
