-- Every re-base applied to a control chart: one row per series and phase that a row of
-- seeds/spc_rebases.csv started, with the reason recorded and the centre line before and after.
with

measure_spc as (

    select * from {{ ref('measure_spc') }}

),

spc_rebases as (

    select * from {{ ref('spc_rebases') }}

),

phases as (

    select
        measure_id,
        geography_level,
        geography,
        phase_start_month,
        count(*) as phase_points,
        -- the phase's settled centre line: the one on its last point
        arg_max(centre_line, period_month) as centre_line

    from measure_spc
    group by all

),

compared as (

    select
        *,
        lag(centre_line) over series_phases as previous_centre_line,
        -- the first phase starts with the series; every later one at a re-base
        row_number() over series_phases > 1 as is_rebased

    from phases
    window series_phases as (partition by measure_id, geography_level, geography order by phase_start_month)

),

reasons as (

    select
        compared.measure_id,
        compared.geography_level,
        compared.geography,
        compared.phase_start_month,
        string_agg(spc_rebases.reason, '; ' order by spc_rebases.reason) as reason

    from compared
    inner join spc_rebases
        on (spc_rebases.measure_id is null or compared.measure_id = spc_rebases.measure_id)
        and (spc_rebases.geography is null or compared.geography = spc_rebases.geography)
        and compared.phase_start_month = spc_rebases.rebase_month
    where compared.is_rebased
    group by all

),

final as (

    select
        compared.measure_id,
        compared.geography_level,
        compared.geography,
        compared.phase_start_month as rebase_month,
        reasons.reason,
        cast(compared.phase_points as integer) as phase_points,
        compared.previous_centre_line,
        compared.centre_line

    from compared
    inner join reasons
        on {{ keys_match('compared', 'reasons', ['measure_id', 'geography_level', 'geography', 'phase_start_month']) }}

)

select * from final
