-- One polarity rule for recorded volumes (docs/measures.md, "Polarity"): a count or a rate per
-- 1,000 of recorded crimes, incidents or calls goes Higher or Lower, never Improved or
-- Deteriorated, and its control-chart signals are neither improvement nor concern, whatever the
-- catalogue says a force would like. All recorded crime and recorded crime per 1,000 residents
-- always read alike. Returns the rows that break the rule (none expected).
with

comparisons as (

    select * from {{ ref('int_measure_comparisons') }}

),

measure_spc as (

    select * from {{ ref('measure_spc') }}

),

catalogue as (

    select * from {{ ref('int_measures_catalogued') }}
    where is_recorded_volume

),

worded as (

    select
        comparisons.measure_id,
        comparisons.geography,
        comparisons.period_month,
        comparisons.period_window,
        'word against ' || comparisons.compared_with as found_in,
        comparisons.word as found

    from comparisons
    inner join catalogue
        on comparisons.measure_id = catalogue.measure_id
    where comparisons.word in ('Improved', 'Deteriorated')

),

signalled as (

    select
        measure_spc.measure_id,
        measure_spc.geography,
        measure_spc.period_month,
        'month' as period_window,
        'control chart' as found_in,
        measure_spc.variation as found

    from measure_spc
    inner join catalogue
        on measure_spc.measure_id = catalogue.measure_id
    where measure_spc.variation in ('improvement', 'concern')

),

final as (

    select * from worded
    union all
    select * from signalled

)

select * from final
