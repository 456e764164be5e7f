-- The otop_ratings rows of the files in force, one per province × product × round. A round's
-- results come in the file of the month the province announced them (schedule when_held); a
-- corrected results file may come in a later month, a slot of its own, so two files in force can
-- rate the same product in the same round. The row of the latest delivered file is kept (the
-- order of int_submissions_in_force: delivered_at, then file name, then revision); within one
-- file, where the key is unique already (the contract's key rule quarantines duplicates), the
-- first row. "No later row of the key" rather than a window, as in int_submissions_in_force.
with staged_rows as (
    select * from {{ ref('stg_raw__otop_ratings') }}
),

submissions_in_force as (
    select * from {{ ref('int_submissions_in_force') }}
    where dataset = 'otop_ratings'
),

rows_in_force as (
    select
        submissions_in_force.province_code,
        submissions_in_force.period,
        submissions_in_force.revision,
        submissions_in_force.delivered_at,
        submissions_in_force.source_key,
        staged_rows.submission_id,
        staged_rows.source_row,
        staged_rows.product_id,
        staged_rows.producer_id,
        staged_rows.product_category_code,
        staged_rows.tambon_code,
        staged_rows.opc_round,
        staged_rows.star_level,
        staged_rows.score,
        staged_rows.segment_code,
        staged_rows.mark_tier_code,
        staged_rows.announced_on,
        staged_rows.loaded_at
    from staged_rows
    inner join submissions_in_force
        on submissions_in_force.submission_id = staged_rows.submission_id
)

select rows_in_force.*
from rows_in_force
where
    not exists (
        select from rows_in_force as later
        where
            later.province_code = rows_in_force.province_code
            and later.product_id = rows_in_force.product_id
            and later.opc_round = rows_in_force.opc_round
            -- later delivered, or the same file's earlier row (source_row compared the other way round)
            and (later.delivered_at, later.source_key, later.revision, rows_in_force.source_row)
            > (rows_in_force.delivered_at, rows_in_force.source_key, rows_in_force.revision, later.source_row)
    )
