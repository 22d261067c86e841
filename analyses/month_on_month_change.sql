-- Month-on-month change of every count at force level for the latest month, largest first.
with months as (
    select
        measure_id,
        period_month,
        value,
        lag(value) over (partition by measure_id order by period_month) as previous_month
    from marts.measure_values
    where geography_level = 'force' and period_window = 'month'
        and measure_id in (
            select measures.measure_id from reference.measures
            where measures.unit = 'count'
        )
)

select
    measure_id,
    period_month,
    value,
    previous_month,
    round(100.0 * (value - previous_month) / nullif(previous_month, 0), 1) as change_pct
from months
where period_month = (select max(latest.period_month) from months as latest)
order by abs(value - previous_month) desc;
