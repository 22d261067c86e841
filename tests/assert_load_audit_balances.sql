-- Every loaded file: rows read = rows loaded + rows quarantined, and the raw tables and the
-- quarantine hold exactly the rows the audit says. Returns the files that do not balance.
{%- set tables = [
    ('force', 'crimes', 'crimes'), ('force', 'crime_outcomes', 'crime_outcomes'), ('force', 'incidents', 'incidents'),
    ('force', 'calls', 'calls'), ('force', 'survey_responses', 'survey_responses'), ('force', 'cdi_audits', 'cdi_audits'),
    ('force', 'vcc_checks', 'vcc_checks'), ('force', 'dqat_assessments', 'dqat_assessments'),
    ('police_uk', 'street', 'police_uk_street'), ('police_uk', 'outcomes', 'police_uk_outcomes'),
    ('police_uk', 'stop_and_search', 'police_uk_stop_and_search'),
] %}

with

audit as (

    select * from {{ source('force_load', 'load_audit') }}

),

loaded as (

    {%- for source_name, table, raw_table in tables %}
    select
        '{{ raw_table }}' as source,
        _source_file as source_file,
        count(*) as rows_in_table
    from {{ source(source_name, table) }}
    group by all
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

quarantined as (

    select
        source,
        source_file,
        count(*) as rows_in_quarantine
    from {{ source('force_load', 'quarantine') }}
    group by all

),

final as (

    select
        audit.*,
        coalesce(loaded.rows_in_table, 0) as rows_in_table,
        coalesce(quarantined.rows_in_quarantine, 0) as rows_in_quarantine

    from audit
    left join loaded
        on audit.source = loaded.source and audit.source_file = loaded.source_file
    left join quarantined
        on audit.source = quarantined.source and audit.source_file = quarantined.source_file
    where audit.rows_read != audit.rows_loaded + audit.rows_quarantined
        or coalesce(loaded.rows_in_table, 0) != audit.rows_loaded
        or coalesce(quarantined.rows_in_quarantine, 0) != audit.rows_quarantined

)

select * from final
