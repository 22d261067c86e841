with

source as (

    select * from {{ source('force', 'crimes') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        crime_reference,
        recorded_at,
        cast(date_trunc('month', recorded_at) as date) as recorded_month,
        committed_date,
        {{ clean_code('offence_code') }} as offence_code,
        {{ standardise_district('district') }} as district_name,
        coalesce(is_domestic_abuse, false) as is_domestic_abuse,
        coalesce(is_hate_crime, false) as is_hate_crime,
        {{ clean_code('hate_strand') }} as hate_strand,
        coalesce(has_sharp_instrument, false) as has_sharp_instrument,
        coalesce(is_weapon_involved, false) as is_weapon_involved,
        coalesce(is_child_sexual_abuse, false) as is_child_sexual_abuse,
        coalesce(is_historic, false) as is_historic,
        coalesce({{ clean_code('status') }}, 'RECORDED') as status,
        {{ load_lineage_columns() }}

    from source

),

flagged as (

    select
        *,
        status = 'CANCELLED' as is_cancelled,
        {{ is_unknown_code('offence_code', 'offence_codes', 'offence_code') }} as has_unknown_offence_code,
        district_name = '{{ var("unknown_district") }}' as has_unknown_district,
        coalesce(committed_date > cast(recorded_at as date), false) as has_committed_after_recorded,
        recorded_at > loaded_at as is_recorded_in_future

    from renamed

),

in_scope as (

    {{ rows_in_repeat_scope('flagged', 'crime_reference', source('force', 'crimes')) }}

),

final as (

    select
        *,
        {{ is_repeat_of('crime_reference') }} as is_duplicate

    from in_scope

)

select * from final
