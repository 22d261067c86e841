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

{#- Sign test of a window's cases against a comparison median: the cases above it against the
    cases below it (cases exactly at it left out; int_measure_values_compared counts both to the
    second). Under no change either side is as likely, so the normal approximation is that of two
    counts. z > 0: the typical case is now slower. -#}
{% macro z_sign_test(cases_above, cases_below) -%}
    {{ z_poisson_counts(cases_above, cases_below) }}
{%- endmacro %}

{#- The word for a comparison of value with comparison, z its test statistic.
    - no word (null) when there is nothing to compare: either side missing, or a side incomplete
      (is_comparable false); nor when no test applies: a rate above 100% on either side (a volume-
      basis outcome rate in a small area), or no statistic while the two differ;
    - Comparable when either side is a low sample, when the two are equal, or when |z| stays
      below var('significance_z');
    - else counts and neutral measures go Higher / Lower, measures with a direction Improved /
      Deteriorated by their polarity. Every test's z has the sign of value - comparison, so a word
      never points against the figures (a warehouse-wide data test checks it). -#}
{% macro significance_label(z, unit, polarity, value, comparison, is_low_sample, is_comparable='true') -%}
    case
        when ({{ value }}) is null or ({{ comparison }}) is null or not coalesce({{ is_comparable }}, false) then null
        when {{ unit }} = 'rate' and (({{ value }}) > 1 or ({{ comparison }}) > 1) then null
        when ({{ is_low_sample }}) or ({{ value }}) = ({{ comparison }}) then 'Comparable'
        when ({{ z }}) is null then null
        when abs({{ z }}) < {{ var('significance_z') }} then 'Comparable'
        when {{ unit }} = 'count' or {{ polarity }} = 'neutral' then
            case when ({{ z }}) > 0 then 'Higher' else 'Lower' end
        when (({{ z }}) > 0) = ({{ polarity }} = 'higher_is_better') then 'Improved'
        else 'Deteriorated'
    end
{%- endmacro %}
