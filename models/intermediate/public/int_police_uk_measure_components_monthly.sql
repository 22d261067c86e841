-- The additive part of the data.police.uk measures by force, district (or bucket) and month.
-- Force-only measures (stop and search, rate per 1,000) carry a null district.
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

measures as (

    select * from {{ ref('public_measures') }}

),

crimes as (

    select * from street where is_crime

),

components as (

    select 'pu_crimes__all' as measure_id, force_name, district_name, period_month, count(*) as numerator, null::double as denominator
    from crimes group by all
    union all
    select 'pu_crimes__' || crime_type_key, force_name, district_name, period_month, count(*), null
    from crimes group by all
    union all
    select 'pu_asb__all', force_name, district_name, period_month, count(*), null
    from street where not is_crime group by all
    union all
    select 'pu_outcome_share__' || groups.outcome_group, crimes.force_name, crimes.district_name, crimes.period_month,
        count(*) filter (where crimes.outcome_group = groups.outcome_group
                         or groups.outcome_group = 'under_investigation' and crimes.outcome_group = 'status_unavailable'),
        count(*)
    from crimes
    cross join (values ('charged'), ('out_of_court'), ('no_suspect_identified'), ('unable_to_prosecute'), ('under_investigation')) as groups (outcome_group)
    group by all
    union all
    select 'pu_crime_rate_per_1000__all', crimes.force_name, null, crimes.period_month, count(*), any_value(forces.population) / 1000.0
    from crimes
    inner join forces
        on crimes.force_slug = forces.force_slug
    group by all
    union all
    select 'pu_stop_searches__all', forces.force_name, null, searches.period_month, count(*), null
    from searches
    inner join forces
        on searches.force_slug = forces.force_slug
    group by all
    union all
    select 'pu_stop_search_linked_share', forces.force_name, null, searches.period_month,
        count(*) filter (where searches.is_outcome_linked), count(*) filter (where searches.is_outcome_linked is not null)
    from searches
    inner join forces
        on searches.force_slug = forces.force_slug
    group by all

),

final as (

    select * from components
    where measure_id in (select measure_id from measures)

)

select * from final
