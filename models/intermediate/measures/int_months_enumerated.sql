-- Every month from the first recorded crime to the last full month in the extracts: the spine
-- every window is computed over, so a month with no events is zero, never missing.
with

crimes as (

    select * from {{ ref('stg_force__crimes') }}
    where not is_recorded_in_future
        and {{ is_extracted_by_as_at() }}

),

bounds as (

    select
        min(recorded_month) as first_month,
        max(recorded_month) as last_month

    from crimes

),

final as (

    select cast(period_month as date) as period_month
    from bounds, generate_series(first_month, last_month, interval 1 month) as months (period_month)

)

select * from final
