-- Any window from month rows: the domestic abuse survey's whole-experience rate over the 9 months
-- to December 2019 (the board quotes 81.8%, n = 162).
select
    round(100.0 * sum(numerator) / sum(denominator), 1) as satisfied_pct,
    sum(denominator) as n
from marts.measure_values
where measure_id = 'sat_whole__domestic_abuse'
    and geography_level = 'force'
    and period_window = 'month'
    and period_month between date '2019-04-01' and date '2019-12-01';
