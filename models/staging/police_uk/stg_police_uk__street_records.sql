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
        lsoa_code is null and lsoa_name is null as has_no_location,
        crime_id is null and crime_type != 'Anti-social behaviour' as has_missing_crime_id,
        {{ is_unknown_code('crime_type', 'police_uk_crime_types', 'crime_type') }} as has_unknown_crime_type,
        -- every row is a record data.police.uk publishes and counts; these two only report IDs that
        -- appear on more than one row (two locations or outcomes of one crime, or an ID reused)
        crime_id is not null and count(*) over same_id_same_month > 1 as is_repeated_crime_id,
        crime_id is not null and min(period_month) over same_id != max(period_month) over same_id as is_reused_crime_id

    from renamed
    window
        same_id as (partition by force_slug, crime_id),
        same_id_same_month as (partition by force_slug, crime_id, period_month)

)

select * from final
