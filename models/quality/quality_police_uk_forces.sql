-- Every data.police.uk publisher loaded, with its rows and whether the seeds know it: an unknown
-- force id is loaded and counted at force level, and the gate names it with its row count.
with

assessed as (

    select * from {{ ref('int_police_uk_force_months_assessed') }}

),

final as (

    select
        force_slug,
        any_value(is_known_force) as is_known_force,
        any_value(is_force_area) as is_force_area,
        sum(rows_loaded) as rows_loaded

    from assessed
    group by force_slug

)

select * from final
