-- data.police.uk street records per loaded force and month, on every month from the first to the
-- last loaded (a force-month with no rows is a missing file), with the shares the gate reports and
-- whether the month is complete. Empty when no police.uk files are loaded.
with

assessed as (

    select * from {{ ref('int_police_uk_force_months_assessed') }}

),

final as (

    select
        force_slug,
        force_name,
        is_known_force,
        is_force_area,
        period_month,
        rows_loaded,
        median_month_rows,
        is_complete,
        incomplete_reason,
        no_location_share,
        unknown_lsoa_share,
        outside_force_area_share,
        missing_crime_id_share,
        repeated_crime_id_share,
        reused_crime_id_share,
        unknown_crime_type_share

    from assessed

)

select * from final
