-- One row per delivered file: who delivered what, when, and what became of it.
with submissions as (
    select * from {{ ref('stg_ops__submissions') }}
)

select
    submission_id,
    province_code,
    dataset,
    period,
    revision,
    source_key,
    delivery_night,
    processed_night,
    delivered_at,
    is_late,
    status,
    coalesce(rows_received, 0) as rows_received,
    coalesce(rows_loaded, 0) as rows_loaded,
    coalesce(rows_quarantined, 0) as rows_quarantined,
    reject_reason_th,
    reject_reason_en
from submissions
