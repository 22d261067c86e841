-- Every loaded police.uk force with every month from the first to the last loaded: the spine
-- on which a force-month with no street rows shows as zero (a missing file), never as absent.
with

street as (

    select * from {{ ref('stg_police_uk__street_records') }}

),

months as (

    select * from {{ ref('int_source_months_enumerated') }}
    where data_source = 'police_uk'

),

forces as (

    select distinct force_slug from street

),

final as (

    select
        forces.force_slug,
        months.period_month
    from forces
    cross join months

)

select * from final
