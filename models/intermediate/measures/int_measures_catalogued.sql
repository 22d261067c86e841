-- The whole measure catalogue: the force's (seeds/measures.csv, the shared catalogue) and the
-- measures the public data.police.uk files support (seeds/public_measures.csv), with the data
-- source each is built from and the project's method choices.
with

force_measures as (

    select * from {{ ref('measures') }}

),

public_measures as (

    select * from {{ ref('public_measures') }}

),

methods as (

    select * from {{ ref('measure_registry') }}

),

catalogue as (

    select
        *,
        'force_extracts' as data_source
    from force_measures
    union all by name
    select * from public_measures

),

final as (

    select
        catalogue.*,
        methods.window_aggregation,
        methods.significance_test,
        methods.lowest_geography_level,
        methods.month_basis,
        methods.counted_from,
        methods.denominator_from,
        methods.quality_extract,
        -- a rate whose numerator and denominator count different rows (outcomes in a month over
        -- crimes recorded in it): not a proportion of one population, so it may pass 100%
        coalesce(catalogue.unit = 'rate' and methods.counted_from != methods.denominator_from, false) as is_volume_basis,
        -- a count, or rate per 1,000 residents, of what the public reports and the police record
        -- (crimes, incidents, calls): a rise may be more reporting or better recording as much as
        -- more harm (ONS, HMICFRS), so its words say Higher or Lower whatever its polarity
        catalogue.unit in ('count', 'per_1000')
        and list_contains({{ var('recorded_volume_sources') }}, methods.counted_from) as is_recorded_volume,
        case when is_recorded_volume then 'neutral' else catalogue.polarity end as word_polarity,
        coalesce(methods.is_strategic, false) as is_strategic

    from catalogue
    inner join methods
        on catalogue.measure_id = methods.measure_id

)

select * from final
