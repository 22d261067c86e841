-- Each police.uk force's districts and buckets with the geographies they roll up into: the force
-- and the district (police.uk has no policing areas). Buckets carry the force's name so that they
-- stay apart between forces.
with

forces as (

    select * from {{ ref('police_uk_forces') }}

),

force_districts as (

    select * from {{ ref('police_uk_force_districts') }}

),

districts as (

    select forces.force_name, force_districts.district_name
    from force_districts
    inner join forces
        on force_districts.force_slug = forces.force_slug
    union all
    select force_name, 'No location (' || force_name || ')' from forces
    union all
    select force_name, 'Outside force area (' || force_name || ')' from forces

),

final as (

    select force_name, district_name, 'force' as geography_level, force_name as geography from districts
    union all
    select force_name, district_name, 'district', district_name from districts

)

select * from final
