with

source as (

    select * from {{ source('police_uk', 'stop_and_search') }}

),

renamed as (

    select
        try_cast(searched_at as timestamptz) as searched_at,
        cast(date_trunc('month', try_cast(searched_at as timestamptz)) as date) as period_month,
        {{ police_uk_file_force('_source_file') }} as force_slug,
        search_type,
        {{ true_false('is_part_of_operation') }} as is_part_of_operation,
        legislation,
        object_of_search,
        outcome,
        {{ true_false('is_outcome_linked') }} as is_outcome_linked,
        latitude,
        longitude,
        {{ load_lineage_columns() }}

    from source

),

final as (

    select
        *,
        searched_at is null as has_unreadable_date

    from renamed

)

select * from final
