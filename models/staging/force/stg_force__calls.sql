with

source as (

    select * from {{ source('force', 'calls') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        call_reference,
        trim(line) as call_line,
        received_at,
        cast(date_trunc('month', received_at) as date) as received_month,
        answered_at,
        abandoned_at,
        {{ load_lineage_columns() }}

    from source

),

flagged as (

    select
        *,
        answered_at is not null as is_answered,
        abandoned_at is not null and answered_at is null as is_abandoned,
        date_diff('second', received_at, answered_at) as seconds_to_answer,
        coalesce(call_line not in ('999', '101'), true) as has_unknown_line,
        coalesce(answered_at < received_at or abandoned_at < received_at, false) as has_answer_before_call

    from renamed

),

in_scope as (

    {{ rows_in_repeat_scope('flagged', 'call_reference', source('force', 'calls')) }}

),

final as (

    select
        *,
        {{ is_repeat_of('call_reference') }} as is_duplicate

    from in_scope

)

select * from final
