-- 999 and 101 calls, repeats and calls on an unknown line left out.
-- A view: the staged calls are an incremental table already and this only filters them, so no
-- build writes the calls a second time.
{{ config(materialized='view') }}

with

calls as (

    select * from {{ ref('stg_force__calls') }}
    where not is_duplicate
        and not has_unknown_line
        and {{ is_extracted_by_as_at() }}

),

final as (

    select
        call_reference,
        call_line,
        received_at,
        received_month,
        is_answered,
        is_abandoned,
        seconds_to_answer,
        has_answer_before_call,
        loaded_at

    from calls

)

select * from final
