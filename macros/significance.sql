{#- Significance tests behind the Higher / Lower / Improved / Deteriorated / Comparable words.
    Each returns a z statistic (null when it cannot be computed); significance_label turns it
    into the word. The methods are documented in docs/measures.md and pinned by the unit tests
    on int_measure_values_compared. -#}

{#- Square root that is null, not an error, for zero or negative input (e.g. a volume-basis
    rate above 1 in a small area makes a pooled variance negative: no test applies). -#}
{% macro safe_sqrt(expression) -%}
    sqrt(case when ({{ expression }}) > 0 then ({{ expression }}) end)
{%- endmacro %}

{#- Two counts, as two Poisson counts: normal approximation to their difference. -#}
{% macro z_poisson_counts(x1, x2) -%}
    (({{ x1 }}) - ({{ x2 }})) / {{ safe_sqrt('(' ~ x1 ~ ') + (' ~ x2 ~ ')') }}
{%- endmacro %}

{#- A count against the mean m of k earlier counts: z = (x - m) / sqrt(x + m / k). -#}
{% macro z_count_vs_mean(x, mean, k) -%}
    (({{ x }}) - ({{ mean }})) / {{ safe_sqrt('(' ~ x ~ ') + (' ~ mean ~ ') / ' ~ k) }}
{%- endmacro %}

{#- Two proportions a1/n1 and a2/n2: pooled two-proportion z-test. -#}
{% macro z_two_proportions(a1, n1, a2, n2) -%}
    (({{ a1 }}) / nullif({{ n1 }}, 0) - ({{ a2 }}) / nullif({{ n2 }}, 0))
    {%- set pooled = '((' ~ a1 ~ ') + (' ~ a2 ~ ')) / nullif((' ~ n1 ~ ') + (' ~ n2 ~ '), 0)' %}
    / {{ safe_sqrt(pooled ~ ' * (1 - ' ~ pooled ~ ') * (1 / nullif(' ~ n1 ~ ', 0) + 1 / nullif(' ~ n2 ~ ', 0))') }}
{%- endmacro %}

{#- Two Poisson rates x1/d1 and x2/d2 (e.g. crimes per 1,000 residents). -#}
{% macro z_poisson_rates(x1, d1, x2, d2) -%}
    (({{ x1 }}) / nullif({{ d1 }}, 0) - ({{ x2 }}) / nullif({{ d2 }}, 0))
    / {{ safe_sqrt('(' ~ x1 ~ ') / nullif((' ~ d1 ~ ') * (' ~ d1 ~ '), 0) + (' ~ x2 ~ ') / nullif((' ~ d2 ~ ') * (' ~ d2 ~ '), 0)') }}
{%- endmacro %}

{#- Sign test of cases against a comparison median: cases above vs cases below it (ties left
    out), from a histogram of whole minutes -> cases. z > 0: the typical case is now slower. -#}
{% macro z_sign_test(histogram, reference_median) -%}
    {%- set above -%}
        coalesce(list_sum(list_transform(list_filter(map_entries({{ histogram }}), lambda e: e.key > round({{ reference_median }})), lambda e: e.value)), 0)
    {%- endset -%}
    {%- set below -%}
        coalesce(list_sum(list_transform(list_filter(map_entries({{ histogram }}), lambda e: e.key < round({{ reference_median }})), lambda e: e.value)), 0)
    {%- endset -%}
    case when ({{ reference_median }}) is not null then
        ({{ above }} - {{ below }}) / {{ safe_sqrt(above ~ ' + ' ~ below) }}
    end
{%- endmacro %}

{#- The word for a comparison. No word (null) when there is nothing to compare: a value missing
    on either side, or a side that is incomplete (is_comparable false). Otherwise Comparable unless
    |z| reaches var('significance_z') and neither side is a low sample. Counts and neutral measures
    go Higher / Lower; measures with a direction go Improved / Deteriorated by their polarity. -#}
{% macro significance_label(z, unit, polarity, is_low_sample, is_comparable='true') -%}
    case
        when not coalesce({{ is_comparable }}, false) then null
        when ({{ is_low_sample }}) or ({{ z }}) is null or abs({{ z }}) < {{ var('significance_z') }} then 'Comparable'
        when {{ unit }} = 'count' or {{ polarity }} = 'neutral' then
            case when ({{ z }}) > 0 then 'Higher' else 'Lower' end
        when (({{ z }}) > 0) = ({{ polarity }} = 'higher_is_better') then 'Improved'
        else 'Deteriorated'
    end
{%- endmacro %}
