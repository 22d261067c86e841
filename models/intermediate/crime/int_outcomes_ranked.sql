-- Outcome records with their Home Office type, ranked per crime so the current one (the latest
-- assigned) is marked. A crime's outcome counts once, in the month it was assigned.
-- Incremental: a nightly build re-ranks only the crimes that gained an outcome record since the
-- last build (late outcomes for old crimes included); their earlier records are replaced.
-- Always today's outcomes, also in an as-at build: outcomes as they stood earlier come from the
-- snapshot crime_outcomes_snapshot (see int_crimes_classified).
{{
    config(
        materialized='incremental',
        unique_key='outcome_reference',
    )
}}

with

outcomes as (

    select * from {{ ref('stg_force__crime_outcomes') }}
    where not is_duplicate
        and not is_no_outcome

),

outcome_types as (

    select * from {{ ref('outcome_types') }}

),

changed_crimes as (

    select distinct crime_reference
    from outcomes
    where {{ is_loaded_since_last_run() }}

),

typed as (

    select
        outcomes.outcome_reference,
        outcomes.crime_reference,
        outcomes.outcome_code,
        outcome_types.parent_outcome_code,
        outcome_types.outcome_group,
        outcomes.outcome_date,
        outcomes.outcome_month,
        coalesce(outcome_types.is_prosecution_possible, false) as is_prosecution_possible,
        outcomes.has_unknown_outcome_code,
        outcomes.source_file,
        outcomes.source_line,
        outcomes.loaded_at,
        outcomes.extracted_on

    from outcomes
    inner join changed_crimes
        on outcomes.crime_reference is not distinct from changed_crimes.crime_reference
    left join outcome_types
        on outcomes.outcome_code = outcome_types.outcome_code

),

final as (

    select
        *,
        row_number() over (
            partition by crime_reference
            order by outcome_date desc, source_file desc, source_line desc
        ) = 1 as is_current

    from typed

)

select * from final
