-- The additive part of every measure: numerator and denominator by measure, district and month,
-- counted once here and summed into areas, the force and longer windows downstream. Counts carry
-- a null denominator. Sources without a district (calls, data quality assessments) carry a null
-- district and are reported for the force only. Medians are in int_response_medians_windowed.
{%- set groups = crime_group_conditions() %}

with

crimes as (

    select * from {{ ref('int_crimes_classified') }}
    where is_counted

),

incidents as (

    select * from {{ ref('int_incidents_timed') }}

),

survey_answers as (

    select * from {{ ref('int_survey_answers_scored') }}

),

calls as (

    select * from {{ ref('int_calls_deduplicated') }}

),

cdi_audits as (

    select * from {{ ref('stg_force__cdi_audits') }}
    where not is_duplicate and not has_missing_finding
        and {{ is_extracted_by_as_at() }}

),

vcc_checks as (

    select * from {{ ref('stg_force__vcc_checks') }}
    where not is_duplicate and not has_missing_finding
        and {{ is_extracted_by_as_at() }}

),

dqat_assessments as (

    select * from {{ ref('stg_force__dqat_assessments') }}
    where not is_duplicate and not has_unknown_result
        and {{ is_extracted_by_as_at() }}

),

populations as (

    select * from {{ ref('district_populations') }}

),

measures as (

    select * from {{ ref('measures') }}

),

crimes_by_recorded_month as (

    select
        district_name,
        recorded_month as period_month,
        {%- for group, condition in groups.items() %}
        count(*) filter (where {{ condition }}) as crimes__{{ group }},
        {%- endfor %}
        count(*) filter (where is_serious_sexual and is_historic) as historic__serious_sexual,
        count(*) filter (where is_violence_with_injury and is_weapon_involved) as weapon__violence_with_injury,
        count(*) filter (where is_robbery and is_weapon_involved) as weapon__robbery,

    from crimes
    group by all

),

crimes_by_outcome_month as (

    select
        district_name,
        current_outcome_month as period_month,
        {%- for group, condition in groups.items() %}
        count(*) filter (where has_prosecution_possible_outcome and {{ condition }}) as ppo__{{ group }},
        {%- endfor %}
        count(*) filter (where current_outcome_parent_code = '1') as outcome_1,
        count(*) filter (where current_outcome_parent_code = '4') as outcome_4,
        count(*) filter (where current_outcome_parent_code = '8') as outcome_8,
        count(*) filter (where current_outcome_parent_code = '22') as outcome_22,

    from crimes
    where current_outcome_month is not null
    group by all

),

crime_months as (

    select
        coalesce(recorded.district_name, outcomes.district_name) as district_name,
        coalesce(recorded.period_month, outcomes.period_month) as period_month,
        {%- for group in groups %}
        coalesce(recorded.crimes__{{ group }}, 0) as crimes__{{ group }},
        coalesce(outcomes.ppo__{{ group }}, 0) as ppo__{{ group }},
        {%- endfor %}
        coalesce(recorded.historic__serious_sexual, 0) as historic__serious_sexual,
        coalesce(recorded.weapon__violence_with_injury, 0) as weapon__violence_with_injury,
        coalesce(recorded.weapon__robbery, 0) as weapon__robbery,
        coalesce(outcomes.outcome_1, 0) as outcome_1,
        coalesce(outcomes.outcome_4, 0) as outcome_4,
        coalesce(outcomes.outcome_8, 0) as outcome_8,
        coalesce(outcomes.outcome_22, 0) as outcome_22,

    from crimes_by_recorded_month as recorded
    full outer join crimes_by_outcome_month as outcomes
        on recorded.district_name = outcomes.district_name
        and recorded.period_month = outcomes.period_month

),

population_by_month as (

    select
        crime_months.district_name,
        crime_months.period_month,
        populations.population / 1000.0 as population_thousands

    from crime_months
    asof inner join populations
        on crime_months.district_name = populations.district_name
        and year(crime_months.period_month) >= populations.population_year

),

crime_components as (

    {%- for group in groups %}
    select 'crimes__{{ group }}' as measure_id, district_name, period_month, crimes__{{ group }} as numerator, null::double as denominator from crime_months
    union all
    select 'ppo_rate__{{ group }}', district_name, period_month, ppo__{{ group }}, crimes__{{ group }} from crime_months
    union all
    {%- endfor %}
    select 'ppo_count__all', district_name, period_month, ppo__all, null from crime_months
    union all
    select 'charges__all', district_name, period_month, outcome_1, null from crime_months
    union all
    select 'tic__all', district_name, period_month, outcome_4, null from crime_months
    union all
    select 'community_resolutions__all', district_name, period_month, outcome_8, null from crime_months
    union all
    select 'outcome22__all', district_name, period_month, outcome_22, null from crime_months
    union all
    select 'da_share_of_crime', district_name, period_month, crimes__domestic_abuse, crimes__all from crime_months
    union all
    select 'historic_share__serious_sexual', district_name, period_month, historic__serious_sexual, crimes__serious_sexual from crime_months
    union all
    select 'weapon_share__violence_with_injury', district_name, period_month, weapon__violence_with_injury, crimes__violence_with_injury from crime_months
    union all
    select 'weapon_share__robbery', district_name, period_month, weapon__robbery, crimes__robbery from crime_months
    union all
    select 'crime_rate_per_1000__all', crime_months.district_name, crime_months.period_month, crimes__all, population_thousands
    from crime_months
    left join population_by_month
        on crime_months.district_name = population_by_month.district_name
        and crime_months.period_month = population_by_month.period_month

),

incident_components as (

    select
        'resp_share_immediate' as measure_id,
        district_name,
        created_month as period_month,
        count(*) filter (where grade_name = 'immediate') as numerator,
        count(*) as denominator
    from incidents
    where grade_name in ('immediate', 'priority', 'prompt')
    group by all
    union all
    select 'resp_prompt_over_4h_share', district_name, created_month, count(*) filter (where response_minutes > 240), count(*)
    from incidents
    where grade_name = 'prompt' and response_minutes is not null
    group by all
    union all
    select 'resp_delay_non_availability_share__domestic', district_name, created_month,
        count(*) filter (where delay_reason = 'NON_AVAILABILITY'), count(*)
    from incidents
    where is_domestic and has_delay_reason
    group by all
    union all
    select 'da_incident_to_crime_conversion', district_name, created_month, count(*) filter (where has_linked_crime), count(*)
    from incidents
    where is_domestic and is_closed
    group by all
    union all
    select 'incidents__burglary_dwelling', district_name, created_month, count(*), null
    from incidents
    where is_burglary_dwelling
    group by all

),

survey_measures as (

    select
        measure_id,
        -- the catalogue says sat_whole__* for the whole experience question
        replace(regexp_extract(measure_id, '^sat_(.+?)__', 1), 'whole', 'whole_experience') as question,
        regexp_extract(measure_id, '__([a-z_]+)$', 1) as group_key

    from measures
    where starts_with(measure_id, 'sat_')

),

survey_components as (

    select
        survey_measures.measure_id,
        survey_answers.district_name,
        survey_answers.interviewed_month as period_month,
        count(*) filter (where survey_answers.is_satisfied) as numerator,
        count(*) as denominator

    from survey_measures
    inner join survey_answers
        on survey_answers.question = survey_measures.question
        and survey_answers.is_valid
        and case survey_measures.group_key
            when 'all' then survey_answers.survey_type = 'VSS'
            when 'domestic_abuse' then survey_answers.survey_type = 'DAS'
            else survey_answers.survey_type = 'VSS' and survey_answers.crime_group = upper(survey_measures.group_key)
        end
    group by all

),

other_components as (

    select 'calls_999' as measure_id, null as district_name, received_month as period_month, count(*) as numerator, null::double as denominator
    from calls where call_line = '999' group by all
    union all
    select 'calls_101', null, received_month, count(*), null from calls where call_line = '101' group by all
    union all
    -- a call answered (or abandoned) before it was received has no usable time: left out of both
    select 'calls_999_answered_10s_share', null, received_month, count(*) filter (where seconds_to_answer <= 10), count(*)
    from calls where call_line = '999' and not has_answer_before_call group by all
    union all
    select 'calls_101_abandoned_share', null, received_month, count(*) filter (where is_abandoned), count(*)
    from calls where call_line = '101' group by all
    union all
    select 'cdi_compliance', district_name, audited_month, count(*) filter (where is_crime_recorded), count(*)
    from cdi_audits where is_crime_required group by all
    union all
    select 'vcc_compliance', district_name, checked_month, count(*) filter (where is_compliant), count(*)
    from vcc_checks group by all
    union all
    select 'dqat_pass_rate', null, assessed_month, count(*) filter (where is_passed), count(*)
    from dqat_assessments group by all

),

unioned as (

    select * from crime_components
    union all
    select * from incident_components
    union all
    select * from survey_components
    union all
    select * from other_components

),

final as (

    -- only what the catalogue defines (the crime-group loop also makes e.g. ppo_rate__victim_based)
    select * from unioned
    where measure_id in (select measure_id from measures)

)

select * from final
