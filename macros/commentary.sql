{#- The commentary's wording helpers (models/marts/reports/measure_commentary.sql; the rules and
    templates themselves are in seeds/commentary_rules.csv). Pinned by the model's unit tests. -#}

{#- A figure as the board reports print it, by the measure's unit: "76.5%" (rate), "17.5 min"
    (minutes, to the tenth the medians are tested at), "3.52" (per_1000), "5,363" (count).
    scripts/report/fmt.py prints the pack's tables the same way. -#}
{% macro format_figure(value, unit) -%}
    case
        when {{ value }} is null then null
        when {{ unit }} = 'rate' then printf('%.1f%%', {{ value }} * 100)
        when {{ unit }} = 'minutes' then printf('%.1f min', {{ value }})
        when {{ unit }} = 'per_1000' then printf('%.2f', {{ value }})
        else format('{:,}', cast(round({{ value }}) as bigint))
    end
{%- endmacro %}

{#- A value rounded as format_figure prints it, so that a sentence compares what it shows: "rose"
    or "higher than" is never said of two figures that print the same. -#}
{% macro shown_value(value, unit) -%}
    case
        when {{ unit }} = 'rate' then round({{ value }}, 3)
        when {{ unit }} in ('minutes') then round({{ value }}, 1)
        when {{ unit }} = 'per_1000' then round({{ value }}, 2)
        else round({{ value }})
    end
{%- endmacro %}

{#- The sample a rate or median rests on, as the reports quote it: " (n = 1,340)"; empty for
    counts and when there is no sample. -#}
{% macro sample_phrase(sample_size, unit) -%}
    case
        when {{ unit }} in ('rate', 'minutes') and {{ sample_size }} is not null
            then ' (n = ' || format('{:,}', cast(round({{ sample_size }}) as bigint)) || ')'
        else ''
    end
{%- endmacro %}

{#- How a value moved from an earlier one, in the words of a sentence: phrase 'comparative'
    ("higher than", "lower than", "the same as") or 'verb' ("rose", "fell", "held steady"). -#}
{% macro movement_phrase(value, earlier, phrase='comparative') -%}
    {%- set words = {
        'comparative': ('higher than', 'lower than', 'the same as'),
        'verb': ('rose', 'fell', 'held steady'),
    }[phrase] -%}
    case
        when {{ value }} > {{ earlier }} then '{{ words[0] }}'
        when {{ value }} < {{ earlier }} then '{{ words[1] }}'
        else '{{ words[2] }}'
    end
{%- endmacro %}

{#- " for the second consecutive month" and on (ordinals in words to the twelfth, then digits);
    empty for a first month. -#}
{% macro streak_phrase(months) -%}
    {%- set ordinals = ['second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'] -%}
    case
        when {{ months }} is null or {{ months }} < 2 then ''
        {%- for ordinal in ordinals %}
        when {{ months }} = {{ loop.index + 1 }} then ' for the {{ ordinal }} consecutive month'
        {%- endfor %}
        else ' for ' || {{ months }} || ' consecutive months'
    end
{%- endmacro %}

{#- A template with its {placeholders} filled: placeholders maps each name to a SQL expression
    (text). One reduction over (name, value) pairs rather than nested replace() calls. A value that
    is null is marked, and a sentence with a marked value left in it is null, so a sentence is never
    written with a figure missing; a null value whose placeholder the template lacks changes nothing. -#}
{% macro fill_template(template, placeholders) -%}
    nullif(regexp_replace(
        list_reduce(
            [
                {{ template }},
                {%- for name, expression in placeholders.items() %}
                '{{ name }}' || chr(31) || coalesce({{ expression }}, chr(0)){{ ',' if not loop.last }}
                {%- endfor %}
            ],
            (sentence, placeholder) -> replace(
                sentence, '{' || split_part(placeholder, chr(31), 1) || '}', split_part(placeholder, chr(31), 2)
            )
        ),
        '(?s)^.*\x00.*$', ''
    ), '')
{%- endmacro %}
