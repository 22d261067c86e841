-- Re-bases the warehouse proposes for an analyst to review, never applies: each sustained shift in a
-- control chart, a run of spc_rebase_proposal_run_length points in a row on one side of its phase's
-- centre line. Accepting one is a row in seeds/spc_rebases.csv with the reason the process changed;
-- until then the chart keeps its limits and the run shows as a shift (docs/measures.md).
{%- set proposal_run_length = var('spc_rebase_proposal_run_length') | int %}

with

measure_spc as (

    select * from {{ ref('measure_spc') }}
    where centre_line is not null

),

sided as (

    select
        *,
        sign(value - centre_line) as side,
        row_number() over (partition by measure_id, geography_level, geography, phase_start_month order by period_month)
            as charted_point

    from measure_spc

),

runs as (

    select
        *,
        charted_point
        - row_number() over (
            partition by measure_id, geography_level, geography, phase_start_month, side order by period_month
        ) as side_run

    from sided
    where side != 0

),

runs_measured as (

    select
        *,
        row_number() over run_points as run_point,
        min(period_month) over run_points as run_first_month,
        avg(value) over run_points as run_mean

    from runs
    window run_points as (
        partition by measure_id, geography_level, geography, phase_start_month, side, side_run order by period_month
    )

),

final as (

    select
        measure_id,
        geography_level,
        geography,
        run_first_month as proposed_rebase_month,
        period_month as confirmed_month,
        phase_start_month,
        case when side > 0 then 'high' else 'low' end as shift_direction,
        centre_line,
        run_mean as run_mean_value

    from runs_measured
    where run_point = {{ proposal_run_length }}

)

select * from final
