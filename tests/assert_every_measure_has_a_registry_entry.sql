-- Every measure of both catalogues has exactly one method row, and every method row a measure.
-- Returns the measure ids that break this.
with

measures as (

    select measure_id from {{ ref('measures') }}
    union all
    select measure_id from {{ ref('public_measures') }}

),

methods as (

    select
        measure_id,
        count(*) as method_rows
    from {{ ref('measure_registry') }}
    group by all

),

final as (

    select
        coalesce(measures.measure_id, methods.measure_id) as measure_id,
        methods.method_rows
    from measures
    full outer join methods
        on measures.measure_id = methods.measure_id
    where measures.measure_id is null or methods.measure_id is null or methods.method_rows != 1

)

select * from final
