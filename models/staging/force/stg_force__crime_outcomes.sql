with

source as (

    select * from {{ source('force', 'crime_outcomes') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        outcome_reference,
        crime_reference,
        nullif({{ clean_code('outcome_code') }}, '0') as outcome_code,
        outcome_date,
        cast(date_trunc('month', outcome_date) as date) as outcome_month,
        {{ load_lineage_columns() }}

    from source

),

flagged as (

    select
        *,
        outcome_code is null as is_no_outcome,
        outcome_code is not null
        and {{ is_unknown_code('outcome_code', 'outcome_types', 'outcome_code') }} as has_unknown_outcome_code

    from renamed

),

in_scope as (

    {{ rows_in_repeat_scope('flagged', 'outcome_reference', source('force', 'crime_outcomes')) }}

),

final as (

    select
        *,
        {{ is_repeat_of('outcome_reference') }} as is_duplicate

    from in_scope

)

select * from final
