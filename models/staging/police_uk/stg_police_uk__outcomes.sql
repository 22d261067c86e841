with

source as (

    select * from {{ source('police_uk', 'outcomes') }}

),

renamed as (

    select
        {{ police_uk_place_columns() }},
        outcome_type as outcome_category,
        {{ load_lineage_columns() }}

    from source

),

final as (

    select
        *,
        {{ is_unknown_code('outcome_category', 'police_uk_outcome_categories', 'outcome_category') }}
            as has_unknown_outcome_category,
        -- a crime ID can repeat in an outcomes file (several outcomes over time); the latest row stands
        row_number() over (partition by force_slug, crime_id order by period_month desc, source_file desc, source_line desc)
        > 1 as is_superseded

    from renamed

)

select * from final
