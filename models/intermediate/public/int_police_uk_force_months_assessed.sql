-- Each loaded data.police.uk publisher's months, from the first to the last month loaded, with what
-- the gate reports about them and whether the month is complete. A month is incomplete when the
-- force has no street file for it, or when its rows fall below var('police_uk_min_share_of_median_month')
-- of the force's median month (a truncated or partial file). An incomplete month marks the force's
-- windows that hold it, and every regional and England and Wales figure that would include it; the
-- other forces publish. The shares (no location, unknown LSOA, outside the force area, missing,
-- repeated and reused crime IDs, unknown crime types) are reported, never used to leave rows out.
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

forces as (

    select * from {{ ref('police_uk_forces') }}

),

counted as (

    select
        force_slug,
        period_month,
        count(*) as rows_loaded,
        count(*) filter (where has_missing_crime_id) as missing_crime_id_rows,
        count(*) filter (where is_repeated_crime_id) as repeated_crime_id_rows,
        count(*) filter (where is_reused_crime_id) as reused_crime_id_rows,
        count(*) filter (where has_unknown_crime_type) as unknown_crime_type_rows

    from street
    group by all

),

placements as (

    select
        force_slug,
        period_month,
        count(*) filter (where placement = 'no_location') as no_location_rows,
        count(*) filter (where placement = 'unknown_lsoa') as unknown_lsoa_rows,
        count(*) filter (where placement = 'outside_force_area') as outside_force_area_rows

    from placed
    group by all

),

joined as (

    select
        force_months.force_slug,
        coalesce(forces.force_name, force_months.force_slug) as force_name,
        forces.force_slug is not null as is_known_force,
        coalesce(forces.is_force_area, false) as is_force_area,
        forces.region_name,
        force_months.period_month,
        coalesce(counted.rows_loaded, 0) as rows_loaded,
        counted.missing_crime_id_rows / nullif(counted.rows_loaded, 0) as missing_crime_id_share,
        counted.repeated_crime_id_rows / nullif(counted.rows_loaded, 0) as repeated_crime_id_share,
        counted.reused_crime_id_rows / nullif(counted.rows_loaded, 0) as reused_crime_id_share,
        counted.unknown_crime_type_rows / nullif(counted.rows_loaded, 0) as unknown_crime_type_share,
        placements.no_location_rows / nullif(counted.rows_loaded, 0) as no_location_share,
        placements.unknown_lsoa_rows / nullif(counted.rows_loaded, 0) as unknown_lsoa_share,
        placements.outside_force_area_rows / nullif(counted.rows_loaded, 0) as outside_force_area_share

    from force_months
    left join forces
        on force_months.force_slug = forces.force_slug
    left join counted
        on force_months.force_slug = counted.force_slug
        and force_months.period_month = counted.period_month
    left join placements
        on force_months.force_slug = placements.force_slug
        and force_months.period_month = placements.period_month

),

with_median as (

    select
        *,
        median(nullif(rows_loaded, 0)) over (partition by force_slug) as median_month_rows

    from joined

),

final as (

    select
        *,
        case
            when rows_loaded = 0 then force_name || ' ' || strftime(period_month, '%Y-%m') || ': no street file'
            when rows_loaded < {{ var('police_uk_min_share_of_median_month') }} * median_month_rows
                then force_name || ' ' || strftime(period_month, '%Y-%m') || ': ' || rows_loaded
                    || ' rows, under '
                    || round({{ var('police_uk_min_share_of_median_month') }} * 100)
                    || '% of its median month ('
                    || cast(median_month_rows as bigint) || ')'
        end as incomplete_reason,
        incomplete_reason is null as is_complete,
        rows_loaded > 0 as has_street_file

    from with_median

)

select * from final
