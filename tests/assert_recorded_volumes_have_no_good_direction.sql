-- One polarity rule for recorded volumes (docs/measures.md, "Polarity"): a count or a rate per
-- 1,000 of recorded crimes, incidents or calls goes Higher or Lower, never Improved or
-- Deteriorated, and its control-chart signals are neither improvement nor concern, whatever the
-- catalogue says a force would like. All recorded crime and recorded crime per 1,000 residents
-- always read alike. Returns the rows that break the rule (none expected).
with

measure_values as (

    select * from {{ ref('measure_values') }}

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
        measure_values.measure_id,
        measure_values.geography,
        measure_values.period_month,
        measure_values.period_window,
        'word' as found_in,
        concat_ws(', ', measure_values.vs_last_year, measure_values.vs_3y_avg, measure_values.vs_baseline) as found

    from measure_values
    inner join catalogue
        on measure_values.measure_id = catalogue.measure_id
    where 'Improved' in (measure_values.vs_last_year, measure_values.vs_3y_avg, measure_values.vs_baseline)
        or 'Deteriorated' in (measure_values.vs_last_year, measure_values.vs_3y_avg, measure_values.vs_baseline)

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
