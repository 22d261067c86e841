-- Every measure x geography x month the warehouse reports: each measure over its data source's
-- months, for its data source's geographies (the force only, or also areas and districts). The
-- spine the windows are laid on, and what the quality gate expects to find.
with

catalogue as (

    select * from {{ ref('int_measures_catalogued') }}

),

months as (

    select * from {{ ref('int_source_months_enumerated') }}

),

force_bridge as (

    select * from {{ ref('int_geographies_bridged') }}

),

police_uk_bridge as (

    select * from {{ ref('int_police_uk_geographies_bridged') }}

),

police_uk_forces_loaded as (

    select distinct
        'police_uk' as data_source,
        force_slug
    from {{ ref('stg_police_uk__street_records') }}
    union all
    select distinct
        'police_uk_stop_and_search',
        force_slug
    from {{ ref('stg_police_uk__stop_and_searches') }}

),

geographies as (

    select distinct
        'force_extracts' as data_source,
        geography_level,
        geography
    from force_bridge
    union all
    select distinct
        police_uk_forces_loaded.data_source,
        police_uk_bridge.geography_level,
        police_uk_bridge.geography
    from police_uk_bridge
    inner join police_uk_forces_loaded
        on police_uk_bridge.force_slug = police_uk_forces_loaded.force_slug

),

final as (

    select
        catalogue.measure_id,
        catalogue.data_source,
        catalogue.unit,
        catalogue.window_aggregation,
        geographies.geography_level,
        geographies.geography,
        months.period_month

    from catalogue
    inner join geographies
        on catalogue.data_source = geographies.data_source
        and (catalogue.lowest_geography_level = 'district' or geographies.geography_level = 'force')
    inner join months
        on catalogue.data_source = months.data_source

)

select * from final
