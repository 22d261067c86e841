-- Additive measures for every geography, month and window: components summed up the geography
-- bridge, laid on a complete spine (no events = zero), then summed over each window. A window
-- that reaches back before the first month of data is incomplete and has no value.
-- Population-based rates divide by the population at the window's last month, not a sum.
{%- set windows = reporting_windows() %}

with

components as (

    select * from {{ ref('int_measure_components_monthly') }}

),

bridge as (

    select * from {{ ref('int_geographies_bridged') }}

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

methods as (

    select * from {{ ref('measure_methods') }}
    where window_aggregation != 'median'

),

measures as (

    select * from {{ ref('measures') }}

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

),

geographies as (

    select distinct geography_level, geography from bridge

),

spine as (

    select
        methods.measure_id,
        methods.window_aggregation,
        measures.unit,
        geographies.geography_level,
        geographies.geography,
        months.period_month

    from methods
    inner join measures
        on methods.measure_id = measures.measure_id
    inner join geographies
        on methods.lowest_geography_level = 'district' or geographies.geography_level = 'force'
    cross join months

),

filled as (

    select
        spine.*,
        coalesce(rolled_up.numerator, 0) as numerator,
        case
            when spine.unit = 'count' then null
            when spine.window_aggregation = 'stock_denominator' then rolled_up.denominator
            else coalesce(rolled_up.denominator, 0)
        end as denominator

    from spine
    left join rolled_up
        on spine.measure_id = rolled_up.measure_id
        and spine.geography_level = rolled_up.geography_level
        and spine.geography = rolled_up.geography
        and spine.period_month = rolled_up.period_month

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
        count(*) over recent_{{ window }} = {{ length }} as is_complete_window,
        sum(numerator) over recent_{{ window }} as numerator,
        case
            when window_aggregation = 'stock_denominator' then denominator
            else sum(denominator) over recent_{{ window }}
        end as denominator

    from filled
    window recent_{{ window }} as (
        partition by measure_id, geography_level, geography
        order by period_month
        rows between {{ length - 1 }} preceding and current row
    )
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
            when not is_complete_window then null
            when unit = 'count' then cast(numerator as double)
            else numerator / nullif(denominator, 0)
        end as value,
        cast(case when is_complete_window then numerator end as double) as numerator,
        cast(case when is_complete_window then denominator end as double) as denominator,
        cast(case
            when not is_complete_window then null
            when unit in ('count', 'per_1000') then numerator
            else denominator
        end as double) as sample_size

    from windowed

)

select * from final
