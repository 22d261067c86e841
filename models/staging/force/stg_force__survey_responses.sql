{%- set questions = ['ease_of_contact', 'actions_taken', 'follow_up', 'treatment', 'whole_experience'] -%}

with

source as (

    select * from {{ source('force', 'survey_responses') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        response_reference,
        {{ clean_code('survey_type') }} as survey_type,
        {{ clean_code('crime_group') }} as crime_group,
        {{ standardise_district('district') }} as district_name,
        interviewed_date,
        cast(date_trunc('month', interviewed_date) as date) as interviewed_month,
        crime_reference,
        {%- for question in questions %}
        {{ clean_code('q_' ~ question) }} as {{ question }}_answer,
        {%- endfor %}
        {{ load_lineage_columns() }}

    from source

),

scored as (

    select
        *,
        {%- for question in questions %}
        {{ survey_score(question ~ '_answer') }} as {{ question }}_score,
        {%- endfor %}

    from renamed

),

flagged as (

    select
        *,
        coalesce(survey_type not in ('VSS', 'DAS'), true) as has_unknown_survey_type,
        coalesce(crime_group not in ('BURGLARY', 'VIOLENT', 'VEHICLE', 'HATE', 'DOMESTIC_ABUSE'), true)
            as has_unknown_crime_group,
        (
            {%- for question in questions %}
            {{ is_unknown_code(question ~ '_answer', 'survey_answers', 'answer_code') }}{{ ' or' if not loop.last }}
            {%- endfor %}
        ) as has_unknown_answer,
        district_name = '{{ var("unknown_district") }}' as has_unknown_district

    from scored

),

in_scope as (

    {{ rows_in_repeat_scope('flagged', 'response_reference', source('force', 'survey_responses')) }}

),

final as (

    select
        *,
        {{ is_repeat_of('response_reference') }} as is_duplicate

    from in_scope

)

select * from final
