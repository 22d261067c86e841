-- The months each data source covers, every month from its first to its last: the force's
-- extracts (int_months_enumerated), and the data.police.uk street and stop-and-search files
-- loaded (none when not loaded: a measure without data is absent, never shown as zero).
with

force_months as (

    select * from {{ ref('int_months_enumerated') }}

),

street as (

    select * from {{ ref('stg_police_uk__street_records') }}

),

searches as (

    select * from {{ ref('stg_police_uk__stop_and_searches') }}

),

police_uk_bounds as (

    select
        'police_uk' as data_source,
        min(period_month) as first_month,
        max(period_month) as last_month
    from street
    union all
    select
        'police_uk_stop_and_search',
        min(period_month),
        max(period_month)
    from searches

),

final as (

    select
        'force_extracts' as data_source,
        period_month
    from force_months
    union all
    select
        data_source,
        cast(period_month as date)
    from police_uk_bounds, generate_series(first_month, last_month, interval 1 month) as months (period_month)
    where first_month is not null

)

select * from final
