-- Each loaded data.police.uk publisher's crimes (anti-social behaviour apart) for every month and
-- window (the month, rolling 12 months), on the spine of months loaded: a window is complete only
-- when it spans months loaded and every month in it is complete (int_police_uk_force_months_assessed);
-- otherwise it says why it is incomplete. It keeps its count when every month in it has a file (a
-- month far below the force's usual is counted, and marked); a window holding a month with no file,
-- or reaching back before the first month loaded, has no count: a missing month is unknown, not zero.
with

placed as (

    select * from {{ ref('int_police_uk_street_placed') }}
    where is_crime

),

assessed as (

    select * from {{ ref('int_police_uk_force_months_assessed') }}

),

forces as (

    select * from {{ ref('police_uk_forces') }}

),

monthly as (

    select
        force_slug,
        period_month,
        count(*) as crimes
    from placed
    group by all

),

filled as (

    select
        assessed.force_slug,
        assessed.force_name,
        assessed.is_force_area,
        assessed.region_name,
        forces.population_mid2023,
        assessed.period_month,
        coalesce(monthly.crimes, 0) as crimes,
        assessed.incomplete_reason,
        not assessed.has_street_file as is_gap

    from assessed
    left join forces
        on assessed.force_slug = forces.force_slug
    left join monthly
        on assessed.force_slug = monthly.force_slug
        and assessed.period_month = monthly.period_month

),

windowed as (

    {#- the windows the national context prints, of the reporting windows (macros/measures.sql) #}
    {%- for window, length in reporting_windows().items() if window in ('month', 'rolling_12m') %}
    select
        force_slug,
        force_name,
        is_force_area,
        region_name,
        population_mid2023,
        period_month,
        '{{ window }}' as period_window,
        {{ window_coverage('recent_' ~ window, length, gap='is_gap') }},
        sum(crimes) over recent_{{ window }} as crimes

    from filled
    {{ trailing_months_window('recent_' ~ window, 'force_slug', length) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        force_slug,
        force_name,
        is_force_area,
        region_name,
        population_mid2023,
        period_month,
        period_window,
        cast(case when has_window_value then crimes end as bigint) as crimes,
        {{ window_completeness() }}

    from windowed

)

select * from final
