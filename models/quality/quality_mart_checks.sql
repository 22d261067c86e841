-- One row of counts of what must never reach a published figure, for the marts suite: rates
-- outside 0-1, medians not above zero, catalogue measures missing for a month and geography,
-- low samples not flagged or given a word; plus the latest month's CDI compliance and survey n.
with

measure_values as (

    select * from {{ ref('measure_values') }}

),

measures as (

    select * from {{ ref('measures') }}

),

methods as (

    select * from {{ ref('measure_methods') }}

),

described as (

    select measure_values.*, measures.unit, measures.min_n
    from measure_values
    inner join measures
        on measure_values.measure_id = measures.measure_id

),

expected as (

    select methods.measure_id, places.geography_level, places.geography, months.period_month, windows.period_window
    from methods
    inner join (select distinct geography_level, geography from measure_values) as places
        on methods.lowest_geography_level = 'district' or places.geography_level = 'force'
    cross join (select distinct period_month from measure_values) as months
    cross join (values ('month'), ('rolling_3m'), ('rolling_12m')) as windows (period_window)

),

latest as (

    select max(period_month) as period_month from measure_values

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
        -- prosecution possible outcome rates (volume basis) may pass 100% in a small area and month
        count(*) filter (where unit = 'rate' and not starts_with(measure_id, 'ppo_rate') and (value < 0 or value > 1)) as rates_out_of_range,
        count(*) filter (where unit = 'rate' and starts_with(measure_id, 'ppo_rate') and geography_level = 'force'
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
