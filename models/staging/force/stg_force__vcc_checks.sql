with

source as (

    select * from {{ source('force', 'vcc_checks') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        check_reference,
        checked_date,
        cast(date_trunc('month', checked_date) as date) as checked_month,
        crime_reference,
        {{ standardise_district('district') }} as district_name,
        has_vcc_in_place,
        are_updates_on_time,
        {{ load_lineage_columns() }}

    from source

),

flagged as (

    select
        *,
        coalesce(has_vcc_in_place and are_updates_on_time, false) as is_compliant,
        has_vcc_in_place is null or are_updates_on_time is null as has_missing_finding,
        district_name = '{{ var("unknown_district") }}' as has_unknown_district

    from renamed

),

in_scope as (

    {{ rows_in_repeat_scope('flagged', 'check_reference', source('force', 'vcc_checks')) }}

),

final as (

    select
        *,
        {{ is_repeat_of('check_reference') }} as is_duplicate

    from in_scope

)

select * from final
