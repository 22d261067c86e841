-- A district's rolling 12 month prosecution possible outcome rate, with n and the year-end
-- benchmark, month by month (here: dwelling burglary in Peterborough).
select
    period_month,
    round(value * 100, 1) as outcome_rate_pct,
    denominator as crimes_recorded,
    round(baseline * 100, 1) as year_end_pct,
    vs_baseline
from marts.measure_values
where measure_id = 'ppo_rate__burglary_dwelling'
    and geography = 'Peterborough'
    and period_window = 'rolling_12m'
order by period_month desc
limit 24;
