with

source as (

    select * from {{ source('force', 'incidents') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        incident_reference,
        created_at,
        cast(date_trunc('month', created_at) as date) as created_month,
        {{ clean_code('grade') }} as grade_code,
        {{ clean_code('incident_type') }} as incident_type_code,
        {{ standardise_district('district') }} as district_name,
        dispatched_at,
        first_arrived_at,
        {{ clean_code('delay_reason') }} as delay_reason,
        {{ clean_code('domestic_risk_level') }} as domestic_risk_level,
        coalesce(string_split({{ clean_code('qualifiers') }}, '|'), []) as qualifiers,
        linked_crime_reference,
        closed_at,
        {{ load_lineage_columns() }}

    from source

),

flagged as (

    select
        *,
        first_arrived_at is not null as is_attended,
        linked_crime_reference is not null as has_linked_crime,
        {{ is_unknown_code('grade_code', 'incident_grades', 'grade_code') }} as has_unknown_grade,
        {{ is_unknown_code('incident_type_code', 'incident_types', 'incident_type_code') }} as has_unknown_incident_type,
        district_name = '{{ var("unknown_district") }}' as has_unknown_district,
        coalesce(first_arrived_at < created_at or dispatched_at < created_at, false) as has_arrival_before_call,
        coalesce(closed_at < created_at, false) as has_closure_before_call

    from renamed

),

in_scope as (

    {{ rows_in_repeat_scope('flagged', 'incident_reference', source('force', 'incidents')) }}

),

final as (

    select
        *,
        {{ is_repeat_of('incident_reference') }} as is_duplicate

    from in_scope

)

select * from final
