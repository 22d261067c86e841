-- Each data.police.uk publisher's districts and buckets with the geographies they roll up into: the
-- force and the district (police.uk has no policing areas). A force area of England and Wales has
-- its ONS districts and three buckets named after it (so that they stay apart between forces);
-- British Transport Police, Northern Ireland and any force id the seeds do not know have the force
-- level only (a null district).
with

forces as (

    select * from {{ ref('police_uk_forces') }}

),

districts as (

    select * from {{ ref('ons_districts') }}

),

placed as (

    select * from {{ ref('int_police_uk_street_placed') }}

),

unknown_forces as (

    select distinct
        force_slug,
        force_name
    from placed
    where not is_known_force

),

publishers as (

    select
        force_slug,
        force_name,
        force_area_code,
        is_force_area
    from forces
    union all
    select
        force_slug,
        force_name,
        null,
        false
    from unknown_forces

),

force_districts as (

    select
        publishers.force_slug,
        publishers.force_name,
        districts.district_name
    from publishers
    inner join districts
        on publishers.force_area_code = districts.force_area_code
    {%- for bucket in ['no_location', 'unknown_lsoa', 'outside_force_area'] %}
    union all
    select
        force_slug,
        force_name,
        {{ police_uk_district_label("'" ~ bucket ~ "'", 'null', 'force_name') }}
    from publishers
    where is_force_area
    {%- endfor %}

),

final as (

    select
        force_slug,
        force_name,
        district_name,
        'force' as geography_level,
        force_name as geography
    from force_districts
    union all
    select
        force_slug,
        force_name,
        district_name,
        'district',
        district_name as geography
    from force_districts
    union all
    select
        force_slug,
        force_name,
        null,
        'force',
        force_name as geography
    from publishers
    where not is_force_area

)

select * from final
