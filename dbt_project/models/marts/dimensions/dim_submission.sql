-- Every delivered file (every revision, loaded or rejected): lineage for any fact row.
with submissions as (
    select * from {{ ref('stg_ops__submissions') }}
),

submissions_in_force as (
    select submission_id from {{ ref('int_submissions_in_force') }}
)

select
    submissions.submission_id as submission_key,
    submissions.submission_id,
    submissions.province_code,
    submissions.dataset,
    submissions.period,
    submissions.revision,
    submissions_in_force.submission_id is not null as is_in_force,
    submissions.status,
    submissions.source_key,
    submissions.content_sha256,
    submissions.file_format,
    submissions.encoding,
    submissions.byte_size,
    submissions.delivered_at,
    submissions.delivery_night,
    submissions.processed_night,
    submissions.is_late,
    submissions.rows_received,
    submissions.rows_loaded,
    submissions.rows_quarantined,
    submissions.reject_reason_th,
    submissions.reject_reason_en
from submissions
left join submissions_in_force using (submission_id)
