-- Statistical process control of every monthly series (period_window = 'month') in measure_values,
-- for BI tools and the pack, as NHS England's Making Data Count reads it (docs/measures.md):
-- - a chart per measure and geography: counts and medians an XmR chart; proportions a Laney p'
--   chart and other rates (volume-basis, per 1,000) a Laney u' chart, whose limits widen for a
--   month with few cases and narrow for one with many;
-- - phases: a series starts a new phase at each re-base an analyst recorded (seeds/spc_rebases.csv,
--   with its reason); each phase's limits rest on its first spc_baseline_months points (while it has
--   fewer, on the points so far: never on a later month), and need spc_min_baseline_points;
-- - the four rules judged at each point from that point and those before it in its phase, never a
--   later one, so a month's row never changes when later months arrive.
-- The series is the months with a whole-window value, in order; a month without one is left out.
-- Incremental: a nightly build rebuilds the rows from the first month whose inputs changed
-- (macros/measure_rebuild.sql) and keeps the rows before it. Of those earlier months it reads only
-- the points a rebuilt row depends on (points_read): the series' first point, and of its latest
-- phase the baseline and the points since its last runs began (a run of points on one side of the
-- centre line, a run of steps in one direction: a rule reads the whole run), found from the rows kept.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_rebuilt_months() }}") }}
{%- set rebuild_from = measure_rebuild_from() %}
{%- set baseline_months = var('spc_baseline_months') | int %}
{%- set min_points = var('spc_min_baseline_points') | int %}
{%- set run_length = var('spc_run_length') | int %}
{%- set series_keys = 'measure_id, geography_level, geography' %}
{%- set phase_keys = ['measure_id', 'geography_level', 'geography', 'phase_start_month'] %}

with

month_values as (

    select * from {{ ref('int_measure_values_described') }}
    where period_window = 'month'
        and value is not null
        -- whole, or with no verdict on it (a value is whole then: measure_values)
        and coalesce(is_complete, true)

),
{%- if rebuild_from is not none %}

kept_points as (

    -- the rows kept from the last build (the months before the first rebuilt)
    select * from {{ this }}
    where not {{ is_rebuilt_month(rebuild_from) }}

),

kept_series as (

    -- each kept point with its series' first month and the start of its series' latest phase
    select
        *,
        min(period_month) over kept_series_points as series_first_month,
        max(phase_start_month) over kept_series_points as last_phase_start_month

    from kept_points
    window kept_series_points as (partition by {{ series_keys }})

),

kept_charted as (

    -- each kept point of a latest phase with limits (a point a rule reads): its side of the centre
    -- line, its step from the charted point before it, and that point's month
    select
        measure_id,
        geography_level,
        geography,
        phase_start_month,
        period_month,
        sign(value - centre_line) as side,
        sign(value - lag(value) over charted_points) as step,
        lag(period_month) over charted_points as previous_month

    from kept_series
    where centre_line is not null
        and phase_start_month = last_phase_start_month
    window charted_points as (partition by {{ series_keys }} order by period_month)

),

kept_runs as (

    -- the side and step of the phase's last kept point, beside each of its points
    select
        *,
        last_value(side) over phase_points as last_side,
        last_value(step) over phase_points as last_step

    from kept_charted
    window phase_points as (
        partition by {{ series_keys }} order by period_month
        rows between unbounded preceding and unbounded following
    )

),

run_starts as (

    -- where the latest phase's last runs are read from: the last point on another side (which ends
    -- the run of sides), and the point before the last with another step (so that its step, which
    -- ends the run of steps, is its own); the phase's start when there is none
    select
        measure_id,
        geography_level,
        geography,
        phase_start_month,
        least(
            coalesce(max(period_month) filter (where side is distinct from last_side), phase_start_month),
            coalesce(max(previous_month) filter (where step is distinct from last_step), phase_start_month)
        ) as read_from_month

    from kept_runs
    group by measure_id, geography_level, geography, phase_start_month

),

points_read as (

    -- the kept points a rebuilt row reads: its series' first point (which its phase is found from),
    -- and of its series' latest phase the baseline and the points from where its last runs are read
    -- (its last two points among them); no point of an earlier phase
    select
        kept_series.measure_id,
        kept_series.geography_level,
        kept_series.geography,
        kept_series.period_month,
        -- its own limits are read only when it is in the last runs (a baseline point before them
        -- is read for the limits it is a member of)
        coalesce(kept_series.period_month >= run_starts.read_from_month, false) as is_limits_read

    from kept_series
    left join run_starts
        on {{ keys_match('kept_series', 'run_starts', phase_keys) }}
    where kept_series.period_month = kept_series.series_first_month
        or (
            kept_series.phase_start_month = kept_series.last_phase_start_month
            and (kept_series.is_baseline or kept_series.period_month >= run_starts.read_from_month)
        )

),

measure_values as (

    select
        *,
        true as is_limits_read
    from month_values
    where {{ is_rebuilt_month(rebuild_from) }}
    union all
    select
        month_values.*,
        points_read.is_limits_read
    from month_values
    inner join points_read
        on {{ keys_match('month_values', 'points_read', ['measure_id', 'geography_level', 'geography', 'period_month']) }}

),
{%- else %}

measure_values as (

    select
        *,
        true as is_limits_read
    from month_values

),
{%- endif %}

spc_rebases as (

    select * from {{ ref('spc_rebases') }}

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
        case
            when significance_test = 'two_proportions' and denominator > 0 then 'p_prime'
            when significance_test in ('count_ratio', 'poisson_rates') and denominator > 0 then 'u_prime'
            else 'xmr'
        end as chart_type,
        -- a point's weight: its cases on a Laney chart (its sigma goes as 1 / sqrt(cases)), 1 on XmR
        case
            when significance_test in ('two_proportions', 'count_ratio', 'poisson_rates') and denominator > 0
                then denominator
            else 1.0
        end as point_weight,
        min(period_month) over (partition by measure_id, geography_level, geography) as series_first_month,
        -- whether the point's own limits are computed (every point but, on an incremental build,
        -- the kept points before the latest phase's last runs: no rebuilt row reads them)
        is_limits_read

    from measure_values

),

phased as (

    -- the phase a point belongs to, named by its first month: the latest re-base recorded for its
    -- measure (or every measure) and geography (or every geography) at or before its month and
    -- after the series' first; else the series' first month
    select
        series.*,
        coalesce(max(spc_rebases.rebase_month), any_value(series.series_first_month)) as phase_start_month

    from series
    left join spc_rebases
        on (spc_rebases.measure_id is null or series.measure_id = spc_rebases.measure_id)
        and (spc_rebases.geography is null or series.geography = spc_rebases.geography)
        and series.period_month >= spc_rebases.rebase_month
        and series.series_first_month < spc_rebases.rebase_month
    group by all

),

numbered as (

    select
        *,
        row_number() over (partition by {{ series_keys }}, phase_start_month order by period_month) as phase_point,
        least(
            row_number() over (partition by {{ series_keys }}, phase_start_month order by period_month),
            {{ baseline_months }}
        ) as baseline_points

    from phased

),

baseline_members as (

    -- each baseline a point's limits can rest on (its phase's first 1, 2, ... spc_baseline_months
    -- points) with the points in it
    select
        baselines.measure_id,
        baselines.geography_level,
        baselines.geography,
        baselines.phase_start_month,
        baselines.baseline_points,
        members.phase_point,
        members.period_month,
        members.value,
        members.point_weight

    from numbered as baselines
    inner join numbered as members
        on {{ keys_match('baselines', 'members', phase_keys) }}
        and baselines.baseline_points >= members.phase_point
    where baselines.phase_point <= {{ baseline_months }}
        and baselines.baseline_points >= {{ min_points }}
        -- the whole baseline, which every later point of the phase rests on, or a point's own
        and (baselines.phase_point = {{ baseline_months }} or baselines.is_limits_read)

),

baseline_centres as (

    select
        measure_id,
        geography_level,
        geography,
        phase_start_month,
        baseline_points,
        min(period_month) as baseline_first_month,
        max(period_month) as baseline_last_month,
        -- summed in the points' order: the same sum to the last bit in every build
        sum(value * point_weight order by phase_point) / sum(point_weight order by phase_point) as centre_line

    from baseline_members
    group by all

),

baseline_deviations as (

    -- each baseline point's standardised distance from the centre (Laney's z; on XmR the distance)
    select
        baseline_members.*,
        baseline_centres.centre_line,
        (baseline_members.value - baseline_centres.centre_line) * sqrt(baseline_members.point_weight) as deviation

    from baseline_members
    inner join baseline_centres
        on {{ keys_match('baseline_members', 'baseline_centres', phase_keys + ['baseline_points']) }}

),

baseline_moving_ranges as (

    select
        *,
        abs(deviation - lag(deviation) over (
            partition by {{ series_keys }}, phase_start_month, baseline_points order by phase_point
        )) as moving_range

    from baseline_deviations

),

limits as (

    -- sigma of one unit of weight: the mean moving range over 1.128 (d2 for ranges of two points)
    select
        baseline_centres.*,
        avg(baseline_moving_ranges.moving_range order by baseline_moving_ranges.phase_point) / 1.128 as unit_sigma

    from baseline_centres
    inner join baseline_moving_ranges
        on {{ keys_match('baseline_centres', 'baseline_moving_ranges', phase_keys + ['baseline_points']) }}
    group by all

),

placed as (

    -- a series whose baseline never moves (a zero moving range) has no limits: every change would
    -- be "special"
    select
        numbered.*,
        limits.baseline_first_month,
        limits.baseline_last_month,
        limits.centre_line,
        limits.centre_line + 3 * (limits.unit_sigma / sqrt(numbered.point_weight)) as upper_limit,
        limits.centre_line - 3 * (limits.unit_sigma / sqrt(numbered.point_weight)) as lower_limit,
        limits.centre_line + 2 * (limits.unit_sigma / sqrt(numbered.point_weight)) as upper_two_sigma,
        limits.centre_line - 2 * (limits.unit_sigma / sqrt(numbered.point_weight)) as lower_two_sigma

    from numbered
    left join limits
        on {{ keys_match('numbered', 'limits', phase_keys + ['baseline_points']) }}
        and limits.unit_sigma > 0

),

charted as (

    select
        *,
        sign(value - centre_line) as side,
        case
            when value > upper_two_sigma then 1
            when value < lower_two_sigma then -1
            else 0
        end as two_sigma_side,
        -- the points a rule reads: those with limits, in their phase
        row_number() over (
            partition by {{ series_keys }}, phase_start_month, centre_line is not null order by period_month
        ) as charted_point

    from placed

),

stepped as (

    select
        *,
        sign(value - lag(value) over charted_points) as step,
        lag(two_sigma_side, 1) over charted_points as previous_two_sigma_side,
        lag(two_sigma_side, 2) over charted_points as second_previous_two_sigma_side

    from charted
    where centre_line is not null
    window charted_points as (partition by {{ series_keys }}, phase_start_month order by charted_point)

),

runs_numbered as (

    -- consecutive points on one side share a run; a point on the centre line (side 0) ends it.
    -- consecutive steps in one direction share a climb; an equal step (0) ends it.
    select
        *,
        charted_point
        - row_number() over (partition by {{ series_keys }}, phase_start_month, side order by charted_point) as side_run,
        charted_point
        - row_number() over (partition by {{ series_keys }}, phase_start_month, step order by charted_point) as step_run

    from stepped

),

runs_measured as (

    -- how long the run is up to this point (never counting a later one)
    select
        *,
        row_number() over (
            partition by {{ series_keys }}, phase_start_month, side, side_run order by charted_point
        ) as side_run_points,
        row_number() over (
            partition by {{ series_keys }}, phase_start_month, step, step_run order by charted_point
        ) as step_run_steps

    from runs_numbered

),

rules as (

    select
        *,
        value > upper_limit or value < lower_limit as is_outside_limits,
        side != 0 and side_run_points >= {{ run_length }} as is_in_shift,
        -- a run of n rising points is n - 1 rising steps
        coalesce(step != 0 and step_run_steps >= {{ run_length - 1 }}, false) as is_in_trend,
        two_sigma_side != 0 and (
            two_sigma_side = coalesce(previous_two_sigma_side, 0)
            or two_sigma_side = coalesce(second_previous_two_sigma_side, 0)
        ) as is_two_of_three_beyond_two_sigma

    from runs_measured

),

judged as (

    -- the first rule that holds, in the order limits, two of three, shift, trend, names the special
    -- cause and its direction
    select
        *,
        case
            when is_outside_limits then 'outside_limits'
            when is_two_of_three_beyond_two_sigma then 'two_of_three_beyond_two_sigma'
            when is_in_shift then 'shift'
            when is_in_trend then 'trend'
        end as special_cause_rule,
        case
            when is_outside_limits or is_two_of_three_beyond_two_sigma or is_in_shift
                then case when side > 0 then 'high' else 'low' end
            when is_in_trend then case when step > 0 then 'high' else 'low' end
        end as special_cause_direction

    from rules

),

final as (

    select
        placed.measure_id,
        placed.geography_level,
        placed.geography,
        placed.period_month,
        placed.value,
        placed.sample_size,
        placed.baseline_first_month,
        placed.baseline_last_month,
        cast(placed.baseline_points as integer) as baseline_points,
        placed.phase_point <= {{ baseline_months }} as is_baseline,
        placed.centre_line,
        placed.upper_limit,
        placed.lower_limit,
        placed.upper_two_sigma,
        placed.lower_two_sigma,
        judged.is_outside_limits,
        judged.is_in_shift,
        judged.is_in_trend,
        judged.is_two_of_three_beyond_two_sigma,
        judged.special_cause_direction,
        case
            when placed.centre_line is null then null
            when judged.special_cause_direction is null then 'common_cause'
            when placed.polarity = 'neutral' then 'neither'
            when (judged.special_cause_direction = 'high') = (placed.polarity = 'higher_is_better') then 'improvement'
            else 'concern'
        end as variation,
        placed.chart_type,
        placed.phase_start_month,
        judged.special_cause_rule

    from placed
    left join judged
        on {{ keys_match('placed', 'judged', ['measure_id', 'geography_level', 'geography', 'period_month']) }}
    where {{ is_rebuilt_month(rebuild_from, 'placed.period_month') }}

)

select * from final
