-- Victim satisfaction by question and crime group for the last 12 months, quoted as the board
-- reports do ("77.5% (n = 1,288)"), from the month rows (numerators and denominators add up).
with last_12 as (
    select *
    from marts.victim_satisfaction_by_question
    where geography_level = 'force'
        and period_month
        > (select max(latest.period_month) from marts.victim_satisfaction_by_question as latest) - interval 12 month
)

select
    survey_type,
    crime_group,
    question,
    printf('%.1f%% (n = %,d)', 100.0 * sum(satisfied_responses) / sum(valid_responses), sum(valid_responses)) as satisfied
from last_12
group by all
order by survey_type, crime_group, question;
