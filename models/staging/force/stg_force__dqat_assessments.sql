with

source as (

    select * from {{ source('force', 'dqat_assessments') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        assessment_reference,
        assessed_date,
        cast(date_trunc('month', assessed_date) as date) as assessed_month,
        {{ clean_code('team_code') }} as team_code,
        {{ clean_code('record_type') }} as record_type,
        {{ clean_code('result') }} as result,
        {{ load_lineage_columns() }}

    from source

),

flagged as (

    select
        *,
        result = 'PASS' as is_passed,
        coalesce(result not in ('PASS', 'FAIL'), true) as has_unknown_result

    from renamed

),

in_scope as (

    {{ rows_in_repeat_scope('flagged', 'assessment_reference', source('force', 'dqat_assessments')) }}

),

final as (

    select
        *,
        {{ is_repeat_of('assessment_reference') }} as is_duplicate

    from in_scope

)

select * from final
