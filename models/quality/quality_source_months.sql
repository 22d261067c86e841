-- Rows per source and month as loaded, on each source's complete run of months (a month with no
-- rows is a gap), with the share that could not be placed in a district (profiled by the raw
-- suite), and the month's rows in an impossible order or with no crime, the flags the staging suite
-- warns of over all months (quality_source_checks): the pack marks a figure only in a month they touch.
{#- source: (model, its month, unknown-district flag, out-of-order flag, no-crime flag) -#}
{%- set sources = {
    'crimes': ('stg_force__crimes', 'recorded_month', 'has_unknown_district', 'has_committed_after_recorded', 'false'),
    'crime_outcomes': ('int_outcomes_checked', 'outcome_month', 'false', 'is_before_its_crime', 'has_no_crime'),
    'incidents': ('stg_force__incidents', 'created_month', 'has_unknown_district', 'has_arrival_before_call', 'false'),
    'calls': ('stg_force__calls', 'received_month', 'false', 'has_answer_before_call', 'false'),
    'survey_responses': ('stg_force__survey_responses', 'interviewed_month', 'has_unknown_district', 'false', 'false'),
    'cdi_audits': ('stg_force__cdi_audits', 'audited_month', 'has_unknown_district', 'false', 'false'),
    'vcc_checks': ('stg_force__vcc_checks', 'checked_month', 'has_unknown_district', 'false', 'false'),
    'dqat_assessments': ('stg_force__dqat_assessments', 'assessed_month', 'false', 'false', 'false'),
} %}

with

months as (

    select * from {{ ref('int_months_enumerated') }}

),

source_months as (

    {%- for source, (model, month_column, unknown_flag, order_flag, no_crime_flag) in sources.items() %}
    select
        '{{ source }}' as source,
        {{ month_column }} as period_month,
        count(*) as rows_loaded,
        count(*) filter (where {{ unknown_flag }}) as unknown_district_rows,
        count(*) filter (where {{ order_flag }}) as out_of_order_rows,
        count(*) filter (where {{ no_crime_flag }}) as unmatched_rows
    from {{ ref(model) }}
    where {{ month_column }} between (select min(months.period_month) from months)
        and (select max(months.period_month) from months)
    group by all
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

sources as (

    select distinct source from source_months

),

final as (

    select
        sources.source,
        months.period_month,
        coalesce(source_months.rows_loaded, 0) as rows_loaded,
        coalesce(source_months.unknown_district_rows, 0) as unknown_district_rows,
        coalesce(source_months.unknown_district_rows, 0) / nullif(source_months.rows_loaded, 0) as unknown_district_share,
        coalesce(source_months.out_of_order_rows, 0) as out_of_order_rows,
        coalesce(source_months.unmatched_rows, 0) as unmatched_rows

    from sources
    cross join months
    left join source_months
        on sources.source = source_months.source
        and months.period_month = source_months.period_month

)

select * from final
