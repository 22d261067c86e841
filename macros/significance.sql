{#- Significance tests behind the Higher / Lower / Improved / Deteriorated / Comparable words.
    Each returns a z statistic (null when it cannot be computed); significance_label turns it
    into the word. The methods are documented in docs/measures.md and pinned by the unit tests
    on int_measure_comparisons. -#}

{#- Square root that is null, not an error, for zero or negative input (e.g. a volume-basis
    rate above 1 in a small area makes a pooled variance negative: no test applies). -#}
{% macro safe_sqrt(expression) -%}
    sqrt(case when ({{ expression }}) > 0 then ({{ expression }}) end)
{%- endmacro %}

{#- Two counts, as two Poisson counts: normal approximation to their difference, its variance
    scaled by the series' dispersion (quasi-Poisson; 1 is plain Poisson). -#}
{% macro z_poisson_counts(x1, x2, dispersion='1') -%}
    (({{ x1 }}) - ({{ x2 }})) / {{ safe_sqrt('(' ~ dispersion ~ ') * ((' ~ x1 ~ ') + (' ~ x2 ~ '))') }}
{%- endmacro %}

{#- A count against the mean m of k earlier counts: z = (x - m) / sqrt(dispersion * (x + m / k)). -#}
{% macro z_count_vs_mean(x, mean, k, dispersion='1') -%}
    (({{ x }}) - ({{ mean }})) / {{ safe_sqrt('(' ~ dispersion ~ ') * ((' ~ x ~ ') + (' ~ mean ~ ') / ' ~ k ~ ')') }}
{%- endmacro %}

{#- Two proportions a1/n1 and a2/n2 (each numerator a subset of its denominator): pooled
    two-proportion z-test. Null when either is not a proportion (a above n). -#}
{% macro z_two_proportions(a1, n1, a2, n2) -%}
    case when ({{ a1 }}) <= ({{ n1 }}) and ({{ a2 }}) <= ({{ n2 }}) then
    (({{ a1 }}) / nullif({{ n1 }}, 0) - ({{ a2 }}) / nullif({{ n2 }}, 0))
    {%- set pooled = '((' ~ a1 ~ ') + (' ~ a2 ~ ')) / nullif((' ~ n1 ~ ') + (' ~ n2 ~ '), 0)' %}
    / {{ safe_sqrt(pooled ~ ' * (1 - ' ~ pooled ~ ') * (1 / nullif(' ~ n1 ~ ', 0) + 1 / nullif(' ~ n2 ~ ', 0))') }}
    end
{%- endmacro %}

{#- Two Poisson rates x1/d1 and x2/d2 with fixed d (e.g. crimes per 1,000 residents), the
    counts' variance scaled by the series' dispersion. -#}
{% macro z_poisson_rates(x1, d1, x2, d2, dispersion='1') -%}
    (({{ x1 }}) / nullif({{ d1 }}, 0) - ({{ x2 }}) / nullif({{ d2 }}, 0))
    / {{ safe_sqrt('(' ~ dispersion ~ ') * ((' ~ x1 ~ ') / nullif((' ~ d1 ~ ') * (' ~ d1 ~ '), 0) + (' ~ x2 ~ ') / nullif((' ~ d2 ~ ') * (' ~ d2 ~ '), 0))') }}
{%- endmacro %}

{#- Two ratios of counts x1/d1 and x2/d2 where the numerator is not a subset of the denominator
    (a volume-basis outcome rate: outcomes assigned in a window over crimes recorded in it; it may
    pass 100%). Both counts vary, so the test is on the log of the ratio of the two ratios, each
    count Poisson with its series' dispersion (delta method):
    z = (ln(x1/d1) - ln(x2/d2)) / sqrt(dx (1/x1 + 1/x2) + dd (1/d1 + 1/d2)).
    Null when a count is zero (no log; no word). -#}
{% macro z_count_ratio(x1, d1, x2, d2, dispersion_x='1', dispersion_d='1') -%}
    case when ({{ x1 }}) > 0 and ({{ d1 }}) > 0 and ({{ x2 }}) > 0 and ({{ d2 }}) > 0 then
    (ln(({{ x1 }}) / ({{ d1 }})) - ln(({{ x2 }}) / ({{ d2 }})))
    / {{ safe_sqrt('(' ~ dispersion_x ~ ') * (1 / (' ~ x1 ~ ') + 1 / (' ~ x2 ~ ')) + (' ~ dispersion_d ~ ') * (1 / (' ~ d1 ~ ') + 1 / (' ~ d2 ~ '))') }}
    end
{%- endmacro %}

{#- The test statistic of a measure's own test (its significance_test column) for x1/d1 against
    x2/d2, each count's variance scaled by its series' dispersion. counted_z: the statistic for
    counts when it is not x1 against x2 (a count against a mean of years); median_z: Mood's test,
    worked out from the cases apart (null when not given). -#}
{% macro z_by_test(test, x1, d1, x2, d2, dispersion_x='1', dispersion_d='1', counted_z=none, median_z='cast(null as double)') -%}
    case {{ test }}
        when 'poisson_counts' then {{ counted_z or z_poisson_counts(x1, x2, dispersion_x) }}
        when 'two_proportions' then {{ z_two_proportions(x1, d1, x2, d2) }}
        when 'count_ratio' then {{ z_count_ratio(x1, d1, x2, d2, dispersion_x, dispersion_d) }}
        when 'poisson_rates' then {{ z_poisson_rates(x1, d1, x2, d2, dispersion_x) }}
        when 'median_test' then {{ median_z }}
    end
{%- endmacro %}

{#- Mood's median test of two samples of cases (this window's, the comparison's): each split at
    the same point (their medians' mean weighted by their cases, the estimate of the common median
    under no change), the shares above it compared as two proportions. Under no change either
    sample is as likely to lie above the split. z > 0: the typical case is now slower. -#}
{% macro z_median_test(above1, n1, above2, n2) -%}
    {{ z_two_proportions(above1, n1, above2, n2) }}
{%- endmacro %}

{#- A series' dispersion at a month: the variance of its monthly counts over their mean, from the
    trailing var('dispersion_months') months up to and including it (never a later month), the
    variance estimated from the mean moving range (/ 1.128, as an XmR chart does, so a slow trend
    or a step counts as change, not noise). At least 1 (Poisson); null with fewer than
    var('dispersion_min_months') months. -#}
{% macro dispersion_from_moving_range(mean_moving_range, mean_count, months) -%}
    case when ({{ months }}) >= {{ var('dispersion_min_months') }} then
        greatest(1.0, coalesce(power(({{ mean_moving_range }}) / 1.128, 2) / nullif({{ mean_count }}, 0), 1.0))
    end
{%- endmacro %}

{#- The word for a comparison of value with comparison, z its test statistic.
    - no word (null) when there is nothing to compare: either side missing, or a side incomplete
      (is_comparable false); nor when no test applies: no statistic while the two differ (a
      proportion above 100%, a count ratio with a zero count, a dispersion not yet estimable);
    - Comparable when either side is a low sample, when the two are equal, or when |z| stays
      below var('significance_z');
    - else a neutral measure goes Higher / Lower, a measure with a direction Improved /
      Deteriorated by its polarity, whatever its unit: the caller passes the polarity the words
      read by (int_measures_catalogued.word_polarity: neutral for recorded volumes, counts and rates
      per 1,000 alike). Every test's z has the sign of value - comparison, so a word never points
      against the figures (a warehouse-wide data test checks it). -#}
{% macro significance_label(z, polarity, value, comparison, is_low_sample, is_comparable='true') -%}
    case
        when ({{ value }}) is null or ({{ comparison }}) is null or not coalesce({{ is_comparable }}, false) then null
        when ({{ is_low_sample }}) or ({{ value }}) = ({{ comparison }}) then 'Comparable'
        when ({{ z }}) is null then null
        when abs({{ z }}) < {{ var('significance_z') }} then 'Comparable'
        when {{ polarity }} = 'neutral' then
            case when ({{ z }}) > 0 then 'Higher' else 'Lower' end
        when (({{ z }}) > 0) = ({{ polarity }} = 'higher_is_better') then 'Improved'
        else 'Deteriorated'
    end
{%- endmacro %}
