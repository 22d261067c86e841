-- Per crime with an outcome, the earliest month any of its outcomes counts in (an outcome dated
-- before the crime was recorded counts in the month it was recorded), with the crime's loaded_at.
-- A crime counts by outcome month only once it has an outcome, and outcomes are only ever added (a
-- re-exported file rebuilds everything), so when a late outcome changes a crime's current outcome,
-- the month the crime leaves and the month it enters are both no earlier than this. The first
-- month a nightly build recounts by outcome month (outcome_mix, int_measure_components_monthly) is
-- the earliest of these over the crimes loaded since: for a late outcome, the crime's earliest
-- outcome, not the month it was recorded, years before.
-- A view: read only through that filter on loaded_at, which DuckDB pushes into the crimes' scan.
{{ config(materialized='view') }}

with

crimes as (

    select * from {{ ref('int_crimes_classified') }}

),

outcomes as (

    select * from {{ ref('int_outcomes_ranked') }}

),

final as (

    select
        crimes.crime_reference,
        crimes.loaded_at,
        min(greatest(outcomes.outcome_month, crimes.recorded_month)) as earliest_outcome_month

    from crimes
    inner join outcomes
        on crimes.crime_reference = outcomes.crime_reference
    group by
        crimes.crime_reference,
        crimes.loaded_at

)

select * from final
