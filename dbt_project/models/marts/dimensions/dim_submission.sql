-- Every delivered file (every revision, loaded or rejected): lineage for any fact row.
with submissions as (
    select * from {{ ref('stg_ops__submissions') }}
),

current_submissions as (
    select submission_id from {{ ref('stg_ops__current_submissions') }}
),

manifest as (
    select submission_id, content_sha256, file_format, byte_size from {{ source('ops', 'submission') }}
)

select
    submissions.submission_id as submission_key,
    submissions.submission_id,
    submissions.province_code,
    submissions.dataset,
    submissions.period,
    submissions.revision,
    current_submissions.submission_id is not null as is_in_force,
    submissions.status,
    submissions.source_key,
    manifest.content_sha256,
    manifest.file_format,
    submissions.encoding,
    manifest.byte_size,
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
inner join manifest using (submission_id)
left join current_submissions using (submission_id)
