-- The rows a staging check flags, counted against each force measure whose figure they touch, by
-- month: the pack marks a measure with a warning only in a month where this holds rows for it.
-- A flagged row touches a measure in one of two ways (docs/measures.md, "Which figures a warning
-- touches"):
--   value_unknown: the row still counts, with the values the check distrusts left blank (an arrival
--     before the call has no response time; an answer before the call, no time to answer). It
--     touches a measure whose condition on the row is unknown (null) without those values, so a
--     count of immediate-grade incidents is untouched and the share answered in 10 seconds is.
--   left_out: the row is missing from the measure's rows or counts in another month than its own
--     date (a response time left out of the medians; an outcome with no crime counts nowhere; an
--     outcome dated before its crime counts in the crime's month). It touches a measure whose
--     condition holds or is unknown on what is known of the row (an outcome with no crime: its
--     outcome, no crime columns), in each month it belongs to.
-- Flags that change no figure (a crime committed after it was recorded is counted as it is) have
-- no repair here, so they mark nothing.
{#- (check column of quality_source_checks, flagged rows, their month, the registry domain, how) #}
{%- set repairs = [
    ('out_of_order_rows', 'incidents_out_of_order', 'created_month', 'incidents', 'value_unknown'),
    ('out_of_order_rows', 'response_cases_out_of_order', 'created_month', 'response_cases', 'left_out'),
    ('out_of_order_rows', 'calls_out_of_order', 'received_month', 'calls', 'value_unknown'),
    ('out_of_order_rows', 'outcomes_before_recording', 'period_month', 'crimes_by_outcome', 'left_out'),
    ('unmatched_rows', 'outcomes_without_crime', 'current_outcome_month', 'crimes_by_outcome', 'left_out'),
] %}
-- The flagged rows are materialized once: each is read by one count per measure.
-- The style check (make lint) renders this model without a warehouse, so without the registry's rows:
-- the import CTEs then look unused.
-- noqa: disable=ST03

with

incidents as (

    select * from {{ ref('int_incidents_timed') }}

),

calls as (

    select * from {{ ref('int_calls_deduplicated') }}
    where has_answer_before_call

),

crimes as (

    select * from {{ ref('int_crimes_classified') }}

),

-- read by the two joins below, each to a few rows: inlined, so that neither waits for every current
-- outcome to be materialized first
outcomes as not materialized (

    select * from {{ ref('int_outcomes_ranked') }}
    where is_current

),

checked_outcomes as (

    select * from {{ ref('int_outcomes_checked') }}
    where has_no_crime

),

registry as (

    select * from {{ ref('measure_registry') }}

),

incidents_out_of_order as materialized (

    -- their response time is blank (int_incidents_timed); the flag is a column of the table, so
    -- the scan keeps only these rows before any measure's condition is evaluated
    select * from incidents
    where has_arrival_before_call

),

response_cases_out_of_order as (

    -- graded ones would be cases of the response medians (int_response_cases_assigned)
    select * from incidents_out_of_order
    where is_response_graded

),

calls_out_of_order as materialized (

    select
        * replace (
            cast(null as boolean) as has_answer_before_call,
            cast(null as bigint) as seconds_to_answer
        )

    from calls

),

crimes_with_early_outcome as materialized (

    select
        crimes.*,
        outcomes.outcome_month

    from crimes
    inner join outcomes
        on crimes.crime_reference = outcomes.crime_reference
    where crimes.is_counted
        and crimes.has_outcome_before_recording

),

outcomes_before_recording as (

    -- counted in the month the crime was recorded, missing from the outcome's own month
    select
        * exclude (outcome_month),
        current_outcome_month as period_month
    from crimes_with_early_outcome
    union
    select
        * exclude (outcome_month),
        outcome_month as period_month
    from crimes_with_early_outcome

),

no_crime as (

    -- a crime's columns, all unknown
    select * from crimes
    where false

),

outcomes_without_crime as materialized (

    -- what is known of the crime an outcome with no crime would have counted for: its outcome
    select
        no_crime.* replace (
            outcomes.outcome_code as current_outcome_code,
            outcomes.parent_outcome_code as current_outcome_parent_code,
            outcomes.outcome_group as current_outcome_group,
            outcomes.outcome_month as current_outcome_month,
            outcomes.is_prosecution_possible as has_prosecution_possible_outcome
        )

    from outcomes
    inner join checked_outcomes
        on outcomes.outcome_reference = checked_outcomes.outcome_reference
    left join no_crime
        on true

),

touched as (

    {{ flagged_counts(repairs, measure_registry_entries()) }}

),

final as (

    -- only what the registry (and so the catalogue) defines
    select
        measure_id,
        period_month,
        cast(coalesce(sum(touching_rows) filter (where check_column = 'out_of_order_rows'), 0) as bigint)
            as out_of_order_rows,
        cast(coalesce(sum(touching_rows) filter (where check_column = 'unmatched_rows'), 0) as bigint)
            as unmatched_rows,

    from touched
    where measure_id in (select registry.measure_id from registry)
    group by all

)

select * from final
