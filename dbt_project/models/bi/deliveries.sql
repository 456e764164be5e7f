-- Every delivered file (every revision), for the data-quality dashboard's file list: who sent
-- what and when, whether it was late, what became of it and why, in Thai and English.
with submissions as (
    select * from {{ ref('dim_submission') }}
),

datasets as (
    select * from {{ ref('contract_datasets') }}
),

statuses as (
    select * from (
        values
        ('discovered', 'รอประมวลผล', 'Waiting to be processed'),
        ('loaded', 'รับข้อมูลแล้ว', 'Loaded'),
        ('rejected', 'ไม่รับไฟล์', 'Rejected')
    ) as statuses (status, status_th, status_en)
)

select
    submissions.submission_id::bigint as submission_id,
    submissions.province_code::text as province_code,
    {{ province_name_columns(with_region=false) }}
    submissions.dataset::text as dataset,
    datasets.title_th::text as dataset_title_th,
    datasets.title_en::text as dataset_title_en,
    submissions.period::text as period,
    submissions.revision::integer as revision,
    submissions.is_in_force::boolean as is_in_force,
    submissions.source_key::text as source_key,
    submissions.file_format::text as file_format,
    submissions.encoding::text as encoding,
    submissions.delivered_at::timestamptz as delivered_at,
    submissions.delivery_night::date as delivery_night,
    submissions.processed_night::date as processed_night,
    submissions.is_late::boolean as is_late,
    submissions.status::text as status,
    statuses.status_th::text as status_th,
    statuses.status_en::text as status_en,
    coalesce(submissions.rows_received, 0)::integer as rows_received,
    coalesce(submissions.rows_loaded, 0)::integer as rows_loaded,
    coalesce(submissions.rows_quarantined, 0)::integer as rows_quarantined,
    submissions.reject_reason_th::text as reject_reason_th,
    submissions.reject_reason_en::text as reject_reason_en
from submissions
left join datasets on datasets.dataset = submissions.dataset
{{ join_province_names('submissions.province_code') }}
left join statuses on statuses.status = submissions.status
