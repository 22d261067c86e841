-- Incremental: a nightly build stages the street rows loaded since the last build, with the rows
-- already staged under the same force and crime ID, so that both crime-ID flags (an ID on two rows
-- of one month, an ID seen in two months) are decided over every row of that ID, as a full build
-- decides them; those staged rows are replaced (delete+insert on file and line). Any other staged
-- row keeps its flags, which a full build would give it too.
{{
    config(
        materialized='incremental',
        unique_key=['source_file', 'source_line'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{%- set flag_columns = [
    'is_anti_social_behaviour', 'has_no_location', 'has_missing_crime_id', 'has_unknown_crime_type',
    'is_repeated_crime_id', 'is_reused_crime_id',
] %}

with

source as (

    select * from {{ source('police_uk', 'street') }}
    where {{ is_loaded_since_last_run('_loaded_at') }}

),

renamed as (

    select
        {{ police_uk_place_columns() }},
        crime_type,
        last_outcome_category,
        longitude,
        latitude,
        {{ load_lineage_columns() }}

    from source

),

new_crime_ids as (

    select distinct
        force_slug,
        crime_id
    from renamed
    where crime_id is not null

),

in_crime_id_scope as (

    select * from renamed
    {%- if is_incremental() %}
    union all by name
    select staged.* exclude ({{ flag_columns | join(', ') }})
    from {{ this }} as staged
    inner join new_crime_ids
        on staged.force_slug = new_crime_ids.force_slug
        and staged.crime_id = new_crime_ids.crime_id
    {%- endif %}

),

final as (

    select
        *,
        crime_type = 'Anti-social behaviour' as is_anti_social_behaviour,
        lsoa_code is null and lsoa_name is null as has_no_location,
        crime_id is null and crime_type != 'Anti-social behaviour' as has_missing_crime_id,
        {{ is_unknown_code('crime_type', 'police_uk_crime_types', 'crime_type') }} as has_unknown_crime_type,
        -- every row is a record data.police.uk publishes and counts; these two only report IDs that
        -- appear on more than one row (two locations or outcomes of one crime, or an ID reused)
        crime_id is not null and count(*) over same_id_same_month > 1 as is_repeated_crime_id,
        crime_id is not null and min(period_month) over same_id != max(period_month) over same_id as is_reused_crime_id

    from in_crime_id_scope
    window
        same_id as (partition by force_slug, crime_id),
        same_id_same_month as (partition by force_slug, crime_id, period_month)

)

select * from final
