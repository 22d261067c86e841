-- The additive part of the data.police.uk measures by force, district (or bucket) and month.
-- Force-only measures (stop and search) and force-only publishers carry a null district. The rate
-- per 1,000 is laid on every district of the force and every month loaded, so that each district
-- brings its mid-2023 population whether or not it had a crime that month (buckets bring none: their
-- rate has no denominator); the force's denominator is the sum, its force area's population.
with

street as (

    select * from {{ ref('int_police_uk_street_placed') }}

),

searches as (

    select * from {{ ref('stg_police_uk__stop_and_searches') }}
    where not has_unreadable_date

),

forces as (

    select * from {{ ref('police_uk_forces') }}

),

districts as (

    select * from {{ ref('ons_districts') }}

),

bridge as (

    select * from {{ ref('int_police_uk_geographies_bridged') }}

),

force_months as (

    select * from {{ ref('int_police_uk_force_months_enumerated') }}

),

measures as (

    select * from {{ ref('public_measures') }}

),

crimes as (

    select * from street
    where is_crime

),

district_months as (

    select distinct
        force_months.force_slug,
        bridge.force_name,
        bridge.district_name,
        force_months.period_month
    from force_months
    inner join bridge
        on force_months.force_slug = bridge.force_slug
    where bridge.district_name is not null

),

district_crimes as (

    select
        force_slug,
        district_name,
        period_month,
        count(*) as crimes
    from crimes
    where district_name is not null
    group by all

),

district_rates as (

    select
        district_months.force_name,
        district_months.district_name,
        district_months.period_month,
        coalesce(district_crimes.crimes, 0) as crimes,
        -- null for a bucket (No location, Outside force area, Unknown LSOA): no population, no rate
        districts.population_mid2023 / 1000.0 as population_thousands

    from district_months
    left join district_crimes
        on district_months.force_slug = district_crimes.force_slug
        and district_months.district_name = district_crimes.district_name
        and district_months.period_month = district_crimes.period_month
    left join districts
        on district_months.district_name = districts.district_name

),

named_searches as (

    select
        searches.*,
        coalesce(forces.force_name, searches.force_slug) as force_name
    from searches
    left join forces
        on searches.force_slug = forces.force_slug

),

components as (

    select
        'pu_crimes__all' as measure_id,
        force_name,
        district_name,
        period_month,
        count(*) as numerator,
        null::double as denominator
    from crimes
    group by all
    union all
    select
        'pu_crimes__' || crime_type_key,
        force_name,
        district_name,
        period_month,
        count(*),
        null
    from crimes
    group by all
    union all
    select
        'pu_asb__all',
        force_name,
        district_name,
        period_month,
        count(*),
        null
    from street
    where not is_crime
    group by all
    union all
    select
        'pu_outcome_share__' || groups.outcome_group,
        crimes.force_name,
        crimes.district_name,
        crimes.period_month,
        count(
            *) filter (
            where crimes.outcome_group = groups.outcome_group
            or groups.outcome_group = 'under_investigation' and crimes.outcome_group = 'status_unavailable'
        ),
        count(*)
    from crimes
    cross join
        (values ('charged'), ('out_of_court'), ('no_suspect_identified'), ('unable_to_prosecute'), ('under_investigation'))
            as groups (outcome_group)
    group by all
    union all
    select
        'pu_crime_rate_per_1000__all',
        force_name,
        district_name,
        period_month,
        crimes,
        population_thousands
    from district_rates
    union all
    select
        'pu_crime_rate_per_1000__all',
        force_name,
        null,
        period_month,
        count(*),
        null
    from crimes
    where district_name is null
    group by all
    union all
    select
        'pu_stop_searches__all',
        force_name,
        null,
        period_month,
        count(*),
        null
    from named_searches
    group by all
    union all
    select
        'pu_stop_search_linked_share',
        force_name,
        null,
        period_month,
        count(*) filter (where is_outcome_linked),
        count(*) filter (where is_outcome_linked is not null)
    from named_searches
    group by all

),

final as (

    select * from components
    where measure_id in (select measures.measure_id from measures)

)

select * from final
