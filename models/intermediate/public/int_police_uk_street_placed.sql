-- data.police.uk street records placed in the force's districts: a record with no LSOA counts in
-- the force's "No location" bucket, one in an LSOA of another force's district in its "Outside
-- force area" bucket. Never dropped, never guessed. Repeated crime IDs are left out.
with

street as (

    select * from {{ ref('stg_police_uk__street_records') }}
    where not is_duplicate

),

forces as (

    select * from {{ ref('police_uk_forces') }}

),

force_districts as (

    select * from {{ ref('police_uk_force_districts') }}

),

crime_types as (

    select * from {{ ref('police_uk_crime_types') }}

),

outcome_categories as (

    select * from {{ ref('police_uk_outcome_categories') }}

),

final as (

    select
        street.crime_id,
        street.period_month,
        street.force_slug,
        forces.force_name,
        forces.region_name,
        case
            when street.has_no_location then 'no_location'
            when force_districts.district_name is not null then 'district'
            else 'outside_force_area'
        end as placement,
        case
            when street.has_no_location then 'No location (' || forces.force_name || ')'
            when force_districts.district_name is not null then force_districts.district_name
            else 'Outside force area (' || forces.force_name || ')'
        end as district_name,
        street.lsoa_district_name,
        street.crime_type,
        crime_types.crime_type_key,
        coalesce(crime_types.is_crime, true) as is_crime,
        street.last_outcome_category,
        coalesce(outcome_categories.outcome_group, 'under_investigation') as outcome_group,
        coalesce(outcome_categories.is_prosecution_possible, false) as is_prosecution_possible

    from street
    inner join forces
        on street.force_slug = forces.force_slug
    left join force_districts
        on street.force_slug = force_districts.force_slug
        and street.lsoa_district_name = force_districts.district_name
    left join crime_types
        on street.crime_type = crime_types.crime_type
    left join outcome_categories
        on street.last_outcome_category = outcome_categories.outcome_category

)

select * from final
