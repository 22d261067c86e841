-- Every recorded crime with its offence classification, markers, geography and current outcome.
-- is_counted: the crime stands in recorded crime (not cancelled, not transferred, not a repeat).
-- Incremental: a nightly build processes the crimes loaded since the last build and the crimes
-- whose current outcome changed (a late outcome for an old crime replaces its row).
-- As at a date (var as_at): the crimes extracted by then, with the outcome each had then, from
-- the snapshot crime_outcomes_snapshot.
-- depends_on: {{ ref('crime_outcomes_snapshot') }}
{{
    config(
        materialized='incremental',
        unique_key='crime_reference',
    )
}}

with

-- crimes and current_outcomes are each read twice (the crimes changed, the rows built): inlined, so
-- that on a nightly build the search for changed crimes reads only the rows loaded since the last
-- build, instead of every crime and outcome being materialized first
crimes as not materialized (

    select * from {{ ref('stg_force__crimes') }}
    where not is_duplicate
        and {{ is_extracted_by_as_at() }}

),

offence_codes as (

    select * from {{ ref('offence_codes') }}

),

districts as (

    select * from {{ ref('districts') }}

),

current_outcomes as not materialized (

    {%- if as_at_date() %}
    select * from {{ ref('crime_outcomes_snapshot') }}
    where dbt_valid_from <= timestamp '{{ as_at_date() }}'
        and coalesce(dbt_valid_to > timestamp '{{ as_at_date() }}', true)
    {%- else %}
    select * from {{ ref('int_outcomes_ranked') }}
    where is_current
    {%- endif %}

),

changed_crimes as (

    select crime_reference from crimes
    where {{ is_loaded_since_last_run() }}
    union
    select crime_reference from current_outcomes
    where {{ is_loaded_since_last_run() }}

),

final as (

    select
        crimes.crime_reference,
        crimes.recorded_at,
        crimes.recorded_month,
        crimes.offence_code,
        offence_codes.offence_subgroup,
        offence_codes.offence_group,
        crimes.district_name,
        districts.area_name,
        crimes.status = 'RECORDED' and not crimes.is_duplicate as is_counted,
        coalesce(offence_codes.is_victim_based, false) as is_victim_based,
        coalesce(offence_codes.is_dwelling_burglary, false) as is_dwelling_burglary,
        coalesce(offence_codes.is_violence_with_injury, false) as is_violence_with_injury,
        coalesce(offence_codes.is_robbery, false) as is_robbery,
        coalesce(offence_codes.is_serious_sexual, false) as is_serious_sexual,
        coalesce(offence_codes.is_rape, false) as is_rape,
        coalesce(offence_codes.is_drugs, false) as is_drugs,
        coalesce(offence_codes.is_possession_of_weapons, false) as is_possession_of_weapons,
        crimes.is_domestic_abuse,
        crimes.is_hate_crime,
        crimes.hate_strand,
        crimes.has_sharp_instrument,
        crimes.is_weapon_involved,
        crimes.is_child_sexual_abuse,
        crimes.is_historic,
        current_outcomes.outcome_code as current_outcome_code,
        current_outcomes.parent_outcome_code as current_outcome_parent_code,
        current_outcomes.outcome_group as current_outcome_group,
        -- an outcome dated before its crime was recorded counts in the month the crime was recorded;
        -- a crime with no outcome has no outcome month (greatest skips nulls: it would give the
        -- recorded month)
        case
            when current_outcomes.crime_reference is not null
                then greatest(current_outcomes.outcome_month, crimes.recorded_month)
        end as current_outcome_month,
        current_outcomes.outcome_date < cast(crimes.recorded_at as date) as has_outcome_before_recording,
        coalesce(current_outcomes.is_prosecution_possible, false) as has_prosecution_possible_outcome,
        crimes.has_unknown_offence_code,
        greatest(crimes.loaded_at, current_outcomes.loaded_at) as loaded_at

    from crimes
    inner join changed_crimes
        on crimes.crime_reference = changed_crimes.crime_reference
    left join offence_codes
        on crimes.offence_code = offence_codes.offence_code
    left join districts
        on crimes.district_name = districts.district_name
    left join current_outcomes
        on crimes.crime_reference = current_outcomes.crime_reference

)

select * from final
