{#- Crime groups the catalogue's crimes__<group> and ppo_rate__<group> measures are built for:
    the condition on int_crimes_classified that puts a crime in the group. -#}
{% macro crime_group_conditions() -%}
    {{ return({
        'all': 'true',
        'victim_based': 'is_victim_based',
        'domestic_abuse': 'is_domestic_abuse',
        'child_sexual_abuse': 'is_child_sexual_abuse',
        'serious_sexual': 'is_serious_sexual',
        'rape': 'is_rape',
        'violence_with_injury': 'is_violence_with_injury',
        'robbery': 'is_robbery',
        'burglary_dwelling': 'is_dwelling_burglary',
        'hate': 'is_hate_crime',
        'knife': 'has_sharp_instrument',
        'possession_of_weapons': 'is_possession_of_weapons',
        'drugs': 'is_drugs',
    }) }}
{%- endmacro %}

{#- The reporting windows: name and number of months ending in the period month. -#}
{% macro reporting_windows() -%}
    {{ return({'month': 1, 'rolling_3m': 3, 'rolling_12m': 12}) }}
{%- endmacro %}

{#- The comparisons each measure value is shown and tested against, each defined here once: the
    column its compared figure goes in (measure_values), the column of its word, and the windows it
    pools, each a number of months back or 'year_end' (the March that closed the previous financial
    year). Two or more windows pool: their events over their cases (a count: the mean of them; a
    median: the mean of the medians), null unless every one is there. A new comparison is one entry
    here and its two columns in measure_values' contract. -#}
{% macro measure_comparisons() -%}
    {{ return({
        'last_year': {'shown': 'same_month_last_year', 'word': 'vs_last_year', 'windows': [12]},
        'prev_3y': {'shown': 'avg_same_month_prev_3y', 'word': 'vs_3y_avg', 'windows': [12, 24, 36]},
        'baseline': {'shown': 'baseline', 'word': 'vs_baseline', 'windows': ['year_end']},
    }) }}
{%- endmacro %}

{#- The month a comparison window ends in, for a value of month_column: months_back months
    back, or the year-end when months_back is null (comparison_windows_rows). -#}
{% macro comparison_window_month(month_column, months_back) -%}
    case
        when ({{ months_back }}) is null then {{ previous_year_end_month(month_column) }}
        else cast({{ month_column }} - to_months({{ months_back }}) as date)
    end
{%- endmacro %}

{#- Every comparison as a row (comparison, compared_with, windows_pooled, months_back_1,
    months_back_2, ...: one per window slot up to most_comparison_windows(), null past its own
    windows and for the year-end), for a CTE to join on (measure_comparisons). -#}
{% macro comparison_windows_rows() -%}
    {%- set slots = range(1, most_comparison_windows() + 1) %}
    {%- set rows = [] %}
    {%- for comparison, definition in measure_comparisons().items() %}
    {%- set months_back = [] %}
    {%- for slot in slots %}
    {%- set window = definition.windows[slot - 1] if slot <= definition.windows | length else none %}
    {%- do months_back.append('cast(null as integer)' if window in (none, 'year_end') else window | string) %}
    {%- endfor %}
    {%- do rows.append("('%s', '%s', %d, %s)" | format(
        comparison, definition.shown, definition.windows | length, months_back | join(', ')
    )) %}
    {%- endfor %}
    select * from (values
        {{ rows | join(',\n        ') }}
    ) as comparison_windows (comparison, compared_with, windows_pooled
    {%- for slot in slots %}, months_back_{{ slot }}{% endfor %})
{%- endmacro %}

{#- The most windows any comparison pools (measure_comparisons). -#}
{% macro most_comparison_windows() -%}
    {%- set counts = [] %}
    {%- for definition in measure_comparisons().values() %}{% do counts.append(definition.windows | length) %}{% endfor %}
    {{ return(counts | max) }}
{%- endmacro %}

{#- How many months before a value's month its comparisons read: the furthest window back (the
    year-end is at most 12 months back), plus the months of the longest reporting window before the
    window's end (the median test reads each month's counts). -#}
{% macro comparison_reach_months() -%}
    {%- set backs = [12] %}
    {%- for definition in measure_comparisons().values() %}
    {%- for window in definition.windows if window != 'year_end' %}{% do backs.append(window | int) %}{% endfor %}
    {%- endfor %}
    {{ return(backs | max + reporting_windows().values() | max - 1) }}
{%- endmacro %}

{#- A comparison's column over its windows, from the column of each window slot (<column>_1,
    <column>_2, ...: windows_pooled of them) joined by operator ('+' a total, 'and' whether every
    window is): in window order, so a pooled figure is the same to the last bit however the rows
    arrived; null when a window has none. -#}
{% macro windows_total(column, operator='+') -%}
    case windows_pooled
        {%- for windows in range(1, most_comparison_windows() + 1) %}
        when {{ windows }} then {% for window in range(1, windows + 1) %}{{ (' ' ~ operator ~ ' ') if not loop.first }}{{ column }}_{{ window }}{% endfor %}
        {%- endfor %}
    end
{%- endmacro %}

{#- The reporting windows as rows (period_window, months_in_window), for a CTE to join on. -#}
{% macro reporting_windows_rows() -%}
    select * from (values
        {%- for window, length in reporting_windows().items() %}
        ('{{ window }}', {{ length }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as windows (period_window, months_in_window)
{%- endmacro %}

{#- The year-end benchmark month: the March that closed the previous financial year
    (April 2019 to March 2020 all compare with March 2019). -#}
{% macro previous_year_end_month(month_column) -%}
    make_date(cast(year({{ month_column }}) - case when month({{ month_column }}) <= 3 then 1 else 0 end as integer), 3, 1)
{%- endmacro %}

{#- Grouping sets that give the force, each area and each district in one aggregation, for
    measures that cannot be summed up the geography bridge (medians). keys: the other group-by
    columns. -#}
{% macro geography_grouping_sets(keys) -%}
    grouping sets (
        ({{ keys | join(', ') }}, area_name, district_name),
        ({{ keys | join(', ') }}, area_name),
        ({{ keys | join(', ') }})
    )
{%- endmacro %}

{#- Join condition: the two relations agree on every one of the key columns. -#}
{% macro keys_match(left, right, keys) -%}
    {%- for key in keys %}{{ ' and ' if not loop.first }}{{ left }}.{{ key }} = {{ right }}.{{ key }}{% endfor -%}
{%- endmacro %}

{#- geography_level and geography of a row aggregated with geography_grouping_sets. -#}
{% macro geography_of_grouping_set() -%}
    case
        when grouping(district_name) = 0 then 'district'
        when grouping(area_name) = 0 then 'area'
        else 'force'
    end as geography_level,
    coalesce(district_name, area_name, '{{ var("force_name") }}') as geography
{%- endmacro %}

{#- A response time's band, for finding a median in two steps: the band holding the middle case,
    then the second within it. Whole minutes up to two hours, ten minutes up to twenty hours, hours
    beyond (a long tail of few cases); never decreasing as the seconds grow, so bands sort as their
    seconds do. Pinned by the unit tests on int_response_medians_windowed. -#}
{% macro response_time_band(seconds) -%}
    case
        when {{ seconds }} < 7200 then {{ seconds }} // 60
        when {{ seconds }} < 72000 then {{ seconds }} // 600 + 108
        else {{ seconds }} // 3600 + 208
    end
{%- endmacro %}

{#- Over a window of a complete spine of months: whether it spans its full length (and, given the
    column holding the measure's first month, starts no earlier than it), whether it holds a month
    with no data at all (gap: the column true for such a month, e.g. a missing file), and the
    reasons of the incomplete months in it (null when none). The input carries incomplete_reason per
    month. A window with a value is one that spans its length and holds no gap (has_window_value):
    a gap is unknown, never zero, so no sum over it is shown. -#}
{% macro window_coverage(window, length, first_month=none, gap=none) -%}
    count(*) over {{ window }} = {{ length }}
    {%- if first_month %}
        and period_month >= coalesce({{ first_month }}, date '9999-12-01') + to_months({{ length - 1 }})
    {%- endif %} as is_complete_window,
    {% if gap -%}
    coalesce(bool_or({{ gap }}) over {{ window }}, false)
    {%- else -%}
    false
    {%- endif %} as has_gap_month,
    is_complete_window and not has_gap_month as has_window_value,
    string_agg(incomplete_reason, '; ' order by period_month) over {{ window }} as incomplete_months
{%- endmacro %}

{#- is_complete and incomplete_reason of a window, from window_coverage's columns: a window reaching
    back before the first month of data, or holding an incomplete month, is incomplete. first_month:
    the column holding the measure's own first month, named in the reason when given. -#}
{% macro window_completeness(first_month=none) -%}
    is_complete_window and incomplete_months is null as is_complete,
    case
        when not is_complete_window then 'the window reaches back before the first month of data'
            {%- if first_month %}
            || coalesce(' for this measure (' || strftime({{ first_month }}, '%Y-%m') || ')', ' (this measure has none)')
            {%- endif %}
        else incomplete_months
    end as incomplete_reason
{%- endmacro %}

{#- The window of the `length` months ending in each row's period_month (over a complete spine). -#}
{% macro trailing_months_window(name, partition_by, length) -%}
    window {{ name }} as (
        partition by {{ partition_by }}
        order by period_month
        rows between {{ length - 1 }} preceding and current row
    )
{%- endmacro %}
