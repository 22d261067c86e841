-- data.police.uk street records per loaded force and month, on every month from the first to the
-- last loaded (a force-month with no rows is a missing file), with the shares the gate watches:
-- no location, outside the force's area, repeated crime IDs. Empty when no police.uk files are loaded.
with

street as (

    select * from {{ ref('stg_police_uk__street_records') }}

),

placed as (

    select * from {{ ref('int_police_uk_street_placed') }}

),

force_months as (

    select * from {{ ref('int_police_uk_force_months_enumerated') }}

),

counted as (

    select
        force_slug,
        period_month,
        count(*) as rows_loaded,
        count(*) filter (where has_no_location) as no_location_rows,
        count(*) filter (where is_duplicate) as duplicate_rows

    from street
    group by all

),

outside as (

    select force_slug, period_month, count(*) filter (where placement = 'outside_force_area') as outside_force_area_rows
    from placed
    group by all

),

final as (

    select
        force_months.force_slug,
        force_months.period_month,
        coalesce(counted.rows_loaded, 0) as rows_loaded,
        counted.no_location_rows / nullif(counted.rows_loaded, 0) as no_location_share,
        outside.outside_force_area_rows / nullif(counted.rows_loaded, 0) as outside_force_area_share,
        counted.duplicate_rows / nullif(counted.rows_loaded, 0) as duplicate_share

    from force_months
    left join counted
        on force_months.force_slug = counted.force_slug
        and force_months.period_month = counted.period_month
    left join outside
        on force_months.force_slug = outside.force_slug
        and force_months.period_month = outside.period_month

)

select * from final
