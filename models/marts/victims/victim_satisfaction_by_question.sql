-- Victim satisfaction by question, surveyed group and geography, month by month: the table
-- behind the satisfaction measures, for any question x group the catalogue does not name.
with

answers as (

    select * from {{ ref('int_survey_answers_scored') }}
    where is_valid

),

bridge as (

    select * from {{ ref('int_geographies_bridged') }}

),

final as (

    select
        answers.survey_type,
        answers.crime_group,
        answers.question,
        bridge.geography_level,
        bridge.geography,
        answers.interviewed_month as period_month,
        count(*) filter (where answers.is_satisfied) as satisfied_responses,
        count(*) as valid_responses,
        count(*) filter (where answers.is_satisfied) / count(*) as satisfied_rate

    from answers
    inner join bridge
        on answers.district_name = bridge.district_name
    group by all

)

select * from final
