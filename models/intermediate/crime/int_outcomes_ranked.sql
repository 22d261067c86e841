-- Outcome records with their Home Office type, ranked per crime so the current one (the latest
-- assigned) is marked. A crime's outcome counts once, in the month it was assigned.
with

outcomes as (

    select * from {{ ref('stg_force__crime_outcomes') }}
    where not is_duplicate

),

outcome_types as (

    select * from {{ ref('outcome_types') }}

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
        outcomes.source_line

    from outcomes
    left join outcome_types
        on outcomes.outcome_code = outcome_types.outcome_code
    where not outcomes.is_no_outcome

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
