-- Additive measures for every geography, month and window: components summed up the geography
-- bridge, laid on a complete spine (no events = zero), then summed over each window. A window
-- that reaches back before the first month of data is incomplete and has no value.
-- Each measure starts in its own first month: the first month it has a case (a count or a
-- per-1,000 rate: an event; a rate: a denominator). Before it the measure has no value, and a
-- window reaching back before it is incomplete (a measure introduced later starts then).
-- Population-based rates divide by the population at the window's last month, not a sum.
-- A data.police.uk window that holds an incomplete force-month (int_police_uk_force_months_assessed)
-- is marked incomplete, with the reasons, for the force and each of its districts and buckets. It
-- keeps its value when the month is only far below the force's usual; a month with no file is a
-- gap: it and every window holding it have no value (null, never zero).
{%- set windows = reporting_windows() %}

with

components as (

    select * from {{ ref('int_measure_components_monthly') }}

),

police_uk_components as (

    select * from {{ ref('int_police_uk_measure_components_monthly') }}

),

bridge as (

    select * from {{ ref('int_geographies_bridged') }}

),

police_uk_bridge as (

    select * from {{ ref('int_police_uk_geographies_bridged') }}

),

police_uk_force_months as (

    select * from {{ ref('int_police_uk_force_months_assessed') }}
    where not is_complete

),

police_uk_incomplete as (

    select distinct
        police_uk_bridge.geography_level,
        police_uk_bridge.geography,
        police_uk_force_months.period_month,
        police_uk_force_months.incomplete_reason,
        not police_uk_force_months.has_street_file as is_gap

    from police_uk_force_months
    inner join police_uk_bridge
        on police_uk_force_months.force_slug = police_uk_bridge.force_slug

),

scope as (

    select * from {{ ref('int_measure_scope') }}
    where window_aggregation != 'median'

),

rolled_up as (

    select
        components.measure_id,
        bridge.geography_level,
        bridge.geography,
        components.period_month,
        sum(components.numerator) as numerator,
        sum(components.denominator) as denominator

    from components
    inner join bridge
        on components.district_name = bridge.district_name
    group by all

    union all

    select
        measure_id,
        'force',
        '{{ var("force_name") }}',
        period_month,
        sum(numerator),
        sum(denominator)

    from components
    where district_name is null
    group by all

    union all

    select
        police_uk_components.measure_id,
        police_uk_bridge.geography_level,
        police_uk_bridge.geography,
        police_uk_components.period_month,
        sum(police_uk_components.numerator),
        sum(police_uk_components.denominator)

    from police_uk_components
    inner join police_uk_bridge
        on police_uk_components.force_name = police_uk_bridge.force_name
        and police_uk_components.district_name = police_uk_bridge.district_name
    group by all

    union all

    select
        measure_id,
        'force',
        force_name,
        period_month,
        sum(numerator),
        sum(denominator)

    from police_uk_components
    where district_name is null
    group by all

),

filled as (

    select
        scope.*,
        coalesce(rolled_up.numerator, 0) as numerator,
        case
            when scope.unit = 'count' then null
            -- populations in thousands have three decimals; their sum in floating point depends on
            -- the order rows are added in, so it is rounded to keep every build byte-identical
            when scope.window_aggregation = 'stock_denominator' then round(rolled_up.denominator, 6)
            else coalesce(rolled_up.denominator, 0)
        end as denominator,
        police_uk_incomplete.incomplete_reason,
        coalesce(police_uk_incomplete.is_gap, false) as is_gap,
        case when scope.unit in ('count', 'per_1000') then rolled_up.numerator else rolled_up.denominator end as cases

    from scope
    left join police_uk_incomplete
        on scope.data_source = 'police_uk'
        and scope.geography_level = police_uk_incomplete.geography_level
        and scope.geography = police_uk_incomplete.geography
        and scope.period_month = police_uk_incomplete.period_month
    left join rolled_up
        on scope.measure_id = rolled_up.measure_id
        and scope.geography_level = rolled_up.geography_level
        and scope.geography = rolled_up.geography
        and scope.period_month = rolled_up.period_month

),

dated as (

    select
        *,
        min(case when cases > 0 then period_month end) over (partition by measure_id) as first_month

    from filled

),

windowed as (

    {%- for window, length in windows.items() %}
    select
        measure_id,
        unit,
        geography_level,
        geography,
        period_month,
        '{{ window }}' as period_window,
        first_month,
        {{ window_coverage('recent_' ~ window, length, 'first_month', gap='is_gap') }},
        sum(numerator) over recent_{{ window }} as numerator,
        case
            when window_aggregation = 'stock_denominator' then denominator
            else sum(denominator) over recent_{{ window }}
        end as denominator

    from dated
    {{ trailing_months_window('recent_' ~ window, 'measure_id, geography_level, geography', length) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        case
            when not has_window_value then null
            when unit = 'count' then cast(numerator as double)
            else numerator / nullif(denominator, 0)
        end as value,
        cast(case when has_window_value then numerator end as double) as numerator,
        cast(case when has_window_value then denominator end as double) as denominator,
        cast(case
            when not has_window_value then null
            when unit in ('count', 'per_1000') then numerator
            else denominator
        end as double) as sample_size,
        {{ window_completeness('first_month') }}

    from windowed

)

select * from final
