-- Every staged outcome with the two checks the quality gate reports on outcomes: dated before its
-- crime was recorded, or with no crime in the crimes extract (never loaded, or quarantined). One
-- place for both the source's totals (quality_source_checks) and its months (quality_source_months).
{{ config(materialized='view') }}

with

outcomes as (

    select * from {{ ref('stg_force__crime_outcomes') }}

),

crimes as (

    select * from {{ ref('stg_force__crimes') }}
    where not is_duplicate

),

final as (

    select
        outcomes.*,
        coalesce(outcomes.outcome_date < cast(crimes.recorded_at as date), false) as is_before_its_crime,
        crimes.crime_reference is null and not outcomes.is_duplicate as has_no_crime

    from outcomes
    left join crimes
        on outcomes.crime_reference = crimes.crime_reference

)

select * from final
