with

source as (

    select * from {{ source('police_uk', 'street') }}

),

renamed as (

    select
        {{ police_uk_place_columns() }},
        crime_type,
        last_outcome_category,
        longitude,
        latitude,
        {{ load_lineage_columns() }}

    from source

),

final as (

    select
        *,
        crime_type = 'Anti-social behaviour' as is_anti_social_behaviour,
        lsoa_code is null as has_no_location,
        crime_id is null and crime_type != 'Anti-social behaviour' as has_missing_crime_id,
        {{ is_unknown_code('crime_type', 'police_uk_crime_types', 'crime_type') }} as has_unknown_crime_type,
        coalesce(crime_id is not null and row_number() over (
            partition by crime_id order by source_file, source_line) > 1, false) as is_duplicate

    from renamed

)

select * from final
