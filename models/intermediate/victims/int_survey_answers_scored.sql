-- One row per survey response and question: valid (left out when don't know / not applicable)
-- and satisfied (answer 1-3), with the respondent's group, district and month.
-- Incremental: a nightly build adds the responses loaded since the last build.
{%- set questions = ['ease_of_contact', 'actions_taken', 'follow_up', 'treatment', 'whole_experience'] %}
{{
    config(
        materialized='incremental',
        unique_key=['response_reference', 'question'],
    )
}}

with

responses as (

    select * from {{ ref('stg_force__survey_responses') }}
    where not is_duplicate
        and {{ is_extracted_by_as_at() }}
        and {{ is_loaded_since_last_run() }}

),

answers as (

    select * from {{ ref('survey_answers') }}

),

districts as (

    select * from {{ ref('districts') }}

),

unpivoted as (

    {%- for question in questions %}
    select
        response_reference,
        survey_type,
        crime_group,
        district_name,
        interviewed_month,
        '{{ question }}' as question,
        {{ question }}_answer as answer_code,
        loaded_at
    from responses
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        unpivoted.*,
        districts.area_name,
        coalesce(answers.is_valid, false) as is_valid,
        coalesce(answers.is_satisfied, false) as is_satisfied

    from unpivoted
    left join answers
        on unpivoted.answer_code = answers.answer_code
    left join districts
        on unpivoted.district_name = districts.district_name

)

select * from final
