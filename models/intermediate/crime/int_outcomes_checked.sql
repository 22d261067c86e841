-- Every staged outcome with the two checks the quality gate reports on outcomes: dated before its
-- crime was recorded, or with no crime in the crimes extract (never loaded, or quarantined). One
-- place for both the source's totals (quality_source_checks) and its months (quality_source_months),
-- and the measures' flags (quality_measure_flags).
-- Incremental: a nightly build checks again the outcomes loaded since the last build and the
-- outcomes of the crimes loaded since (a crime that arrives after its outcome matches it then).
-- Staged crimes and outcomes are only ever added (a repeat is flagged, never replaces a row; a load
-- that replaces rows is followed by a full refresh), so no other outcome's checks can change.
{{
    config(
        materialized='incremental',
        unique_key=['source_file', 'source_line'],
    )
}}

with

-- each read twice on a nightly build (the rows loaded since, the rows checked): inlined, so that
-- the filters on loaded_at reach the scans
outcomes as not materialized (

    select * from {{ ref('stg_force__crime_outcomes') }}

),

crimes as not materialized (

    select * from {{ ref('stg_force__crimes') }}
    where not is_duplicate

),

crimes_loaded_since as (

    select crime_reference from crimes
    {%- if is_incremental() %}
    where {{ is_loaded_since_last_run() }}
    {%- endif %}

),

checked_outcomes as (

    select * from outcomes
    {%- if is_incremental() %}
    where {{ is_loaded_since_last_run() }}
    union
    select outcomes.* from outcomes
    semi join crimes_loaded_since
        on outcomes.crime_reference = crimes_loaded_since.crime_reference
    {%- endif %}

),

final as (

    select
        checked_outcomes.*,
        coalesce(checked_outcomes.outcome_date < cast(crimes.recorded_at as date), false) as is_before_its_crime,
        crimes.crime_reference is null and not checked_outcomes.is_duplicate as has_no_crime

    from checked_outcomes
    left join crimes
        on checked_outcomes.crime_reference = crimes.crime_reference

)

select * from final
