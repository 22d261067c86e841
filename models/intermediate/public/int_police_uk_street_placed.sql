-- data.police.uk street records placed in districts: every row of a street file is one record, as
-- data.police.uk publishes and maps them, so none is left out (repeated, reused and missing crime
-- IDs are counted and reported, docs/police_uk.md). A record is placed by its LSOA code (2021 or
-- 2011), by its LSOA name only when the code is missing or unknown. In a district of the force's
-- own area it counts in that district; in another force's district, in the force's "Outside force
-- area" bucket; with no LSOA at all, in "No location"; with an LSOA nobody knows, in "Unknown
-- LSOA". Publishers that are not force areas of England and Wales (British Transport Police,
-- Northern Ireland) and force ids the seeds do not know count at force level only (no district).
-- Incremental: a row's placement reads only that row and the seeds, so a nightly build places the
-- rows staged since the last build (loaded_at); rows the staging re-stages for their crime-ID
-- flags keep their loaded_at and their placement. A seed change or a withdrawn file needs a full
-- refresh, as for the staging.
{{
    config(
        materialized='incremental',
        unique_key=['source_file', 'source_line'],
    )
}}

with

street as (

    select * from {{ ref('stg_police_uk__street_records') }}
    where {{ is_loaded_since_last_run() }}

),

forces as (

    select * from {{ ref('police_uk_forces') }}

),

districts as (

    select * from {{ ref('ons_districts') }}

),

lsoa_codes as (

    select distinct
        lsoa_code,
        district_code
    from {{ ref('ons_lsoas') }}

),

lsoa_names as (

    select distinct
        lsoa_name,
        name_district_code as district_code
    from {{ ref('ons_lsoas') }}

),

crime_types as (

    select * from {{ ref('police_uk_crime_types') }}

),

outcome_categories as (

    select * from {{ ref('police_uk_outcome_categories') }}

),

located as (

    select
        street.*,
        coalesce(lsoa_codes.district_code, lsoa_names.district_code) as lsoa_district_code

    from street
    left join lsoa_codes
        on street.lsoa_code = lsoa_codes.lsoa_code
    left join lsoa_names
        on street.lsoa_name = lsoa_names.lsoa_name

),

placed as (

    select
        located.crime_id,
        located.period_month,
        located.force_slug,
        coalesce(forces.force_name, located.force_slug) as force_name,
        forces.force_slug is not null as is_known_force,
        coalesce(forces.is_force_area, false) as is_force_area,
        forces.region_name,
        case
            when not coalesce(forces.is_force_area, false) then 'force_only'
            when located.has_no_location then 'no_location'
            when located.lsoa_district_code is null then 'unknown_lsoa'
            when districts.force_area_code = forces.force_area_code then 'district'
            else 'outside_force_area'
        end as placement,
        districts.district_name as lsoa_district_name,
        located.crime_type,
        located.last_outcome_category,
        located.source_file,
        located.source_line,
        located.loaded_at

    from located
    left join forces
        on located.force_slug = forces.force_slug
    left join districts
        on located.lsoa_district_code = districts.district_code

),

final as (

    select
        placed.crime_id,
        placed.period_month,
        placed.force_slug,
        placed.force_name,
        placed.is_known_force,
        placed.is_force_area,
        placed.region_name,
        placed.placement,
        {{ police_uk_district_label('placed.placement', 'placed.lsoa_district_name', 'placed.force_name') }} as district_name,
        placed.lsoa_district_name,
        placed.crime_type,
        crime_types.crime_type_key,
        coalesce(crime_types.is_crime, true) as is_crime,
        placed.last_outcome_category,
        coalesce(outcome_categories.outcome_group, 'under_investigation') as outcome_group,
        coalesce(outcome_categories.is_prosecution_possible, false) as is_prosecution_possible,
        placed.source_file,
        placed.source_line,
        placed.loaded_at

    from placed
    left join crime_types
        on placed.crime_type = crime_types.crime_type
    left join outcome_categories
        on placed.last_outcome_category = outcome_categories.outcome_category

)

select * from final
