-- The history of each crime's current outcome: a row per crime and outcome it has had, valid
-- from the day the extract carrying that outcome was taken (dbt_valid_from) to the day a later
-- one replaced it (dbt_valid_to, null while current). Taken on every build, so any measure can
-- be rebuilt as it stood at an earlier extract date (var as_at; see README "As at a date").
-- History starts with the first build: an outcome replaced before then is not in it.
-- A build that is no full refresh reads only the current outcomes loaded since the newest row the
-- snapshot holds, and writes the history reading every one would: a crime's current outcome
-- changes only when a record loaded since becomes it (int_outcomes_ranked re-ranks only crimes with
-- new records, and a load that replaces rows makes the next build a full refresh), and a current
-- outcome loaded before was read by the run that took that newest row, or by one after it.
{% snapshot crime_outcomes_snapshot %}

{{
    config(
        schema='snapshots',
        unique_key='crime_reference',
        strategy='timestamp',
        updated_at='extracted_at',
    )
}}

with

current_outcomes as (

    select * from {{ ref('int_outcomes_ranked') }}
    where is_current
        and {{ is_loaded_since_last_run() }}

),

final as (

    select
        crime_reference,
        outcome_reference,
        outcome_code,
        parent_outcome_code,
        outcome_group,
        outcome_date,
        outcome_month,
        is_prosecution_possible,
        loaded_at,
        cast(extracted_on as timestamp) as extracted_at

    from current_outcomes

)

select * from final

{% endsnapshot %}
