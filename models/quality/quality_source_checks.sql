-- One row per source: its key, dates and flags summed up, for the raw and staging suites:
-- rows dated after the load, repeated keys, unknown codes, events in an impossible order, and
-- outcomes whose crime is not in the crimes extract (never loaded, or quarantined): counted nowhere.
with

crimes as (

    select * from {{ ref('stg_force__crimes') }}

),

outcomes as (

    select * from {{ ref('stg_force__crime_outcomes') }}

),

checked_outcomes as (

    select * from {{ ref('int_outcomes_checked') }}

),

incidents as (

    select * from {{ ref('stg_force__incidents') }}

),

calls as (

    select * from {{ ref('stg_force__calls') }}

),

surveys as (

    select * from {{ ref('stg_force__survey_responses') }}

),

cdi_audits as (

    select * from {{ ref('stg_force__cdi_audits') }}

),

vcc_checks as (

    select * from {{ ref('stg_force__vcc_checks') }}

),

dqat_assessments as (

    select * from {{ ref('stg_force__dqat_assessments') }}

),

outcome_order as (

    select
        count(*) filter (where is_before_its_crime) as out_of_order_rows,
        count(*) filter (where has_no_crime) as unmatched_rows

    from checked_outcomes

),

checks as (

    select
        'crimes' as source,
        count(*) as rows_loaded,
        max(recorded_at) as last_event_at,
        max(loaded_at) as loaded_at,
        count(*) filter (where is_duplicate) as duplicate_rows,
        count(*) filter (where has_unknown_offence_code) as unknown_code_rows,
        count(*) filter (where has_committed_after_recorded) as out_of_order_rows,
        0 as unmatched_rows
    from crimes
    union all
    select
        'crime_outcomes',
        count(*),
        cast(max(outcome_date) as timestamp),
        max(loaded_at),
        count(*) filter (where is_duplicate),
        count(*) filter (where has_unknown_outcome_code),
        (select outcome_order.out_of_order_rows from outcome_order),
        (select outcome_order.unmatched_rows from outcome_order)
    from outcomes
    union all
    select
        'incidents',
        count(*),
        max(created_at),
        max(loaded_at),
        count(*) filter (where is_duplicate),
        count(*) filter (where has_unknown_grade or has_unknown_incident_type),
        count(*) filter (where has_arrival_before_call),
        0
    from incidents
    union all
    select
        'calls',
        count(*),
        max(received_at),
        max(loaded_at),
        count(*) filter (where is_duplicate),
        count(*) filter (where has_unknown_line),
        count(*) filter (where has_answer_before_call),
        0
    from calls
    union all
    select
        'survey_responses',
        count(*),
        cast(max(interviewed_date) as timestamp),
        max(loaded_at),
        count(*) filter (where is_duplicate),
        count(*) filter (where has_unknown_answer or has_unknown_crime_group),
        0,
        0
    from surveys
    union all
    select
        'cdi_audits',
        count(*),
        cast(max(audited_date) as timestamp),
        max(loaded_at),
        count(*) filter (where is_duplicate),
        count(*) filter (where has_missing_finding),
        0,
        0
    from cdi_audits
    union all
    select
        'vcc_checks',
        count(*),
        cast(max(checked_date) as timestamp),
        max(loaded_at),
        count(*) filter (where is_duplicate),
        count(*) filter (where has_missing_finding),
        0,
        0
    from vcc_checks
    union all
    select
        'dqat_assessments',
        count(*),
        cast(max(assessed_date) as timestamp),
        max(loaded_at),
        count(*) filter (where is_duplicate),
        count(*) filter (where has_unknown_result),
        0,
        0
    from dqat_assessments

),

final as (

    select
        *,
        date_diff('day', loaded_at, last_event_at) as days_after_load,
        duplicate_rows / nullif(rows_loaded, 0) as duplicate_share,
        unknown_code_rows / nullif(rows_loaded, 0) as unknown_code_share,
        out_of_order_rows / nullif(rows_loaded, 0) as out_of_order_share,
        unmatched_rows / nullif(rows_loaded, 0) as unmatched_share

    from checks

)

select * from final
