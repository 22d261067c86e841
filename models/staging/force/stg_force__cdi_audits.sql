with

source as (

    select * from {{ source('force', 'cdi_audits') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        audit_reference,
        audited_date,
        cast(date_trunc('month', audited_date) as date) as audited_month,
        {{ standardise_district('district') }} as district_name,
        incident_reference,
        is_crime_required,
        is_crime_recorded,
        {{ load_lineage_columns() }}

    from source

),

flagged as (

    select
        *,
        is_crime_required is null or is_crime_recorded is null as has_missing_finding,
        district_name = '{{ var("unknown_district") }}' as has_unknown_district

    from renamed

),

in_scope as (

    {{ rows_in_repeat_scope('flagged', 'audit_reference', source('force', 'cdi_audits')) }}

),

final as (

    select
        *,
        {{ is_repeat_of('audit_reference') }} as is_duplicate

    from in_scope

)

select * from final
