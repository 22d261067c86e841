-- Statistical process control of every monthly series (period_window = 'month') in measure_values,
-- for BI tools and the pack: an XmR chart per measure and geography, its centre line and limits
-- set on a baseline, the four rules of NHS England's Making Data Count checked at each point, and
-- the variation called improvement, concern, neither or common cause. docs/measures.md.
-- Limits: centre line = mean of the baseline points; limits = centre +/- 2.66 x their mean moving
-- range (3 sigma); two-sigma lines two thirds of the way out. The series is the months with a
-- whole-window value, in order; a month without one is left out of it.
{%- set baseline_start = var('spc_baseline_start_month') %}
{%- set run_length = var('spc_run_length') | int %}

with

measure_values as (

    select * from {{ ref('int_measure_values_compared') }}
    where period_window = 'month'
        and value is not null
        and is_complete

),

series as (

    select
        measure_id,
        unit,
        polarity,
        geography_level,
        geography,
        period_month,
        value,
        sample_size,
        row_number() over (partition by measure_id, geography_level, geography order by period_month) as point_number

    from measure_values

),

baseline_points as (

    select
        *,
        abs(value - lag(value) over (partition by measure_id, geography_level, geography order by period_month)) as moving_range

    from series
    where period_month >= {{ "date '" ~ baseline_start ~ "'" if baseline_start else "date '0001-01-01'" }}
    qualify row_number() over (partition by measure_id, geography_level, geography order by period_month)
        <= {{ var('spc_baseline_months') }}

),

limits as (

    select
        measure_id,
        geography_level,
        geography,
        min(period_month) as baseline_first_month,
        max(period_month) as baseline_last_month,
        count(*) as baseline_points,
        avg(value) as centre_line,
        avg(moving_range) as average_moving_range

    from baseline_points
    group by all
    having count(*) >= {{ var('spc_min_baseline_points') }}

),

placed as (

    select
        series.*,
        limits.baseline_first_month,
        limits.baseline_last_month,
        limits.baseline_points,
        limits.centre_line,
        limits.average_moving_range,
        limits.centre_line + 2.66 * limits.average_moving_range as upper_limit,
        limits.centre_line - 2.66 * limits.average_moving_range as lower_limit,
        limits.centre_line + 2.66 * limits.average_moving_range * 2 / 3 as upper_two_sigma,
        limits.centre_line - 2.66 * limits.average_moving_range * 2 / 3 as lower_two_sigma,
        sign(series.value - limits.centre_line) as side,
        sign(series.value - lag(series.value) over points) as step

    from series
    left join limits
        on series.measure_id = limits.measure_id
        and series.geography_level = limits.geography_level
        and series.geography = limits.geography
    window points as (partition by series.measure_id, series.geography_level, series.geography order by series.point_number)

),

runs_numbered as (

    -- consecutive points on one side share a run; a point on the centre line (side 0) ends it.
    -- consecutive steps in one direction share a climb; an equal step (0) ends it.
    select
        *,
        point_number
        - row_number() over (partition by measure_id, geography_level, geography, side order by point_number) as side_run,
        point_number
        - row_number() over (partition by measure_id, geography_level, geography, step order by point_number) as step_run,
        value > upper_two_sigma as is_beyond_upper_two_sigma,
        value < lower_two_sigma as is_beyond_lower_two_sigma

    from placed

),

runs_measured as (

    select
        *,
        count(*) over (partition by measure_id, geography_level, geography, side, side_run) as side_run_points,
        count(*) over (partition by measure_id, geography_level, geography, step, step_run) as step_run_steps

    from runs_numbered

),

rules as (

    select
        *,
        value > upper_limit or value < lower_limit as is_outside_limits,
        side != 0 and side_run_points >= {{ run_length }} as is_in_shift,
        -- a run of n rising points is n - 1 rising steps; its first point is the one before the first step
        coalesce(step != 0 and step_run_steps >= {{ run_length - 1 }}, false) as is_trend_end,
        coalesce(lead(step) over points != 0 and lead(step_run_steps) over points >= {{ run_length - 1 }}, false)
            as is_trend_start,
        lead(step) over points as next_step,
        (is_beyond_upper_two_sigma and (
            coalesce(lag(is_beyond_upper_two_sigma, 1) over points, false)
            or coalesce(lag(is_beyond_upper_two_sigma, 2) over points, false)
            or coalesce(lead(is_beyond_upper_two_sigma, 1) over points, false)
            or coalesce(lead(is_beyond_upper_two_sigma, 2) over points, false)
        )) as is_two_of_three_high,
        (is_beyond_lower_two_sigma and (
            coalesce(lag(is_beyond_lower_two_sigma, 1) over points, false)
            or coalesce(lag(is_beyond_lower_two_sigma, 2) over points, false)
            or coalesce(lead(is_beyond_lower_two_sigma, 1) over points, false)
            or coalesce(lead(is_beyond_lower_two_sigma, 2) over points, false)
        )) as is_two_of_three_low

    from runs_measured
    window points as (partition by measure_id, geography_level, geography order by point_number)

),

directed as (

    select
        *,
        is_trend_end or is_trend_start as is_in_trend,
        is_two_of_three_high or is_two_of_three_low as is_two_of_three_beyond_two_sigma,
        -- which way the special cause points, by the first rule that holds in this order
        case
            when value > upper_limit then 'high'
            when value < lower_limit then 'low'
            when is_two_of_three_high then 'high'
            when is_two_of_three_low then 'low'
            when is_in_shift then case when side > 0 then 'high' else 'low' end
            when is_trend_end then case when step > 0 then 'high' else 'low' end
            when is_trend_start then case when next_step > 0 then 'high' else 'low' end
        end as special_cause_direction

    from rules

),

final as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        value,
        sample_size,
        baseline_first_month,
        baseline_last_month,
        cast(baseline_points as integer) as baseline_points,
        coalesce(period_month between baseline_first_month and baseline_last_month, false) as is_baseline,
        centre_line,
        upper_limit,
        lower_limit,
        upper_two_sigma,
        lower_two_sigma,
        case when centre_line is not null then coalesce(is_outside_limits, false) end as is_outside_limits,
        case when centre_line is not null then is_in_shift end as is_in_shift,
        case when centre_line is not null then is_in_trend end as is_in_trend,
        case when centre_line is not null then coalesce(is_two_of_three_beyond_two_sigma, false) end
            as is_two_of_three_beyond_two_sigma,
        special_cause_direction,
        case
            when centre_line is null then null
            when special_cause_direction is null then 'common_cause'
            when unit = 'count' or polarity = 'neutral' then 'neither'
            when (special_cause_direction = 'high') = (polarity = 'higher_is_better') then 'improvement'
            else 'concern'
        end as variation

    from directed

)

select * from final
