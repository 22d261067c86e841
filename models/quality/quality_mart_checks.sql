-- One row of counts of what must never reach a published figure, for the marts suite: rates
-- outside 0-1, medians not above zero, catalogue measures missing for a month and geography,
-- low samples not flagged or given a word; plus the latest month's CDI compliance and survey n.
with

measure_values as (

    select * from {{ ref('measure_values') }}

),

catalogue as (

    select * from {{ ref('int_measures_catalogued') }}

),

scope as (

    select * from {{ ref('int_measure_scope') }}

),

described as (

    select measure_values.*, catalogue.unit, catalogue.min_n, catalogue.is_volume_basis
    from measure_values
    inner join catalogue
        on measure_values.measure_id = catalogue.measure_id

),

expected as (

    select scope.measure_id, scope.geography_level, scope.geography, scope.period_month, windows.period_window
    from scope
    cross join (values ('month'), ('rolling_3m'), ('rolling_12m')) as windows (period_window)

),

latest as (

    select max(period_month) as period_month from measure_values
    where measure_id in (select measure_id from catalogue where data_source = 'force_extracts')

),

latest_force as (

    select measure_id, value, sample_size
    from measure_values
    where geography_level = 'force' and period_window = 'month'
        and period_month = (select period_month from latest)

),

final as (

    select
        (select period_month from latest) as latest_month,
        -- volume-basis rates (the registry counts their numerator and denominator from different
        -- rows: outcome rates) may pass 100% in a small area and month
        count(*) filter (where unit = 'rate' and not is_volume_basis and (value < 0 or value > 1)) as rates_out_of_range,
        count(*) filter (where unit = 'rate' and is_volume_basis and geography_level = 'force'
                         and period_window = 'rolling_12m' and (value < 0 or value > 1)) as outcome_rates_out_of_range,
        count(*) filter (where unit = 'minutes' and value <= 0) as medians_not_positive,
        (select count(*) from expected anti join measure_values
            using (measure_id, geography_level, geography, period_month, period_window)) as missing_measure_rows,
        count(*) filter (where sample_size < min_n and not is_low_sample) as low_samples_not_flagged,
        count(*) filter (where is_low_sample and (vs_last_year != 'Comparable' or vs_3y_avg != 'Comparable'
                                                  or vs_baseline != 'Comparable')) as low_samples_with_a_word,
        (select value from latest_force where measure_id = 'cdi_compliance') as latest_cdi_compliance,
        (select sample_size from latest_force where measure_id = 'sat_whole__all') as latest_survey_responses

    from described

)

select * from final
