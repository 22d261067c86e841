-- Each district (and the unknown bucket) with every geography it rolls up into: the force, its
-- area and itself. Summing over this bridge gives force, area and district figures at once.
with

districts as (

    select * from {{ ref('districts') }}

),

final as (

    select
        district_name,
        'force' as geography_level,
        force_name as geography,
        1 as level_order
    from districts
    union all
    select
        district_name,
        'area',
        area_name,
        2
    from districts
    union all
    select
        district_name,
        'district',
        district_name as geography,
        3
    from districts

)

select * from final
