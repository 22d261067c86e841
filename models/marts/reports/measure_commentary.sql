-- Commentary in the board reports' register, written from the figures: one row per rule that
-- fires for a measure, geography and month, with its sentence and every figure the sentence
-- cites. When each rule fires, its rank, whether it is a headline and its wording are all in
-- seeds/commentary_rules.csv (docs/commentary.md). The month's headlines are its rows with a
-- headline_rank, in tiers (headline_tier): every significant change in a strategic measure of the
-- force (or its highest or lowest month over the longest span a rule looks back) first, then one
-- lead for each strategic measure without one (its best headline, or its rolling 12 months against
-- a year before), then the best-ranked headline rule of each other measure and geography (the
-- force's first, the rule ranks taking turns: each rank's strongest, then each rank's second ...).
-- Never on a low sample. The pack (scripts/pack.py) prints tiers 1
-- and 2 whole and the first of tier 3.
-- Incremental: a nightly build rebuilds the rows from the first month whose inputs changed
-- (macros/measure_rebuild.sql), reading of the months before it only what a rebuilt month looks back
-- to: the figures of the 35 months before it (the longest span a high or low is judged over) and,
-- of each comparison a rule compares with, its last run of one word (a streak counts the whole run).
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_rebuilt_months() }}") }}
{%- set rebuild_from = measure_rebuild_from() %}
{%- set rules = seed_entries('commentary_rules', order_by='rule_rank, rule_id') %}
{#- the longest span any rule looks back for a high or low (a constant of the rules, never of the data,
    so a month's tier never depends on what later months hold) #}
{%- set spans = [] %}
{%- for rule in rules if rule.span_months is not none %}{% do spans.append(rule.span_months | int) %}{% endfor %}
{%- set row_keys = ['measure_id', 'geography_level', 'geography', 'period_month', 'period_window'] %}
{%- set comparison_keys = ['measure_id', 'geography_level', 'geography', 'period_window', 'comparison'] %}
{#- the months before a month its facts look back over (with_history: the 36 months to it) #}
{%- set reaches_back = 35 %}
{#- a rule compares_with a comparison by its measure_values column: the comparison of that name #}
{%- set comparison_shown_as = {} %}
{%- for comparison, definition in measure_comparisons().items() %}
{%- do comparison_shown_as.update({definition.shown: comparison}) %}
{%- endfor %}
{#- each comparison and window some rule compares with: the only comparisons read #}
{%- set compared_with = [] %}
{%- for rule in rules if comparison_shown_as.get(rule.compares_with) %}
{%- do compared_with.append("('" ~ comparison_shown_as[rule.compares_with] ~ "', '" ~ rule.period_window ~ "')") %}
{%- endfor %}

with

measure_values as (

    select
        measure_id,
        pillar,
        geography_level,
        geography,
        period_month,
        period_window,
        value,
        numerator,
        denominator,
        sample_size,
        numerator_dispersion,
        denominator_dispersion,
        is_low_sample

    from {{ ref('int_measure_values_described') }}
    where period_window in ('month', 'rolling_12m')
        and {{ is_read_for_rebuild(rebuild_from, reaches_back) }}

),

all_comparisons as (

    select * from {{ ref('int_measure_comparisons') }}
    where (comparison, period_window) in ({{ (compared_with | unique | join(', ')) or '(null, null)' }})

),
{%- if rebuild_from is not none %}

kept_comparisons as (

    -- the comparisons of the months before the first rebuilt one (their commentary is kept)
    select * from all_comparisons
    where not {{ is_rebuilt_month(rebuild_from) }}

),

last_words as (

    -- each comparison's word in the last month before the first rebuilt one
    select
        {{ comparison_keys | join(',\n        ') }},
        arg_max_null(word, period_month) as last_word

    from kept_comparisons
    group by all

),

word_run_starts as (

    -- each comparison's last month before the first rebuilt one with another word than its last
    -- (its last run of one word starts after it; none when it has had one word throughout)
    select
        {% for key in comparison_keys %}kept_comparisons.{{ key }},
        {% endfor -%}
        max(kept_comparisons.period_month) filter (
            where kept_comparisons.word is distinct from last_words.last_word
        ) as other_word_month

    from kept_comparisons
    inner join last_words
        on {{ keys_match('kept_comparisons', 'last_words', comparison_keys) }}
    group by all

),

comparisons as (

    -- each comparison's last run of one word before the first rebuilt month, and every month after
    select all_comparisons.*
    from all_comparisons
    left join word_run_starts
        on {{ keys_match('all_comparisons', 'word_run_starts', comparison_keys) }}
    where word_run_starts.other_word_month is null
        or all_comparisons.period_month > word_run_starts.other_word_month

),
{%- else %}

comparisons as (

    select * from all_comparisons

),
{%- endif %}

measure_spc as (

    select * from {{ ref('measure_spc') }}

),

measures as (

    select * from {{ ref('int_measures_catalogued') }}

),

districts as (

    select * from {{ ref('districts') }}
    where not is_bucket

),

commentary_rules as (

    select * from {{ ref('commentary_rules') }}

),

described as (

    select
        measure_values.*,
        measures.name as measure_name,
        measures.unit,
        measures.significance_test,
        measures.is_strategic,
        districts.area_name

    from measure_values
    inner join measures
        on measure_values.measure_id = measures.measure_id
    left join districts
        on measure_values.geography_level = 'district'
        and measure_values.geography = districts.district_name

),

with_history as (

    select
        *,
        max(value) over (by_month range between interval 1 month preceding and interval 1 month preceding) as previous_value,
        max(numerator) over (by_month range between interval 1 month preceding and interval 1 month preceding)
            as previous_numerator,
        max(denominator) over (by_month range between interval 1 month preceding and interval 1 month preceding)
            as previous_denominator,
        max(value) over (by_month range between interval 11 month preceding and interval 1 month preceding) as prior_12m_high,
        min(value) over (by_month range between interval 11 month preceding and interval 1 month preceding) as prior_12m_low,
        count(value) over (by_month range between interval 11 month preceding and interval 1 month preceding) as prior_12m_months,
        max(value) over (by_month range between interval {{ reaches_back }} month preceding and interval 1 month preceding)
            as prior_36m_high,
        min(value) over (by_month range between interval {{ reaches_back }} month preceding and interval 1 month preceding)
            as prior_36m_low,
        count(value) over (by_month range between interval {{ reaches_back }} month preceding and interval 1 month preceding)
            as prior_36m_months

    from described
    window by_month as (partition by measure_id, geography_level, geography, period_window order by period_month)

),

comparison_runs as (

    -- each comparison's words in time order, a run being the months in a row with the same word
    select
        *,
        row_number() over by_month
        - row_number() over (
            partition by measure_id, geography_level, geography, period_window, comparison, word
            order by period_month
        ) as word_run

    from comparisons
    window by_month as (partition by measure_id, geography_level, geography, period_window, comparison order by period_month)

),

-- read by each rule's branch of fired (none when there are no rules, as the style check renders it)
compared as ( -- noqa: ST03

    -- what a rule that compares_with a comparison reads of it, with how many months in a row
    -- (to this one) it has had the same word
    select
        measure_id,
        geography_level,
        geography,
        period_month,
        period_window,
        comparison,
        comparison_month,
        comparison_value,
        word as comparison_word,
        z as comparison_z,
        count(*) over (
            partition by measure_id, geography_level, geography, period_window, comparison, word, word_run
            order by period_month
        ) as comparison_streak_months

    from comparison_runs

),

spc_signals as (

    select
        measure_id,
        geography_level,
        geography,
        period_month,
        'month' as period_window,
        variation as spc_variation,
        lag(variation) over (partition by measure_id, geography_level, geography order by period_month) as previous_spc_variation,
        special_cause_direction,
        concat_ws(
            '; ',
            case when is_outside_limits then 'a point outside the control limits' end,
            case when is_in_shift then 'seven or more in a row on one side of the centre line' end,
            case when is_in_trend then 'seven or more in a row rising or falling' end,
            case when is_two_of_three_beyond_two_sigma then 'two of three beyond two sigma' end
        ) as spc_rules

    from measure_spc

),

areas as (

    select
        measure_id,
        geography as area_name,
        period_month,
        period_window,
        value as area_value,
        previous_value as area_previous_value,
        is_low_sample as area_is_low_sample

    from with_history
    where geography_level = 'area'

),

facts as materialized (

    select
        with_history.*,
        cast(with_history.period_month - interval 1 month as date) as previous_value_month,
        spc_signals.spc_variation,
        spc_signals.previous_spc_variation,
        spc_signals.special_cause_direction,
        spc_signals.spc_rules,
        areas.area_value,
        areas.area_previous_value,
        areas.area_is_low_sample,
        {{ shown_value('with_history.value', 'with_history.unit') }} as value_shown,
        {{ shown_value('with_history.previous_value', 'with_history.unit') }} as previous_value_shown,
        {{ shown_value('areas.area_value', 'with_history.unit') }} as area_value_shown,
        {{ shown_value('areas.area_previous_value', 'with_history.unit') }} as area_previous_value_shown,
        -- whether the month-on-month change is one to write about: significant by the measure's own
        -- test, or (a median, whose cases are not here to test) at least district_sentence_min_change
        -- of the month before, as printed
        coalesce(
            abs({{ z_by_test(
                'with_history.significance_test', 'with_history.numerator', 'with_history.denominator',
                'with_history.previous_numerator', 'with_history.previous_denominator',
                'with_history.numerator_dispersion', 'with_history.denominator_dispersion'
            ) }}) >= {{ var('significance_z') }},
            with_history.significance_test = 'median_test'
            and abs(
                {{ shown_value('with_history.value', 'with_history.unit') }}
                - {{ shown_value('with_history.previous_value', 'with_history.unit') }}
            ) >= {{ var('district_sentence_min_change') }}
            * abs({{ shown_value('with_history.previous_value', 'with_history.unit') }}),
            false
        ) as is_notable_month_change,
        -- the districts of the area whose month-on-month change has the same sign as this one's
        count(*) over (
            partition by
                with_history.measure_id,
                with_history.period_window,
                with_history.period_month,
                with_history.geography_level,
                with_history.area_name,
                sign(
                    {{ shown_value('with_history.value', 'with_history.unit') }}
                    - {{ shown_value('with_history.previous_value', 'with_history.unit') }}
                )
        ) as districts_moving_alike

    from with_history
    left join spc_signals
        on {{ keys_match('with_history', 'spc_signals', row_keys) }}
    left join areas
        on {{ keys_match('with_history', 'areas', ['measure_id', 'area_name', 'period_month', 'period_window']) }}

),

fired as (

    {%- for rule in rules %}
    select
        '{{ rule.rule_id }}' as rule_id,
        {#- a comparison's row (none for a rule without one), or a fact such as previous_value #}
        {%- set comparison = comparison_shown_as.get(rule.compares_with) %}
        {{ 'compared.comparison_value' if comparison else rule.compares_with or 'cast(null as double)' }} as comparison_value,
        {{ 'compared.comparison_month' if comparison else rule.compares_with ~ '_month' if rule.compares_with else 'cast(null as date)' }}
            as comparison_month,
        compared.comparison_word,
        compared.comparison_z,
        compared.comparison_streak_months,
        {{ rule.span_months if rule.span_months is not none else 'cast(null as integer)' }} as span_months,
        facts.*

    from facts
    left join compared
        on {{ keys_match('facts', 'compared', row_keys) }}
        and compared.comparison = '{{ comparison or "" }}'
    where facts.period_window = '{{ rule.period_window }}'
        and facts.geography_level in ('{{ rule.geography_levels.split("|") | join("', '") }}')
        and ({{ rule.fires_when }})
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if not rules %}
    select
        cast(null as varchar) as rule_id,
        cast(null as double) as comparison_value,
        cast(null as date) as comparison_month,
        cast(null as varchar) as comparison_word,
        cast(null as double) as comparison_z,
        cast(null as bigint) as comparison_streak_months,
        cast(null as integer) as span_months,
        facts.*
    from facts
    where false
    {%- endif %}

),

{%- set change_word -%}
    case fired.comparison_word
        when 'Improved' then 'improvement'
        when 'Deteriorated' then 'deterioration'
        when 'Higher' then 'increase'
        when 'Lower' then 'decrease'
    end
{%- endset %}

worded as (

    select
        fired.*,
        commentary_rules.rule_rank,
        commentary_rules.is_headline,
        {{ fill_template('commentary_rules.template', {
            'measure': 'fired.measure_name',
            'geography': 'fired.geography',
            'place': "case when fired.geography_level = 'force' then '' else ' in ' || fired.geography end",
            'month': "strftime(fired.period_month, '%B %Y')",
            'comparison_month': "strftime(fired.comparison_month, '%B %Y')",
            'value': format_figure('fired.value', 'fired.unit'),
            'n': sample_phrase('fired.sample_size', 'fired.unit'),
            'comparison': format_figure('fired.comparison_value', 'fired.unit'),
            'direction': movement_phrase(shown_value('fired.value', 'fired.unit'), shown_value('fired.comparison_value', 'fired.unit')),
            'movement': movement_phrase(shown_value('fired.value', 'fired.unit'), shown_value('fired.comparison_value', 'fired.unit'), 'verb'),
            'change': change_word,
            'significance': "case when fired.comparison_word = 'Comparable' then 'not a significant change' else 'a significant ' || " ~ change_word ~ " end",
            'streak': streak_phrase('fired.comparison_streak_months'),
            'span_months': 'cast(fired.span_months as varchar)',
            'signal': "case fired.spc_variation when 'improvement' then 'improvement' when 'concern' then 'concern' else 'unusually ' || fired.special_cause_direction || ' values' end",
            'spc_rules': 'fired.spc_rules',
            'only': "case when fired.districts_moving_alike = 1 then ', the only district in ' || fired.area_name || ' to do so' else '' end",
            'area': 'fired.area_name',
            'area_value': format_figure('fired.area_value', 'fired.unit'),
            'area_comparison': format_figure('fired.area_previous_value', 'fired.unit'),
            'area_movement': movement_phrase('fired.area_value_shown', 'fired.area_previous_value_shown', 'verb'),
        }) }} as sentence

    from fired
    inner join commentary_rules
        on fired.rule_id = commentary_rules.rule_id

),

ranked as (

    select
        *,
        is_headline
        and row_number() over (
            partition by period_month, measure_id, geography_level, geography, is_headline
            order by rule_rank asc, rule_id asc
        ) = 1 as is_measure_headline,
        coalesce(comparison_word in ('Improved', 'Deteriorated', 'Higher', 'Lower'), false) as is_significant_change,
        case geography_level when 'force' then 1 when 'area' then 2 else 3 end as geography_order,
        case pillar when 'victims' then 1 when 'offenders' then 2 when 'communities' then 3 else 4 end as pillar_order,
        abs(comparison_z) as test_strength,
        abs(value - comparison_value) / nullif(abs(comparison_value), 0) as relative_change

    from worded
    where sentence is not null

),

leads as (

    -- the sentences a strategic measure of the force may lead with: a headline rule's, or its
    -- rolling 12 months against a year before (significant or not), never on a low sample
    select
        *,
        coalesce(
            is_strategic and geography_level = 'force' and not is_low_sample
            and (is_headline or rule_id = 'rolling_vs_last_year'),
            false
        ) as is_strategic_lead,
        -- a highest or lowest month over the longest span any rule looks back (36 months)
        coalesce(span_months = {{ spans | max if spans else 'null' }}, false) as is_longest_span_record

    from ranked

),

tiered as (

    -- which headlines come first: 1, every significant change in a strategic measure (and its
    -- highest or lowest month over the longest span); 2, for a strategic measure with none, its best
    -- lead (what a board report opens a pillar with); 3, every other measure's best headline. Never
    -- a sentence on a low sample.
    select
        *,
        case
            when coalesce(is_low_sample, false) then null
            when is_strategic_lead and (is_significant_change or is_longest_span_record) then 1
            when is_strategic_lead
                and not bool_or(is_strategic_lead and (is_significant_change or is_longest_span_record)) over strategic_measure
                and row_number() over (
                    partition by period_month, measure_id, geography_level, geography, is_strategic_lead
                    order by rule_rank asc, rule_id asc
                ) = 1
                then 2
            when is_measure_headline then 3
        end as headline_tier

    from leads
    window strategic_measure as (partition by period_month, measure_id, geography_level, geography)

),

turns as (

    -- the other measures' headlines: each rule rank's take turns, its strongest first (the largest
    -- test statistic, then the largest sample, then the largest relative change), so one kind of
    -- news cannot fill the list
    select
        *,
        case
            when headline_tier = 3
                then row_number() over (
                        partition by period_month, headline_tier, geography_order, rule_rank
                        order by
                            test_strength desc nulls last,
                            sample_size desc nulls last,
                            relative_change desc nulls last,
                            measure_id asc,
                            geography asc
                    )
            else 0
        end as headline_turn

    from tiered

),

final as (

    select
        measure_id,
        pillar,
        measure_name,
        geography_level,
        geography,
        period_month,
        period_window,
        rule_id,
        rule_rank,
        is_headline,
        headline_tier,
        case
            when headline_tier is not null
                then row_number() over (
                        partition by period_month, headline_tier is not null
                        order by
                            headline_tier asc,
                            case when headline_tier < 3 then pillar_order end asc nulls last,
                            case when headline_tier < 3 then measure_id end asc nulls last,
                            geography_order asc,
                            headline_turn asc,
                            rule_rank asc,
                            measure_id asc,
                            geography asc
                    )
        end as headline_rank,
        sentence,
        unit,
        value,
        sample_size,
        comparison_month,
        comparison_value,
        comparison_word,
        case when rule_id = 'district_against_area' then area_name end as area_name,
        case when rule_id = 'district_against_area' then area_value end as area_value,
        case when rule_id = 'district_against_area' then area_previous_value end as area_previous_value,
        case when rule_id like 'rolling_vs_benchmark%' then comparison_streak_months end as streak_months,
        span_months

    from turns
    where {{ is_rebuilt_month(rebuild_from) }}

)

select * from final
